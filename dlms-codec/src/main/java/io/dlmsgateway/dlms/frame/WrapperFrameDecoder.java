package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits a TCP byte stream into IEC 62056-47 wrapper frames.
 *
 * <p>Emits one {@link ByteBuf} per frame holding the <em>whole</em> frame, 8-byte header and APDU, exactly as
 * received: that is what Gurux's {@code GXDLMSClient.getData} and {@code GXDLMSServer.handleRequest} parse. The
 * buffer is a retained slice of the cumulation (no copy); the receiver releases it.
 *
 * <p>A version other than 1 or a length above the configured maximum is fatal: the wrapper has no flag to
 * re-synchronise on, so a stream that lies once cannot be trusted again. The decoder then throws a
 * {@link io.netty.handler.codec.DecoderException} ({@link CorruptedFrameException} or
 * {@link TooLongFrameException}), closes the channel and discards whatever else arrives on it. The length is checked
 * as soon as the header is in, so an untrusted length never makes the decoder wait for, or buffer, more than
 * {@code 8 + maxApduLength} bytes.
 */
public final class WrapperFrameDecoder extends ByteToMessageDecoder {

    /**
     * Default maximum APDU length: the 16-bit length field's ceiling, which is also the largest max-receive-pdu-size
     * a DLMS client can propose. Deployments that negotiate a smaller PDU size (plus ciphering overhead) should pass
     * that instead, so that each of thousands of channels can buffer at most that much.
     */
    public static final int DEFAULT_MAX_APDU_LENGTH = 0xFFFF;

    static final int HEADER_LENGTH = 8;
    private static final int LENGTH_OFFSET = 6;

    private final int maxApduLength;
    private boolean failed;

    /** A decoder accepting APDUs up to {@link #DEFAULT_MAX_APDU_LENGTH}. */
    public WrapperFrameDecoder() {
        this(DEFAULT_MAX_APDU_LENGTH);
    }

    /**
     * @param maxApduLength largest APDU accepted, 0..65535; a frame announcing more fails the channel
     */
    public WrapperFrameDecoder(int maxApduLength) {
        if (maxApduLength < 0 || maxApduLength > DEFAULT_MAX_APDU_LENGTH) {
            throw new IllegalArgumentException("maxApduLength out of range 0..65535: " + maxApduLength);
        }
        this.maxApduLength = maxApduLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= HEADER_LENGTH) {
            int start = in.readerIndex();
            int version = in.getUnsignedShort(start);
            if (version != WrapperFrameEncoder.VERSION) {
                throw fail(ctx, in, new CorruptedFrameException(
                        "wrapper version " + version + ", expected " + WrapperFrameEncoder.VERSION));
            }
            int apduLength = in.getUnsignedShort(start + LENGTH_OFFSET);
            if (apduLength > maxApduLength) {
                throw fail(ctx, in, new TooLongFrameException(
                        "wrapper APDU length " + apduLength + " exceeds maximum " + maxApduLength));
            }
            int frameLength = HEADER_LENGTH + apduLength;
            if (in.readableBytes() < frameLength) {
                return;
            }
            out.add(in.readRetainedSlice(frameLength));
        }
    }

    private RuntimeException fail(ChannelHandlerContext ctx, ByteBuf in, RuntimeException cause) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.close();
        return cause;
    }
}
