package io.dlmsgateway.dlms.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 14, item 10: any byte stream, cut into reads anywhere, gives the HDLC decoder's good frames and nothing
 * else: no exception at all (nothing is fatal to it), every frame flag to flag with its length field's length and a
 * good FCS, no buffer leaked.
 *
 * <p>Input: byte 0 picks the read size (1..64); the rest is the stream.
 */
class HdlcFrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void decode(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int readSize = 1 + (input[0] & 0x3F);
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        FramingCounters counters = new FramingCounters();
        EmbeddedChannel channel = new EmbeddedChannel(new HdlcFrameDecoder(counters));
        List<ByteBuf> released = new ArrayList<>();
        try {
            for (int from = 0; from < stream.length; from += readSize) {
                channel.writeInbound(Unpooled.wrappedBuffer(stream, from, Math.min(readSize, stream.length - from)));
                for (byte[] frame : InboundFeeding.readAll(channel, released)) {
                    int length = (frame[1] & 0x07) << 8 | frame[2] & 0xFF;
                    assertThat(frame.length).isEqualTo(length + 2);
                    assertThat(frame[0]).isEqualTo((byte) 0x7E);
                    assertThat(frame[frame.length - 1]).isEqualTo((byte) 0x7E);
                    int fcs = (frame[frame.length - 2] & 0xFF) << 8 | frame[frame.length - 3] & 0xFF;
                    assertThat(Crc16X25.checksum(frame, 1, length - 2)).isEqualTo(fcs);
                }
            }
            assertThat(channel.isOpen()).as("nothing closes an HDLC stream").isTrue();
        } finally {
            InboundFeeding.finish(channel, released);
        }
    }
}
