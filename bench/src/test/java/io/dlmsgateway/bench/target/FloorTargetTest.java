package io.dlmsgateway.bench.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloorTargetTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] AARQ = HEX.parseHex("0001001000010004" + "60360001");
    private static final byte[] FIRST_POLL = HEX.parseHex("0001001000010005" + "c003c10801");
    private static final byte[] POLL = HEX.parseHex("0001001000010005" + "c003c10401");
    private static final byte[] AARE = HEX.parseHex("0001000100100003" + "612900");
    private static final byte[] REPLY = HEX.parseHex("0001000100100004" + "c403c104");

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void wakesAreRoundedUpToTheResolutionAsTheFleetDoes() {
        assertThat(FloorTarget.wakeMillis(1_000, 10)).isEqualTo(1_000);
        assertThat(FloorTarget.wakeMillis(1_001, 10)).isEqualTo(1_010);
        assertThat(FloorTarget.wakeMillis(1_009, 10)).isEqualTo(1_010);
        assertThat(FloorTarget.wakeMillis(1_003, 1)).isEqualTo(1_003);
        assertThat(FloorTarget.wakeMillis(1_003, 0)).isEqualTo(1_003);
    }

    @Test
    void aLatePollServesItsSlotUnlessAWholeIntervalPassed() {
        assertThat(FloorTarget.slotServed(10_000, 10_004, 5_000)).isEqualTo(10_000);
        assertThat(FloorTarget.slotServed(10_000, 14_999, 5_000)).isEqualTo(10_000);
        // a whole interval late: the slot passed is missed, the poll serves the latest one
        assertThat(FloorTarget.slotServed(10_000, 15_000, 5_000)).isEqualTo(15_000);
        assertThat(FloorTarget.slotServed(10_000, 27_000, 5_000)).isEqualTo(25_000);
    }

    @Test
    void theCaptureGivesTheAarqAndTheSteadyStateRequest() {
        FloorTarget.Capture c = FloorTarget.Capture.of(List.of(AARQ, FIRST_POLL, POLL, POLL),
                concat(AARE, REPLY, REPLY, REPLY), 4);

        assertThat(c.aarq).isEqualTo(AARQ);
        assertThat(c.request).isEqualTo(POLL);
        assertThat(c.aareApduLength).isEqualTo(3);
        assertThat(c.replyApduLength).isEqualTo(4);
        assertThat(c.values).isEqualTo(4);
        assertThat(c.describe()).contains("AARQ 12 B", "GET-with-list 13 B", HEX.formatHex(POLL));
    }

    @Test
    void aRequestThatChangesFromPollToPollIsRefused() {
        byte[] otherInvokeId = POLL.clone();
        otherInvokeId[11] = 0x42;

        assertThatThrownBy(() -> FloorTarget.Capture.of(List.of(AARQ, FIRST_POLL, POLL, otherInvokeId),
                concat(AARE, REPLY, REPLY, REPLY), 4)).hasMessageContaining("changes from poll to poll");
    }

    @Test
    void repliesThatAreNotAnAareAndGetResponsesAreRefused() {
        assertThatThrownBy(() -> FloorTarget.Capture.of(List.of(AARQ, FIRST_POLL, POLL, POLL),
                concat(REPLY, REPLY, REPLY, REPLY), 4)).hasMessageContaining("not AARE");
        assertThatThrownBy(() -> FloorTarget.Capture.of(List.of(AARQ, FIRST_POLL, POLL, POLL),
                concat(AARE, REPLY, REPLY), 4)).hasMessageContaining("captured 3 frames");
    }
}
