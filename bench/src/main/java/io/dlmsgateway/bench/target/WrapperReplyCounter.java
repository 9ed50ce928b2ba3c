package io.dlmsgateway.bench.target;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Counts IEC 62056-47 wrapper frames in a TCP byte stream by their header alone, for the {@code floor} target: the
 * 8-byte header (version 1, source and destination wPort, APDU length), then as many bytes as the length says,
 * skipped without a copy. A frame may arrive in any number of reads and a read may hold several frames. Of each
 * frame it keeps only the APDU's first byte (its tag: {@code 0x61} AARE, {@code 0xC4} GET-Response), so the
 * target can tell an association reply from a poll reply without parsing.
 *
 * <p>Not thread-safe: one per connection, used on its event loop.
 */
public final class WrapperReplyCounter {

    /** Bytes of the wrapper header. */
    public static final int HEADER_LENGTH = 8;
    /** The only wrapper version there is. */
    static final int VERSION = 1;

    /** What {@link #feed} returns when the stream is not a wrapper stream; the counter stays broken. */
    public static final int CORRUPT = -1;

    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerSeen;
    private int apduLeft;
    private int apduLength;
    private int tag = -1;
    private int lastTag = -1;
    private int lastApduLength = -1;
    private boolean corrupt;

    /**
     * Takes every readable byte of {@code in} (its reader index moves to the end) and returns how many frames it
     * completed, or {@link #CORRUPT} when a header's version is not 1.
     */
    public int feed(ByteBuf in) {
        if (corrupt) {
            in.skipBytes(in.readableBytes());
            return CORRUPT;
        }
        int frames = 0;
        while (in.isReadable()) {
            if (headerSeen < HEADER_LENGTH) {
                header[headerSeen++] = in.readByte();
                if (headerSeen < HEADER_LENGTH) {
                    continue;
                }
                int version = ((header[0] & 0xFF) << 8) | (header[1] & 0xFF);
                if (version != VERSION) {
                    corrupt = true;
                    in.skipBytes(in.readableBytes());
                    return CORRUPT;
                }
                apduLength = ((header[6] & 0xFF) << 8) | (header[7] & 0xFF);
                apduLeft = apduLength;
                tag = -1;
            } else {
                if (tag < 0) {
                    tag = in.getUnsignedByte(in.readerIndex());
                }
                int skip = Math.min(apduLeft, in.readableBytes());
                in.skipBytes(skip);
                apduLeft -= skip;
            }
            if (headerSeen == HEADER_LENGTH && apduLeft == 0) {
                frames++;
                lastTag = tag;
                lastApduLength = apduLength;
                headerSeen = 0;
            }
        }
        return frames;
    }

    /** {@link #feed(ByteBuf)} of an array, for tests and the start-up capture. */
    public int feed(byte[] bytes) {
        return feed(Unpooled.wrappedBuffer(bytes));
    }

    /** The APDU tag of the last frame completed (its first APDU byte), or -1 (none yet, or an empty APDU). */
    public int lastTag() {
        return lastTag;
    }

    /** The APDU length of the last frame completed, or -1 before the first. */
    public int lastApduLength() {
        return lastApduLength;
    }

    /** True while part of a frame has been read but not all of it. */
    public boolean midFrame() {
        return headerSeen > 0;
    }

    /** Splits a whole captured stream into its frames (header and APDU each); a trailing partial frame is dropped. */
    public static List<byte[]> frames(byte[] stream) {
        List<byte[]> frames = new ArrayList<>();
        int at = 0;
        while (stream.length - at >= HEADER_LENGTH) {
            int length = ((stream[at + 6] & 0xFF) << 8) | (stream[at + 7] & 0xFF);
            int end = at + HEADER_LENGTH + length;
            if (end > stream.length) {
                break;
            }
            frames.add(Arrays.copyOfRange(stream, at, end));
            at = end;
        }
        return frames;
    }
}
