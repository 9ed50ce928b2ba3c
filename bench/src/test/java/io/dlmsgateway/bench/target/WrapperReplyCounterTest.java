package io.dlmsgateway.bench.target;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WrapperReplyCounterTest {

    /** A GET-Response-With-List of two long-unsigned values, wPorts 1 → 16. */
    private static final byte[] REPLY = HexFormat.of().parseHex("00010001001000" + "0d"
            + "c403c1020000120903" + "00120032");
    /** An AARE's first bytes behind its header (length 3, as far as the counter cares). */
    private static final byte[] AARE = HexFormat.of().parseHex("0001000100100003" + "612900");

    @Test
    void countsAWholeFrameAndKeepsItsTagAndLength() {
        WrapperReplyCounter counter = new WrapperReplyCounter();

        assertThat(counter.feed(REPLY)).isEqualTo(1);
        assertThat(counter.lastTag()).isEqualTo(0xC4);
        assertThat(counter.lastApduLength()).isEqualTo(13);
        assertThat(counter.midFrame()).isFalse();
    }

    @Test
    void aFrameSplitAtEveryByteCountsOnceAtItsLastByte() {
        WrapperReplyCounter counter = new WrapperReplyCounter();

        for (int i = 0; i < REPLY.length - 1; i++) {
            assertThat(counter.feed(new byte[] {REPLY[i]})).as("byte %d", i).isZero();
            assertThat(counter.midFrame()).isTrue();
        }
        assertThat(counter.feed(new byte[] {REPLY[REPLY.length - 1]})).isEqualTo(1);
        assertThat(counter.lastTag()).isEqualTo(0xC4);
        assertThat(counter.midFrame()).isFalse();
    }

    @Test
    void aSplitInsideTheHeaderOrRightAfterItKeepsTheTag() {
        for (int cut = 1; cut < REPLY.length; cut++) {
            WrapperReplyCounter counter = new WrapperReplyCounter();

            assertThat(counter.feed(Arrays.copyOfRange(REPLY, 0, cut))).isZero();
            assertThat(counter.feed(Arrays.copyOfRange(REPLY, cut, REPLY.length))).as("cut at %d", cut).isEqualTo(1);
            assertThat(counter.lastTag()).isEqualTo(0xC4);
        }
    }

    @Test
    void severalFramesInOneReadAndAFrameStartedAtItsEnd() {
        WrapperReplyCounter counter = new WrapperReplyCounter();
        ByteBuf in = Unpooled.wrappedBuffer(AARE, REPLY, Arrays.copyOfRange(REPLY, 0, 5));

        assertThat(counter.feed(in)).isEqualTo(2);
        assertThat(in.isReadable()).isFalse();
        assertThat(counter.lastTag()).isEqualTo(0xC4);
        assertThat(counter.midFrame()).isTrue();
        assertThat(counter.feed(Arrays.copyOfRange(REPLY, 5, REPLY.length))).isEqualTo(1);
    }

    @Test
    void anEmptyApduIsAFrame() {
        WrapperReplyCounter counter = new WrapperReplyCounter();

        assertThat(counter.feed(HexFormat.of().parseHex("0001000100100000"))).isEqualTo(1);
        assertThat(counter.lastTag()).isEqualTo(-1);
        assertThat(counter.lastApduLength()).isZero();
    }

    @Test
    void anotherVersionBreaksTheCounterForGood() {
        WrapperReplyCounter counter = new WrapperReplyCounter();
        byte[] bad = REPLY.clone();
        bad[1] = 2;

        assertThat(counter.feed(bad)).isEqualTo(WrapperReplyCounter.CORRUPT);
        assertThat(counter.feed(REPLY)).isEqualTo(WrapperReplyCounter.CORRUPT);
    }

    @Test
    void splitsACapturedStreamIntoFramesDroppingATrailingPart() {
        byte[] stream = new byte[AARE.length + REPLY.length + 4];
        System.arraycopy(AARE, 0, stream, 0, AARE.length);
        System.arraycopy(REPLY, 0, stream, AARE.length, REPLY.length);
        System.arraycopy(REPLY, 0, stream, AARE.length + REPLY.length, 4);

        assertThat(WrapperReplyCounter.frames(stream)).containsExactly(AARE, REPLY);
    }
}
