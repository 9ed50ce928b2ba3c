package io.dlmsgateway.dlms.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Issue 14, item 10: replies built from fuzzed APDUs, fed in WRAPPER frames to a live {@link DlmsConnection} on an
 * {@link EmbeddedChannel} (no association: the Gurux client keeps its defaults), one after each request it writes
 * (and the rest as unsolicited data). The read ends with its values and refusals or with a {@link DlmsException}, and
 * with nothing else: no exception of Gurux's, no error out of the pipeline, no leaked buffer, no reply held beyond
 * {@code maxReplyBytes}.
 *
 * <p>Input: byte 0 picks the read (a data object's attribute, a read of a register, the clock and a data object, or
 * the clock's time); then replies, each a 2-byte big-endian length and that many APDU bytes. A get-response's
 * invoke-id is set to the request's, so that the fuzzer gets past Gurux's check of it.
 */
class DlmsConnectionRepliesFuzzTest {

    private static final ObisCode DEVICE_ID = ObisCode.parse("0.0.96.1.0.255");
    private static final List<Measurement> MEASUREMENTS = List.of(
            MeasurementCatalog.byName("voltage_l1").orElseThrow(),
            Measurement.parse("8/0.0.1.0.0.255/2"),
            Measurement.parse("1/0.0.96.1.0.255/2"));

    @FuzzTest(maxDuration = "5s")
    void replies(byte[] input) {
        if (input.length < 1) {
            return;
        }
        try (FuzzedReplies replies = new FuzzedReplies()) {
            DlmsConnection connection = replies.connection;
            CompletableFuture<?> read = switch (input[0] & 3) {
                case 0 -> connection.readAttribute(DEVICE_ID, 1, 2);
                case 1 -> connection.read(MEASUREMENTS);
                case 2 -> connection.read(MEASUREMENTS.subList(0, 1));
                default -> connection.readAttribute(MeasurementCatalog.CLOCK, 8, 2);
            };
            replies.feed(input, 0xC4);
            replies.end(read);
        }
    }
}
