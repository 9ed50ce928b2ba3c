package io.dlmsgateway.bench;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXReplyData;
import gurux.dlms.enums.Authentication;
import gurux.dlms.enums.InterfaceType;
import io.dlmsgateway.dlms.client.internal.CosemValues;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole receive path of one register reading as the client runs it: WRAPPER frame decoded from the socket's
 * bytes, APDU parsed by Gurux ({@code GET-Response-Normal}, long-unsigned 2301), scaler -1 applied exactly.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplyParseBenchmark {

    /** WRAPPER header (version 1, wPort 1 -> 16, 7 bytes) + GET-Response-Normal invoke 0xC1, success, uint16 2301. */
    private static final byte[] REPLY = HexFormat.of().parseHex("000100010010" + "0007" + "C401C100" + "12" + "08FD");

    private EmbeddedChannel channel;
    private GXDLMSClient client;

    @Setup
    public void setup() {
        channel = new EmbeddedChannel(new WrapperFrameDecoder());
        client = new GXDLMSClient(true, 16, 1, Authentication.NONE, null, InterfaceType.WRAPPER);
        Object value;
        try {
            value = frameApduScaler();
        } catch (Exception e) {
            throw new IllegalStateException("the benchmark's reply does not parse", e);
        }
        // measure the real path, not a failure path
        if (!new java.math.BigDecimal("230.1").equals(value)) {
            throw new IllegalStateException("expected 230.1, parsed " + value);
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public Object frameApduScaler() throws Exception {
        channel.writeInbound(Unpooled.wrappedBuffer(REPLY));
        ByteBuf frame = channel.readInbound();
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        GXReplyData reply = new GXReplyData();
        if (!client.getData(new GXByteBuffer(bytes), reply, null)) {
            throw new IllegalStateException("incomplete reply");
        }
        return CosemValues.scale(reply.getValue(), -1);
    }
}
