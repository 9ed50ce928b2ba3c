package io.dlmsgateway.dlms.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The counters of Gurux's own HIGH_GMAC requests (counter 0x01020304 for the AARQ, then one more per APDU). */
class CipheredRequestsTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static final byte[] WRAPPER_AARQ = hex("000100010001005f605da109060760857405080103a60a040847525830303030"
            + "318a0207808b0760857405080205ac12801035205371795d06015903492f10361623be230421211f30010203043968fe8d1c6d"
            + "cab18e82e6f6984a6fea4d6cb762b691dbf34a36");
    private static final byte[] WRAPPER_GLO_GET = hex("0001000100010020c81e3001020305d34414d514eb5b3f7d3212d9227f9b0b"
            + "ca56b32924eb133b80");
    private static final byte[] HDLC_AARQ = hex("7ea06c02210310b6fbe6e600605da109060760857405080103a60a04084752583030"
            + "3030318a0207808b0760857405080205ac128010073828094c116a186f45536f43295f61be230421211f30010203043968fe8d"
            + "1c6dcab18e82e6f6984a6fea4d6cb762b691dbf34a36a3e87e");
    private static final byte[] HDLC_GLO_GET = hex("7ea02d02210332c033e6e600c81e3001020305d34414d514eb5b3f7d3212d922"
            + "7f9b0bca56b32924eb133b80ead97e");

    @Test
    void readsTheCounterAndTheClientOfAarqAndGloGetOverBothFramings() {
        assertThat(CipheredRequests.counter(WRAPPER_AARQ, Framing.WRAPPER, false)).isEqualTo(0x01020304L);
        assertThat(CipheredRequests.isAarq(WRAPPER_AARQ, Framing.WRAPPER, false)).isTrue();
        assertThat(CipheredRequests.counter(WRAPPER_GLO_GET, Framing.WRAPPER, false)).isEqualTo(0x01020305L);
        assertThat(CipheredRequests.isAarq(WRAPPER_GLO_GET, Framing.WRAPPER, false)).isFalse();
        assertThat(CipheredRequests.clientAddress(WRAPPER_GLO_GET, Framing.WRAPPER)).isEqualTo(1);

        assertThat(CipheredRequests.counter(HDLC_AARQ, Framing.HDLC, false)).isEqualTo(0x01020304L);
        assertThat(CipheredRequests.counter(HDLC_GLO_GET, Framing.HDLC, false)).isEqualTo(0x01020305L);
        assertThat(CipheredRequests.clientAddress(HDLC_GLO_GET, Framing.HDLC)).isEqualTo(1);
        assertThat(CipheredRequests.counter(HDLC_GLO_GET, Framing.HDLC, true)).as("a continuation segment")
                .isEqualTo(CipheredRequests.NONE);
    }

    @Test
    void framesWithoutACipheredApduHaveNoCounter() {
        // an HDLC SNRM (no information field) and a plain WRAPPER get-request
        assertThat(CipheredRequests.counter(hex("7ea00802210393bf327e"), Framing.HDLC, false))
                .isEqualTo(CipheredRequests.NONE);
        assertThat(CipheredRequests.counter(hex("000100100001000dc001c100030100010800ff0200"), Framing.WRAPPER,
                false)).isEqualTo(CipheredRequests.NONE);
        assertThat(CipheredRequests.counter(new byte[0], Framing.WRAPPER, false)).isEqualTo(CipheredRequests.NONE);
    }
}
