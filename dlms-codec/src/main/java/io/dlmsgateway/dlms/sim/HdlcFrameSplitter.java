package io.dlmsgateway.dlms.sim;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts the byte stream into whole HDLC frames (flag to flag, both flags included) so that each reaches the Gurux
 * server alone: Gurux drops whatever follows the first complete frame of a buffer. Length-based, since HDLC over
 * TCP has no byte stuffing and 0x7E can occur inside a frame; a flag shared by two adjacent frames is handed to both.
 */
final class HdlcFrameSplitter extends ByteToMessageDecoder {

    private static final byte FLAG = 0x7E;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            // skip noise and doubled flags up to the flag that opens a frame
            while (in.isReadable() && (in.getByte(in.readerIndex()) != FLAG
                    || in.readableBytes() >= 2 && in.getByte(in.readerIndex() + 1) == FLAG)) {
                in.skipBytes(1);
            }
            if (in.readableBytes() < 3) {
                return;
            }
            int start = in.readerIndex();
            int format = in.getUnsignedByte(start + 1);
            if ((format & 0xF0) != 0xA0) {
                in.skipBytes(1);
                continue;
            }
            int length = ((format & 0x07) << 8) | in.getUnsignedByte(start + 2);
            int frameSize = length + 2;
            if (in.readableBytes() < frameSize) {
                return;
            }
            if (in.getByte(start + frameSize - 1) != FLAG) {
                in.skipBytes(1);
                continue;
            }
            out.add(in.retainedSlice(start, frameSize));
            // keep the closing flag: it may open the next frame
            in.readerIndex(start + frameSize - 1);
        }
    }
}
