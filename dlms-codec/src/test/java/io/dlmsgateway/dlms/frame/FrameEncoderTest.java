package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.dlmsgateway.dlms.frame.InboundFeeding.finish;
import static io.dlmsgateway.dlms.frame.InboundFeeding.readAll;
import static io.dlmsgateway.dlms.frame.InboundFeeding.write;
import static io.dlmsgateway.dlms.frame.InboundFeeding.writeOutboundAndRead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Encoders against Gurux's own encoding, and encoder-to-decoder round trips. */
class FrameEncoderTest {

    private final List<ByteBuf> released = new ArrayList<>();
    private final EmbeddedChannel hdlc = new EmbeddedChannel(new HdlcFrameEncoder(), new HdlcFrameDecoder());
    private final EmbeddedChannel wrapper = new EmbeddedChannel(new WrapperFrameEncoder(), new WrapperFrameDecoder());

    @AfterEach
    void tearDown() {
        finish(hdlc, released);
        finish(wrapper, released);
    }

    @Test
    void hdlcEncoderWritesWhatGuruxWrites() throws Exception {
        byte[] aarq = GuruxFrames.hdlcAarq(); // 7E A0 2B 03 21 10 HCS(2) info FCS(2) 7E
        ByteBuf information = Unpooled.wrappedBuffer(Arrays.copyOfRange(aarq, 8, aarq.length - 3));

        byte[] encoded = writeOutboundAndRead(hdlc, new HdlcFrame(1, 16, 0x10, false, information));

        assertThat(encoded).isEqualTo(aarq);
        assertThat(information.refCnt()).as("encoder releases the frame").isZero();
    }

    @Test
    void hdlcEncoderWritesFramesWithoutInformationLikeGurux() throws Exception {
        assertThat(writeOutboundAndRead(hdlc, new HdlcFrame(1, 16, 0x93))).isEqualTo(GuruxFrames.hdlcSnrm());
    }

    @Test
    void hdlcEncoderWritesTwoByteAddressesAndSegmentationLikeGurux() throws Exception {
        byte[] first = GuruxFrames.hdlcSegmentedAarq().get(0); // 7E A8 27 02 23 03 10 HCS info FCS 7E
        ByteBuf information = Unpooled.wrappedBuffer(Arrays.copyOfRange(first, 9, first.length - 3));
        int server = (1 << 7) | 0x11; // GXDLMSClient.getServerAddress(1, 0x11)

        assertThat(writeOutboundAndRead(hdlc, new HdlcFrame(server, 1, 0x10, true, information))).isEqualTo(first);
    }

    @Test
    void hdlcRoundTripThroughTheDecoder() {
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 0x7E);
        byte[] encoded = writeOutboundAndRead(hdlc,
                new HdlcFrame(0x3FFF, 0x0ABCDEF, 0x32, true, Unpooled.wrappedBuffer(payload)));

        write(hdlc, encoded, 3, 500);

        List<byte[]> decoded = readAll(hdlc, released);
        assertThat(decoded).containsExactly(encoded);
        assertThat(decoded.get(0)[1] & 0xFF).isEqualTo(0xA8 | (encoded.length - 2) >> 8);
    }

    @Test
    void hdlcFrameRejectsWhatTheLengthFieldCannotHold() {
        ByteBuf information = Unpooled.buffer(2048).writeZero(2048);
        try {
            assertThatThrownBy(() -> new HdlcFrame(1, 16, 0x10, false, information))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            information.release();
        }
    }

    @Test
    void wrapperEncoderWritesWhatGuruxWrites() throws Exception {
        byte[] aarq = GuruxFrames.wrapperAarq();
        ByteBuf apdu = Unpooled.wrappedBuffer(Arrays.copyOfRange(aarq, 8, aarq.length));

        assertThat(writeOutboundAndRead(wrapper, new WrapperFrame(16, 1, apdu))).isEqualTo(aarq);
        assertThat(apdu.refCnt()).isZero();
    }

    @Test
    void wrapperRoundTripThroughTheDecoder() {
        byte[] apdu = new byte[1024];
        Arrays.fill(apdu, (byte) 0x5A);
        byte[] encoded = writeOutboundAndRead(wrapper, new WrapperFrame(1, 16, Unpooled.wrappedBuffer(apdu)));

        write(wrapper, encoded, 7, 9);

        assertThat(readAll(wrapper, released)).containsExactly(encoded);
        assertThat(Arrays.copyOfRange(encoded, 0, 8)).containsExactly(0, 1, 0, 1, 0, 16, 4, 0);
    }

    @Test
    void rawBuffersPassThroughBothEncodersUntouched() throws Exception {
        // Gurux frames its requests itself; the encoders must let those through as they are
        byte[] guruxHdlc = GuruxFrames.hdlcAarq();
        byte[] guruxWrapper = GuruxFrames.wrapperAarq();
        ByteBuf rawHdlc = Unpooled.wrappedBuffer(guruxHdlc);
        ByteBuf rawWrapper = Unpooled.wrappedBuffer(guruxWrapper);

        hdlc.writeOutbound(rawHdlc);
        wrapper.writeOutbound(rawWrapper);

        ByteBuf outHdlc = hdlc.readOutbound();
        ByteBuf outWrapper = wrapper.readOutbound();
        assertThat(outHdlc).isSameAs(rawHdlc);
        assertThat(outWrapper).isSameAs(rawWrapper);
        assertThat(ByteBufUtil.getBytes(outHdlc)).isEqualTo(guruxHdlc);
        outHdlc.release();
        outWrapper.release();
    }
}
