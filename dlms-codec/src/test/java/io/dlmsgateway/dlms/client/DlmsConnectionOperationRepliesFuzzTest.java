package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dlmsgateway.dlms.Axdr;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
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
 * Replies built from fuzzed APDUs to the typed operations ({@link DlmsConnection#get}, with and without selective
 * access, {@link DlmsConnection#set}, {@link DlmsConnection#invoke}), fed in WRAPPER frames to a live connection on an
 * {@link EmbeddedChannel} as {@link DlmsConnectionRepliesFuzzTest} does: each operation ends with a value (that
 * encodes back to A-XDR), an empty return or a {@link DlmsException}, and with nothing else: no exception of Gurux's
 * or of the A-XDR decoder, no error out of the pipeline, no leaked buffer.
 *
 * <p>Input: byte 0 picks the operation (GET, GET with selective access, SET, ACTION); then replies, each a 2-byte
 * big-endian length and that many APDU bytes. A get-, set- or action-response's invoke-id is set to the request's.
 */
class DlmsConnectionOperationRepliesFuzzTest {

    private static final CosemAttribute PERIOD = new CosemAttribute(1, ObisCode.parse("1.0.0.8.0.255"), 2);
    private static final CosemAttribute BUFFER = new CosemAttribute(7, ObisCode.parse("1.0.99.1.0.255"), 2);
    private static final SelectiveAccess LAST_ROW = new SelectiveAccess(2, DlmsValue.structure(List.of(
            DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 1), DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 0),
            DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1), DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0))));
    private static final CosemMethod REMOTE_DISCONNECT = new CosemMethod(70, ObisCode.parse("0.0.96.3.10.255"), 1);

    @FuzzTest(maxDuration = "5s")
    void operationReplies(byte[] input) {
        if (input.length < 1) {
            return;
        }
        long startNanos = System.nanoTime();
        EmbeddedChannel channel = new EmbeddedChannel(new WrapperFrameDecoder());
        DlmsConnection connection = DlmsConnection.unassociated(channel, DlmsClientSettings.builder()
                .maxReplyBytes(DlmsClientSettings.MIN_MAX_REPLY_BYTES).build(), "fuzzed");
        CompletableFuture<?> read = switch (input[0] & 3) {
            case 0 -> connection.get(PERIOD, null, Priority.ON_DEMAND);
            case 1 -> connection.get(BUFFER, LAST_ROW, Priority.ON_DEMAND);
            case 2 -> connection.set(PERIOD, DlmsValue.integer(DlmsType.LONG_UNSIGNED, 900), Priority.ON_DEMAND);
            default -> connection.invoke(REMOTE_DISCONNECT, DlmsValue.integer(DlmsType.INTEGER, 0),
                    Priority.ON_DEMAND);
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
                    int tag = apdu.length >= 3 ? apdu[0] & 0xFF : 0;
                    if (tag == 0xC4 || tag == 0xC5 || tag == 0xC7) {
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
                return;
            }
            Object outcome = read.join();
            // what comes out is a value as Axdr made it: it encodes back to A-XDR without complaint
            if (outcome instanceof DlmsValue value) {
                Axdr.encode(value);
            } else if (outcome instanceof java.util.Optional<?> returned && returned.isPresent()) {
                Axdr.encode((DlmsValue) returned.get());
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
