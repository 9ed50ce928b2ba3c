package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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

class HdlcFrameDecoderTest {

    private final List<ByteBuf> released = new ArrayList<>();
    private FramingCounters counters;
    private EmbeddedChannel channel;
    private byte[] snrm;
    private byte[] aarq;
    private byte[] read;

    @BeforeEach
    void setUp() throws Exception {
        counters = new FramingCounters();
        channel = new EmbeddedChannel(new HdlcFrameDecoder(counters));
        snrm = GuruxFrames.hdlcSnrm();
        aarq = GuruxFrames.hdlcAarq();
        read = GuruxFrames.hdlcReadEnergy();
    }

    @AfterEach
    void tearDown() {
        finish(channel, released);
    }

    @Test
    void emitsGuruxFramesWholeFromFlagToFlag() {
        write(channel, aarq);

        assertThat(readAll(channel, released)).containsExactly(aarq);
        assertThat(counters.droppedFrames()).isZero();
        assertThat(counters.skippedBytes()).isZero();
    }

    @Test
    void emitsFrameFedByteByByte() {
        writeByteByByte(channel, GuruxFrames.concat(snrm, aarq));

        assertThat(readAll(channel, released)).containsExactly(snrm, aarq);
    }

    @Test
    void emitsThreeFramesArrivingInOneRead() {
        write(channel, GuruxFrames.concat(snrm, aarq, read));

        assertThat(readAll(channel, released)).containsExactly(snrm, aarq, read);
    }

    @Test
    void emitsFramesSplitAtEveryByteOffset() {
        byte[] stream = GuruxFrames.concat(snrm, withFlagInInformation(), read);
        for (int cut = 1; cut < stream.length; cut++) {
            List<ByteBuf> freed = new ArrayList<>();
            EmbeddedChannel split = new EmbeddedChannel(new HdlcFrameDecoder());
            write(split, stream, cut);

            assertThat(readAll(split, freed)).as("cut at %d", cut)
                    .containsExactly(snrm, withFlagInInformation(), read);
            finish(split, freed);
        }
    }

    @Test
    void acceptsFramesSharingOneFlag() {
        // 7E snrm 7E aarq 7E read 7E: each closing flag opens the next frame
        byte[] shared = GuruxFrames.concat(snrm, withoutOpeningFlag(aarq), withoutOpeningFlag(read));

        write(channel, shared);

        assertThat(readAll(channel, released)).containsExactly(snrm, aarq, read);
        assertThat(counters.skippedBytes()).isZero();
    }

    @Test
    void acceptsSharedFlagsFedByteByByte() {
        writeByteByByte(channel, GuruxFrames.concat(snrm, withoutOpeningFlag(aarq)));

        assertThat(readAll(channel, released)).containsExactly(snrm, aarq);
    }

    @Test
    void acceptsRepeatedFlagsBetweenFrames() {
        write(channel, GuruxFrames.concat(new byte[] {0x7E, 0x7E}, snrm, new byte[] {0x7E}, aarq));

        assertThat(readAll(channel, released)).containsExactly(snrm, aarq);
        assertThat(counters.skippedBytes()).isZero();
        assertThat(counters.droppedFrames()).isZero();
    }

    @Test
    void treatsFlagBytesInsideTheFrameAsData() {
        byte[] frame = withFlagInInformation();

        writeByteByByte(channel, GuruxFrames.concat(frame, snrm));

        assertThat(readAll(channel, released)).containsExactly(frame, snrm);
        assertThat(counters.droppedFrames()).isZero();
    }

    @Test
    void skipsAndCountsGarbageBeforeAFrame() {
        write(channel, GuruxFrames.concat(new byte[] {0x01, 0x02, (byte) 0xA0, 0x03}, snrm));

        assertThat(readAll(channel, released)).containsExactly(snrm);
        assertThat(counters.skippedBytes()).isEqualTo(4);
        assertThat(counters.droppedFrames()).isZero();
    }

    @Test
    void skipsGarbageBetweenFrames() {
        writeByteByByte(channel, GuruxFrames.concat(snrm, new byte[] {0x11, 0x22, 0x33}, aarq));

        assertThat(readAll(channel, released)).containsExactly(snrm, aarq);
        assertThat(counters.skippedBytes()).isEqualTo(3);
    }

    @Test
    void dropsAndCountsFrameWithBadHcsThenDeliversTheNext() {
        byte[] corrupt = aarq.clone();
        int hcsIndex = 1 + 2 + 1 + 1 + 1; // after flag, format (2), server 03, client 21, control
        corrupt[hcsIndex] ^= 0x01;

        write(channel, GuruxFrames.concat(corrupt, read));

        assertThat(readAll(channel, released)).containsExactly(read);
        assertThat(counters.droppedFrames()).isEqualTo(1);
    }

    @Test
    void dropsAndCountsFrameWithBadFcsThenDeliversTheNext() {
        byte[] corrupt = aarq.clone();
        corrupt[corrupt.length - 2] ^= 0x40;

        writeByteByByte(channel, GuruxFrames.concat(corrupt, read));

        assertThat(readAll(channel, released)).containsExactly(read);
        assertThat(counters.droppedFrames()).isEqualTo(1);
    }

    @Test
    void dropsFrameWithDamagedInformationSharingItsClosingFlag() {
        byte[] corrupt = aarq.clone();
        corrupt[20] ^= 0x10;

        write(channel, GuruxFrames.concat(corrupt, withoutOpeningFlag(read)));

        assertThat(readAll(channel, released)).containsExactly(read);
        assertThat(counters.droppedFrames()).isEqualTo(1);
    }

    @Test
    void dropsFrameWhoseClosingByteIsNotAFlagThenDeliversTheNext() {
        byte[] corrupt = aarq.clone();
        corrupt[corrupt.length - 1] = 0x00;

        write(channel, GuruxFrames.concat(corrupt, read));

        assertThat(readAll(channel, released)).containsExactly(read);
        assertThat(counters.droppedFrames()).isEqualTo(1);
    }

    @Test
    void findsTheNextFrameInsideOneWhoseLengthIsTooLong() {
        // length field claims 0x7FF: the real frames behind it must still come through once that much has arrived
        byte[] lying = {0x7E, (byte) 0xA7, (byte) 0xFF, 0x03, 0x21, 0x10};
        byte[] padding = new byte[2100];

        write(channel, GuruxFrames.concat(lying, snrm, aarq, padding, read));

        assertThat(readAll(channel, released)).containsExactly(snrm, aarq, read);
        assertThat(counters.droppedFrames()).isEqualTo(1);
    }

    @Test
    void dropsFramesLongerThanTheConfiguredMaximum() {
        EmbeddedChannel small = new EmbeddedChannel(new HdlcFrameDecoder(counters, 16));
        List<ByteBuf> freed = new ArrayList<>();

        write(small, GuruxFrames.concat(aarq, snrm));

        assertThat(readAll(small, freed)).containsExactly(snrm);
        assertThat(counters.droppedFrames()).isEqualTo(1);
        finish(small, freed);
    }

    @Test
    void passesSegmentedFramesOnOneByOne() throws Exception {
        List<byte[]> segments = GuruxFrames.hdlcSegmentedAarq();
        assertThat(segments).hasSize(2);
        assertThat(segments.get(0)[1] & 0xF8).as("first segment has the segmentation bit").isEqualTo(0xA8);

        writeByteByByte(channel, GuruxFrames.concat(segments.toArray(new byte[0][])));

        assertThat(readAll(channel, released)).containsExactlyElementsOf(segments);
    }

    @Test
    void countersCanBeSharedAcrossChannels() {
        EmbeddedChannel other = new EmbeddedChannel(new HdlcFrameDecoder(counters));
        List<ByteBuf> freed = new ArrayList<>();

        write(channel, GuruxFrames.concat(new byte[] {0x01}, snrm));
        write(other, GuruxFrames.concat(new byte[] {0x02, 0x03}, snrm));

        assertThat(readAll(channel, released)).hasSize(1);
        assertThat(readAll(other, freed)).hasSize(1);
        assertThat(counters.skippedBytes()).isEqualTo(3);
        finish(other, freed);
    }

    @Test
    void frameCheckSequenceIsCrc16X25() {
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Crc16X25.checksum(check, 0, check.length)).isEqualTo(0x906E);
        ByteBuf direct = Unpooled.directBuffer().writeBytes(check);
        try {
            assertThat(Crc16X25.checksum(direct, 0, check.length)).isEqualTo(0x906E);
        } finally {
            direct.release();
        }
        // Gurux's SNRM: FCS over format..control, sent LSB first
        assertThat(Crc16X25.checksum(snrm, 1, 5)).isEqualTo((snrm[7] & 0xFF) << 8 | (snrm[6] & 0xFF));
    }

    /** An I-frame from server 1 to client 16 whose information field holds flags, even a fake frame start. */
    static byte[] withFlagInInformation() {
        byte[] information = {(byte) 0xE6, (byte) 0xE7, 0x00, 0x7E, 0x7E, (byte) 0xA0, 0x07, 0x7E, 0x11, 0x7E};
        EmbeddedChannel encoder = new EmbeddedChannel(new HdlcFrameEncoder());
        try {
            return InboundFeeding.writeOutboundAndRead(encoder,
                    new HdlcFrame(16, 1, 0x30, false, Unpooled.wrappedBuffer(information)));
        } finally {
            encoder.finishAndReleaseAll();
        }
    }

    private static byte[] withoutOpeningFlag(byte[] frame) {
        return Arrays.copyOfRange(frame, 1, frame.length);
    }
}
