package io.dlmsgateway.dlms.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 14, item 10: any byte stream, cut into reads anywhere, gives the WRAPPER decoder's frames or its own
 * {@link DecoderException} (version or length refused), nothing else; no frame longer than the bound; no buffer
 * leaked (the paranoid leak detector runs for every test).
 *
 * <p>Input: byte 0 picks the read size (1..64), byte 1 the APDU bound (its value x 256, 0..65280); the rest is the
 * stream.
 */
class WrapperFrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void decode(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int readSize = 1 + (input[0] & 0x3F);
        int maxApdu = (input[1] & 0xFF) << 8;
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        EmbeddedChannel channel = new EmbeddedChannel(new WrapperFrameDecoder(maxApdu));
        List<ByteBuf> released = new ArrayList<>();
        try {
            for (int from = 0; from < stream.length && channel.isOpen(); from += readSize) {
                try {
                    channel.writeInbound(Unpooled.wrappedBuffer(stream, from,
                            Math.min(readSize, stream.length - from)));
                } catch (DecoderException expected) {
                    assertThat(channel.isOpen()).as("a refused stream closes the channel").isFalse();
                }
                for (byte[] frame : InboundFeeding.readAll(channel, released)) {
                    assertThat(frame.length).isBetween(8, 8 + maxApdu);
                    assertThat((frame[0] & 0xFF) << 8 | frame[1] & 0xFF).isEqualTo(1);
                    assertThat((frame[6] & 0xFF) << 8 | frame[7] & 0xFF).isEqualTo(frame.length - 8);
                }
            }
        } finally {
            InboundFeeding.finish(channel, released);
        }
    }
}
