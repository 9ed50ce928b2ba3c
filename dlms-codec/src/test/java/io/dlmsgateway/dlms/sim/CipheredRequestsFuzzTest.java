package io.dlmsgateway.dlms.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dlmsgateway.dlms.Framing;
import java.util.Arrays;

/**
 * The simulator's replay protection reads the invocation counter out of every request frame a client sends, before
 * Gurux sees it: any bytes give a counter (0..2^32-1) or {@link CipheredRequests#NONE}, a client address or -1, and
 * never an exception (which would close the meter's connection for a reason other than the frame's).
 *
 * <p>Input: byte 0 picks the framing (bit 0: HDLC) and whether an HDLC frame continues a segmented APDU (bit 1);
 * the rest is the frame. The seeds are Gurux's HIGH_GMAC AARQ and glo-get-request over WRAPPER and HDLC.
 */
class CipheredRequestsFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void counter(byte[] input) {
        if (input.length < 1) {
            return;
        }
        Framing framing = (input[0] & 1) != 0 ? Framing.HDLC : Framing.WRAPPER;
        boolean continuation = (input[0] & 2) != 0;
        byte[] frame = Arrays.copyOfRange(input, 1, input.length);
        long counter = CipheredRequests.counter(frame, framing, continuation);
        assertThat(counter).isBetween(CipheredRequests.NONE, 0xFFFF_FFFFL);
        assertThat(CipheredRequests.clientAddress(frame, framing)).isBetween(-1, 0xFFFF);
        boolean aarq = CipheredRequests.isAarq(frame, framing, continuation);
        if (continuation && framing == Framing.HDLC) {
            assertThat(counter).isEqualTo(CipheredRequests.NONE);
            assertThat(aarq).isFalse();
        }
        CipheredRequests.hdlcSegmented(frame);
    }
}
