package io.dlmsgateway.bench;

import io.dlmsgateway.dlms.frame.HdlcFrame;
import io.dlmsgateway.dlms.frame.HdlcFrameDecoder;
import io.dlmsgateway.dlms.frame.HdlcFrameEncoder;
import io.dlmsgateway.dlms.frame.WrapperFrame;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.dlmsgateway.dlms.frame.WrapperFrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Decode throughput of the frame decoders: one operation is one frame delivered by the decoder.
 *
 * <p>Frames go through a real pipeline of an {@link EmbeddedChannel} ({@code fireChannelRead}, skipping the
 * embedded channel's own inbound queue) into a sink that releases them, so cumulation, slicing and reference
 * counting are all measured. {@code chunk = 0} feeds each frame as one read; a positive chunk feeds it in reads of
 * that many bytes, as a slow meter or a serial-to-IP converter delivers it, which makes the decoder cumulate.
 * The {@code bytes} secondary result is the same run expressed in wire bytes per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class FrameDecodeBenchmark {

    /** GET.response-normal to a class 3 register, attribute 2: double-long-unsigned 2330. */
    private static final byte[] REGISTER_RESPONSE_APDU = {
            (byte) 0xC4, 0x01, (byte) 0xC1, 0x00, 0x06, 0x00, 0x00, 0x09, 0x1A};
    /** LLC header of a response on HDLC: destination and source LSAP, quality. */
    private static final byte[] LLC_RESPONSE = {(byte) 0xE6, (byte) 0xE7, 0x00};
    private static final int CLIENT = 16;
    private static final int SERVER = 1;
    private static final int I_FRAME_CONTROL = 0x30;

    public enum Framing { WRAPPER, HDLC }

    public enum Payload {
        /** A single register value, the gateway's bread and butter. */
        REGISTER,
        /** A ~1 KB GET.response-with-datablock, as in profile generic reads. */
        KILOBYTE
    }

    @Param({"WRAPPER", "HDLC"})
    public Framing framing;

    @Param({"REGISTER", "KILOBYTE"})
    public Payload payload;

    @Param({"0", "16"})
    public int chunk;

    private EmbeddedChannel channel;
    private byte[] frame;

    /** Secondary result: wire bytes decoded, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class WireBytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup
    public void setUp() {
        frame = encode(framing, apdu(payload));
        channel = new EmbeddedChannel();
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(framing == Framing.HDLC ? new HdlcFrameDecoder() : new WrapperFrameDecoder());
        pipeline.addLast(new ReleasingSink());
        // check once that the set-up really decodes, so a broken decoder cannot benchmark as "fast"
        if (decodeOnce() != 1) {
            throw new IllegalStateException(framing + " decoder did not deliver the " + payload + " frame");
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int decode(WireBytes wire) {
        int frames = decodeOnce();
        wire.bytes += frame.length;
        return frames;
    }

    private int decodeOnce() {
        ReleasingSink sink = channel.pipeline().get(ReleasingSink.class);
        int before = sink.frames;
        ChannelPipeline pipeline = channel.pipeline();
        if (chunk <= 0) {
            pipeline.fireChannelRead(Unpooled.wrappedBuffer(frame));
        } else {
            for (int from = 0; from < frame.length; from += chunk) {
                pipeline.fireChannelRead(Unpooled.wrappedBuffer(frame, from, Math.min(chunk, frame.length - from)));
            }
        }
        pipeline.fireChannelReadComplete();
        return sink.frames - before;
    }

    private static byte[] apdu(Payload payload) {
        if (payload == Payload.REGISTER) {
            return REGISTER_RESPONSE_APDU;
        }
        // GET.response-with-datablock: last block, block 1, raw data octet string of 1000 bytes (length 0x82 03E8)
        byte[] header = {(byte) 0xC4, 0x02, (byte) 0xC1, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, (byte) 0x82, 0x03,
                (byte) 0xE8};
        byte[] apdu = Arrays.copyOf(header, header.length + 1000);
        for (int i = header.length; i < apdu.length; i++) {
            apdu[i] = (byte) (i * 31); // includes 0x7E bytes, which HDLC must treat as data
        }
        return apdu;
    }

    private static byte[] encode(Framing framing, byte[] apdu) {
        EmbeddedChannel encoder = new EmbeddedChannel(
                framing == Framing.HDLC ? new HdlcFrameEncoder() : new WrapperFrameEncoder());
        try {
            Object message = framing == Framing.HDLC
                    ? new HdlcFrame(CLIENT, SERVER, I_FRAME_CONTROL, false,
                            Unpooled.wrappedBuffer(LLC_RESPONSE, apdu))
                    : new WrapperFrame(SERVER, CLIENT, Unpooled.wrappedBuffer(apdu));
            encoder.writeOutbound(message);
            ByteBuf encoded = encoder.readOutbound();
            try {
                return ByteBufUtil.getBytes(encoded);
            } finally {
                encoded.release();
            }
        } finally {
            encoder.finishAndReleaseAll();
        }
    }

    /** End of the pipeline: counts and releases frames, as the DLMS session handler would after Gurux parsed them. */
    @ChannelHandler.Sharable
    private static final class ReleasingSink extends ChannelInboundHandlerAdapter {
        int frames;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            frames++;
            ((ByteBuf) msg).release();
        }
    }
}
