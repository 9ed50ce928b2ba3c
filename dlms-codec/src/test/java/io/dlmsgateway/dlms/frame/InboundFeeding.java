package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Feeds bytes into an {@link EmbeddedChannel} the ways TCP may deliver them and collects what comes out. */
final class InboundFeeding {

    private InboundFeeding() {
    }

    /** Writes {@code bytes} as consecutive reads cut at {@code cuts} (ascending offsets). */
    static void write(EmbeddedChannel channel, byte[] bytes, int... cuts) {
        int from = 0;
        for (int cut : cuts) {
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, from, cut)));
            from = cut;
        }
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, from, bytes.length)));
    }

    static void writeByteByByte(EmbeddedChannel channel, byte[] bytes) {
        for (byte b : bytes) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
    }

    /**
     * Drains the channel's inbound messages as byte arrays, releasing each buffer. Emitted frames are slices sharing
     * the decoder's cumulation, so they are only freed once the decoder lets go of it too: {@link #finish} checks.
     */
    static List<byte[]> readAll(EmbeddedChannel channel, List<ByteBuf> released) {
        List<byte[]> frames = new ArrayList<>();
        for (Object message; (message = channel.readInbound()) != null; ) {
            ByteBuf frame = (ByteBuf) message;
            frames.add(ByteBufUtil.getBytes(frame));
            frame.release();
            released.add(frame);
        }
        return frames;
    }

    /** Closes the channel and checks that every frame it emitted has been freed. */
    static void finish(EmbeddedChannel channel, List<ByteBuf> released) {
        channel.finishAndReleaseAll();
        for (ByteBuf frame : released) {
            if (frame.refCnt() != 0) {
                throw new AssertionError("emitted frame not freed: refCnt " + frame.refCnt());
            }
        }
    }

    static byte[] writeOutboundAndRead(EmbeddedChannel channel, Object message) {
        channel.writeOutbound(message);
        ByteBuf encoded = channel.readOutbound();
        try {
            return ByteBufUtil.getBytes(encoded);
        } finally {
            encoded.release();
        }
    }
}
