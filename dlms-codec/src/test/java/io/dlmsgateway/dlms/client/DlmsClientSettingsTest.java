package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Authentication;
import org.junit.jupiter.api.Test;

class DlmsClientSettingsTest {

    @Test
    void clientAddressFollowsTheAuthenticationUnlessGiven() {
        assertThat(DlmsClientSettings.builder().build().clientAddress()).isEqualTo(16);
        assertThat(DlmsClientSettings.builder().authentication(Authentication.LOW).password("x").build()
                .clientAddress()).isEqualTo(1);
        assertThat(DlmsClientSettings.builder().authentication(Authentication.HIGH_GMAC).build().clientAddress())
                .isEqualTo(DlmsClientSettings.MANAGEMENT_CLIENT_ADDRESS);
        assertThat(DlmsClientSettings.builder().authentication(Authentication.LOW).password("x").clientAddress(32)
                .build().clientAddress()).isEqualTo(32);
        assertThat(DlmsClientSettings.defaultClientAddress(Authentication.NONE))
                .isEqualTo(DlmsClientSettings.PUBLIC_CLIENT_ADDRESS);
    }

    @Test
    void aDerivedBuilderKeepsAGivenAddressAndLetsADefaultOneFollow() {
        DlmsClientSettings defaulted = DlmsClientSettings.builder().build();
        assertThat(defaulted.toBuilder().authentication(Authentication.HIGH_GMAC).build().clientAddress())
                .isEqualTo(1);
        DlmsClientSettings given = DlmsClientSettings.builder().clientAddress(16).build();
        assertThat(given.toBuilder().authentication(Authentication.HIGH_GMAC).build().clientAddress())
                .isEqualTo(16);
    }
}
