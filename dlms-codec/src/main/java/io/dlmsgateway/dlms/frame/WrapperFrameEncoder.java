package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes a {@link WrapperFrame} as the IEC 62056-47 header (version 1, source wPort, destination wPort, APDU
 * length; big-endian uint16 each) followed by the APDU.
 *
 * <p>Only {@code WrapperFrame} messages are encoded. A plain {@link ByteBuf} passes through untouched, because
 * Gurux's request builders already return complete wrapper frames and those are written as they are.
 * Stateless, hence sharable.
 */
@ChannelHandler.Sharable
public final class WrapperFrameEncoder extends MessageToByteEncoder<WrapperFrame> {

    static final int VERSION = 0x0001;

    public WrapperFrameEncoder() {
        super(WrapperFrame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, WrapperFrame frame, boolean preferDirect) {
        // exact size: the frame length is known, so never grow the buffer
        int size = WrapperFrameDecoder.HEADER_LENGTH + frame.content().readableBytes();
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, WrapperFrame frame, ByteBuf out) {
        ByteBuf apdu = frame.content();
        out.writeShort(VERSION);
        out.writeShort(frame.sourceWPort());
        out.writeShort(frame.destinationWPort());
        out.writeShort(apdu.readableBytes());
        out.writeBytes(apdu, apdu.readerIndex(), apdu.readableBytes());
    }
}
