package io.dlmsgateway.dlms.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gurux.dlms.GXDLMSClient;
import gurux.dlms.enums.Conformance;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuruxClientsTest {

    private static final byte[] KEY = new byte[16];
    private static final byte[] SYSTEM_TITLE = new byte[8];

    private static GXDLMSClient client(Framing framing, Authentication authentication) {
        return GuruxClients.create(framing, 16, 1, authentication, "secret".getBytes(), KEY, KEY, SYSTEM_TITLE, 0,
                1024);
    }

    @Test
    void everyClientProposesGuruxsLogicalNameFlagsButGeneralBlockTransfer() {
        Set<Conformance> expected = EnumSet.copyOf(GXDLMSClient.getInitialConformance(true));
        expected.remove(Conformance.GENERAL_BLOCK_TRANSFER);

        for (Framing framing : Framing.values()) {
            for (Authentication authentication : Authentication.values()) {
                assertThat(client(framing, authentication).getProposedConformance())
                        .as("%s %s", framing, authentication)
                        .isEqualTo(expected)
                        .doesNotContain(Conformance.GENERAL_BLOCK_TRANSFER);
            }
        }
    }

    @Test
    void clientsShareOneReadOnlyProposedSet() {
        Set<Conformance> first = client(Framing.WRAPPER, Authentication.NONE).getProposedConformance();

        assertThat(client(Framing.WRAPPER, Authentication.NONE).getProposedConformance()).isSameAs(first);
        assertThat(client(Framing.HDLC, Authentication.HIGH_GMAC).getProposedConformance()).isSameAs(first);
        assertThatThrownBy(() -> first.add(Conformance.GENERAL_BLOCK_TRANSFER))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
