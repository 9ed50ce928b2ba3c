package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        long startNanos = System.nanoTime();
        EmbeddedChannel channel = new EmbeddedChannel(new WrapperFrameDecoder());
        DlmsConnection connection = DlmsConnection.unassociated(channel, DlmsClientSettings.builder()
                .maxReplyBytes(DlmsClientSettings.MIN_MAX_REPLY_BYTES).build(), "fuzzed");
        CompletableFuture<?> read = switch (input[0] & 3) {
            case 0 -> connection.readAttribute(DEVICE_ID, 1, 2);
            case 1 -> connection.read(MEASUREMENTS);
            case 2 -> connection.read(MEASUREMENTS.subList(0, 1));
            default -> connection.readAttribute(MeasurementCatalog.CLOCK, 8, 2);
        };
        try {
            int pos = 1;
            while (pos + 2 <= input.length && channel.isActive()) {
                int length = Math.min((input[pos] & 0xFF) << 8 | input[pos + 1] & 0xFF, input.length - pos - 2);
                byte[] apdu = new byte[length];
                System.arraycopy(input, pos + 2, apdu, 0, length);
                pos += 2 + length;
                channel.runPendingTasks();
                ByteBuf request = channel.readOutbound();
                if (request != null) {
                    byte invokeId = request.getByte(10);
                    request.release();
                    if (apdu.length >= 3 && (apdu[0] & 0xFF) == 0xC4) {
                        apdu[2] = invokeId;
                    }
                }
                ByteBuf frame = Unpooled.buffer(8 + apdu.length);
                frame.writeShort(1).writeShort(1).writeShort(16).writeShort(apdu.length).writeBytes(apdu);
                channel.writeInbound(frame); // rethrows whatever left the pipeline unhandled
                channel.runPendingTasks();
                for (Object in; (in = channel.readInbound()) != null; ) {
                    throw new AssertionError("the connection passed a message on: " + in);
                }
            }
            channel.close();
            channel.runPendingTasks();
            assertThat(read).as("every read ends once the connection is closed").isDone();
            // a hang bound, not a speed goal: an input of a few KiB that holds the loop for seconds is Gurux looping
            // on a reply (libFuzzer only notes it as a "slow unit"), which would hold every meter of that loop
            assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).as("time the replies held the loop")
                    .isLessThan(Duration.ofSeconds(5));
            try {
                read.join();
            } catch (CompletionException e) {
                assertThat(e.getCause()).as("only the client's own errors").isInstanceOf(DlmsException.class);
            }
        } finally {
            for (Object out; (out = channel.readOutbound()) != null; ) {
                ByteBufUtil.getBytes((ByteBuf) out);
                ((ByteBuf) out).release();
            }
            channel.finishAndReleaseAll();
        }
    }
}
