package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.dlmsgateway.dlms.frame.InboundFeeding.finish;
import static io.dlmsgateway.dlms.frame.InboundFeeding.readAll;
import static io.dlmsgateway.dlms.frame.InboundFeeding.write;
import static io.dlmsgateway.dlms.frame.InboundFeeding.writeByteByByte;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WrapperFrameDecoderTest {

    private final List<ByteBuf> released = new ArrayList<>();
    private EmbeddedChannel channel;
    private byte[] aarq;
    private byte[] read;

    @BeforeEach
    void setUp() throws Exception {
        channel = new EmbeddedChannel(new WrapperFrameDecoder());
        aarq = GuruxFrames.wrapperAarq();
        read = GuruxFrames.wrapperReadEnergy();
    }

    @AfterEach
    void tearDown() {
        finish(channel, released);
    }

    @Test
    void emitsGuruxFrameWholeWithHeader() {
        write(channel, aarq);

        assertThat(readAll(channel, released)).containsExactly(aarq);
    }

    @Test
    void emitsFramesFedByteByByte() {
        writeByteByByte(channel, GuruxFrames.concat(aarq, read));

        assertThat(readAll(channel, released)).containsExactly(aarq, read);
    }

    @Test
    void emitsThreeFramesArrivingInOneRead() {
        write(channel, GuruxFrames.concat(read, aarq, read));

        assertThat(readAll(channel, released)).containsExactly(read, aarq, read);
    }

    @Test
    void emitsFramesSplitAtEveryByteOffset() {
        byte[] stream = GuruxFrames.concat(aarq, read, emptyApdu());
        for (int cut = 1; cut < stream.length; cut++) {
            List<ByteBuf> freed = new ArrayList<>();
            EmbeddedChannel split = new EmbeddedChannel(new WrapperFrameDecoder());
            write(split, stream, cut);

            assertThat(readAll(split, freed)).as("cut at %d", cut).containsExactly(aarq, read, emptyApdu());
            finish(split, freed);
        }
    }

    @Test
    void emittedFramesAreSlicesFreedWithTheCumulation() {
        write(channel, GuruxFrames.concat(aarq, Arrays.copyOf(read, 5)));
        ByteBuf frame = channel.readInbound();

        assertThat(frame.refCnt()).isPositive();
        frame.release();
        released.add(frame); // finish() checks it reaches 0 once the decoder drops the partial second frame
    }

    @Test
    void failsAndClosesOnUnknownVersionAndDiscardsTheRest() {
        byte[] badVersion = aarq.clone();
        badVersion[1] = 0x02;

        assertThatThrownBy(() -> write(channel, GuruxFrames.concat(read, badVersion, read)))
                .isInstanceOf(CorruptedFrameException.class)
                .isInstanceOf(DecoderException.class)
                .hasMessageContaining("version 2");

        assertThat(readAll(channel, released)).as("only the frame before the bad one").containsExactly(read);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void failsOnOversizeLengthAsSoonAsTheHeaderArrives() {
        EmbeddedChannel limited = new EmbeddedChannel(new WrapperFrameDecoder(1024));
        List<ByteBuf> freed = new ArrayList<>();
        byte[] header = {0x00, 0x01, 0x00, 0x10, 0x00, 0x01, 0x04, 0x01}; // APDU length 1025

        // only the 8 header bytes are sent: the decoder must not wait for (or buffer) the announced body
        assertThatThrownBy(() -> write(limited, header))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("1025");

        assertThat(limited.isOpen()).isFalse();
        assertThat(readAll(limited, freed)).isEmpty();
        finish(limited, freed);
    }

    @Test
    void acceptsApduOfExactlyTheMaximum() {
        EmbeddedChannel limited = new EmbeddedChannel(new WrapperFrameDecoder(1024));
        List<ByteBuf> freed = new ArrayList<>();
        byte[] frame = new byte[8 + 1024];
        frame[1] = 0x01;
        frame[6] = 0x04;

        write(limited, frame, 100, 600);

        assertThat(readAll(limited, freed)).containsExactly(frame);
        finish(limited, freed);
    }

    @Test
    void rejectsMaximumBeyondTheLengthField() {
        assertThatThrownBy(() -> new WrapperFrameDecoder(WrapperFrameDecoder.DEFAULT_MAX_APDU_LENGTH + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsAPartialFrameUntilTheRestArrives() {
        write(channel, Arrays.copyOf(aarq, aarq.length - 1));
        assertThat(readAll(channel, released)).isEmpty();

        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {aarq[aarq.length - 1]}));

        assertThat(readAll(channel, released)).containsExactly(aarq);
    }

    private static byte[] emptyApdu() {
        return new byte[] {0x00, 0x01, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00};
    }
}
