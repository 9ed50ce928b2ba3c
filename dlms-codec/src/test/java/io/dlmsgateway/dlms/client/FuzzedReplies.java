package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What the reply fuzzers share: a live {@link DlmsConnection} on an {@link EmbeddedChannel} (WRAPPER framing, no
 * association: the Gurux client keeps its defaults), fed the replies a fuzz input holds, one after each request it
 * writes (and the rest as unsolicited data), then closed; the read must have ended promptly with a value or with one
 * of the client's own errors, with nothing passed on out of the pipeline and no buffer leaked.
 *
 * <p>Replies in the input: from byte 1 on, each a 2-byte big-endian length and that many APDU bytes.
 */
final class FuzzedReplies implements AutoCloseable {

    private final long startNanos = System.nanoTime();
    private final EmbeddedChannel channel = new EmbeddedChannel(new WrapperFrameDecoder());
    final DlmsConnection connection = DlmsConnection.unassociated(channel, DlmsClientSettings.builder()
            .maxReplyBytes(DlmsClientSettings.MIN_MAX_REPLY_BYTES).build(), "fuzzed");

    /**
     * Feeds the input's replies. A reply whose tag is one of {@code invokeIdTags} gets the invoke-id of the request
     * before it, so that the fuzzer gets past Gurux's check of it.
     */
    void feed(byte[] input, int... invokeIdTags) {
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
                int tag = apdu.length >= 3 ? apdu[0] & 0xFF : -1;
                for (int t : invokeIdTags) {
                    if (tag == t) {
                        apdu[2] = invokeId;
                    }
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
    }

    /**
     * Closes the connection and checks that {@code read} ended, and soon enough.
     *
     * @return the read's value, or null when it ended with one of the client's own errors
     */
    <T> T end(CompletableFuture<T> read) {
        channel.close();
        channel.runPendingTasks();
        assertThat(read).as("every read ends once the connection is closed").isDone();
        // a hang bound, not a speed goal: an input of a few KiB that holds the loop for seconds is Gurux looping on a
        // reply (libFuzzer only notes it as a "slow unit"), which would hold every meter of that loop
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).as("time the replies held the loop")
                .isLessThan(Duration.ofSeconds(5));
        try {
            return read.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).as("only the client's own errors").isInstanceOf(DlmsException.class);
            return null;
        }
    }

    /** Releases what the connection wrote and whatever is left in the channel. */
    @Override
    public void close() {
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBufUtil.getBytes((ByteBuf) out);
            ((ByteBuf) out).release();
        }
        channel.finishAndReleaseAll();
    }
}
