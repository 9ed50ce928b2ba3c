package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Issue 11: the profile reply path (capture objects, capture period, entries, the buffer's rows) with fuzzed APDUs,
 * fed in WRAPPER frames to a live {@link DlmsConnection} on an {@link EmbeddedChannel}, as
 * {@link DlmsConnectionRepliesFuzzTest} does for register reads. The read ends with rows or with a
 * {@link DlmsException}, and with nothing else: no exception of Gurux's or of the row decoding, no leaked buffer.
 *
 * <p>Input: byte 0 picks the read (bit 0: by range or by entry); then replies, each a 2-byte big-endian length and
 * that many APDU bytes. A get-response's invoke-id is set to the request's.
 */
class ProfileRepliesFuzzTest {

    private static final ObisCode PROFILE = ObisCode.parse("1.0.99.1.0.255");
    private static final Instant FROM = Instant.parse("2026-11-29T12:00:00Z");

    @FuzzTest(maxDuration = "5s")
    void profileReplies(byte[] input) {
        if (input.length < 1) {
            return;
        }
        long startNanos = System.nanoTime();
        EmbeddedChannel channel = new EmbeddedChannel(new WrapperFrameDecoder());
        DlmsConnection connection = DlmsConnection.unassociated(channel, DlmsClientSettings.builder()
                .maxReplyBytes(DlmsClientSettings.MIN_MAX_REPLY_BYTES).build(), "fuzzed");
        CompletableFuture<ProfileRows> read = (input[0] & 1) == 0
                ? connection.readProfileRange(PROFILE, FROM, FROM.plus(Duration.ofDays(1)), Priority.SCHEDULED)
                : connection.readProfileEntries(PROFILE, 1, 0, Priority.SCHEDULED);
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
            // a hang bound, not a speed goal (see DlmsConnectionRepliesFuzzTest)
            assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).as("time the replies held the loop")
                    .isLessThan(Duration.ofSeconds(5));
            try {
                ProfileRows rows = read.join();
                for (ProfileRow row : rows.rows()) {
                    assertThat(row.values()).hasSize(rows.shape().columns().size());
                }
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
