package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes an {@link HdlcFrame} as {@code 7E, format, length, destination, source, control, [HCS, information], FCS,
 * 7E}, with checksums in {@link Crc16X25} sent least significant byte first.
 *
 * <p>Only {@code HdlcFrame} messages are encoded. A plain {@link ByteBuf} passes through untouched, because
 * Gurux's request builders already return complete HDLC frames. Every frame gets both its own flags; receivers
 * (including {@link HdlcFrameDecoder}) accept doubled flags as well as shared ones. Stateless, hence sharable.
 */
@ChannelHandler.Sharable
public final class HdlcFrameEncoder extends MessageToByteEncoder<HdlcFrame> {

    static final int FLAG = 0x7E;
    static final int FORMAT_TYPE_3 = 0xA0;
    static final int FORMAT_SEGMENTED = 0x08;

    public HdlcFrameEncoder() {
        super(HdlcFrame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, HdlcFrame frame, boolean preferDirect) {
        int size = frame.lengthField() + 2;
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, HdlcFrame frame, ByteBuf out) {
        int length = frame.lengthField();
        int start = out.writerIndex();
        out.writeByte(FLAG);
        int format = FORMAT_TYPE_3 | (frame.isSegmented() ? FORMAT_SEGMENTED : 0) | (length >> 8);
        out.writeByte(format);
        out.writeByte(length & 0xFF);
        writeAddress(out, frame.destinationAddress());
        writeAddress(out, frame.sourceAddress());
        out.writeByte(frame.control());
        ByteBuf information = frame.content();
        if (information.isReadable()) {
            out.writeShortLE(Crc16X25.checksum(out, start + 1, out.writerIndex() - start - 1));
            out.writeBytes(information, information.readerIndex(), information.readableBytes());
        }
        out.writeShortLE(Crc16X25.checksum(out, start + 1, out.writerIndex() - start - 1));
        out.writeByte(FLAG);
    }

    /**
     * HDLC address encoding: 7 bits per byte, most significant group first, least significant bit set on the last
     * byte only. A 4-byte address splits a 28-bit value as upper/lower 14-bit halves, which is the same thing.
     */
    private static void writeAddress(ByteBuf out, int address) {
        int bytes = HdlcFrame.encodedAddressLength(address);
        for (int i = bytes - 1; i >= 0; i--) {
            int group = (address >>> (7 * i)) & 0x7F;
            out.writeByte(group << 1 | (i == 0 ? 1 : 0));
        }
    }
}
