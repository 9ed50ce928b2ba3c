package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Splits a TCP byte stream into IEC 62056-46 HDLC frames (frame format type 3).
 *
 * <p>Emits one {@link ByteBuf} per good frame holding the whole frame from opening to closing flag inclusive, as
 * Gurux's {@code GXDLMSClient.getData} expects it; segmented frames are passed on one by one (Gurux reassembles).
 * The buffer is a retained slice of the cumulation (no copy); the receiver releases it.
 *
 * <p>Frames are found by their length field, not by flags: DLMS HDLC does no byte stuffing, so {@code 0x7E} is
 * ordinary data inside a frame and a delimiter-based decoder would cut frames apart. A frame is accepted when its
 * format is type 3, its addresses are well formed, the byte {@code length + 1} after the opening flag is a flag and
 * HCS and FCS check out. Otherwise it is dropped and counted, and the search resumes at the next flag, so a line
 * glitch costs one frame, never the connection. Adjacent frames may share a flag or each bring their own. Bytes
 * outside frames are skipped and counted. Nothing here is fatal, and the 11-bit length bounds what is buffered.
 */
public final class HdlcFrameDecoder extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(HdlcFrameDecoder.class);

    private static final int FLAG = HdlcFrameEncoder.FLAG;
    private static final int MAX_ADDRESS_LENGTH = 4;
    /** format (2) + destination (1) + source (1) + control (1) + FCS (2): the shortest legal frame. */
    private static final int MIN_FRAME_LENGTH = 7;

    private final FramingCounters counters;
    private final int maxFrameLength;

    /** A decoder with counters of its own and the largest length the 11-bit field allows. */
    public HdlcFrameDecoder() {
        this(new FramingCounters());
    }

    /** A decoder reporting into {@code counters}, which may be shared with other channels' decoders. */
    public HdlcFrameDecoder(FramingCounters counters) {
        this(counters, HdlcFrame.MAX_FRAME_LENGTH);
    }

    /**
     * @param counters       where dropped frames and skipped bytes are counted; may be shared across channels
     * @param maxFrameLength largest value of the length field accepted (7..2047), e.g. the
     *                       negotiated maximum information field plus header; longer frames are dropped
     */
    public HdlcFrameDecoder(FramingCounters counters, int maxFrameLength) {
        if (counters == null) {
            throw new NullPointerException("counters");
        }
        if (maxFrameLength < MIN_FRAME_LENGTH || maxFrameLength > HdlcFrame.MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("maxFrameLength out of range " + MIN_FRAME_LENGTH + ".."
                    + HdlcFrame.MAX_FRAME_LENGTH + ": " + maxFrameLength);
        }
        this.counters = counters;
        this.maxFrameLength = maxFrameLength;
    }

    /** The counters this decoder reports into. */
    public FramingCounters counters() {
        return counters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (!skipToFlag(in)) {
                return;
            }
            int start = in.readerIndex();
            if (in.readableBytes() < 3) {
                return; // flag kept: it may open the next frame
            }
            int format = in.getUnsignedByte(start + 1);
            if (format == FLAG) {
                in.skipBytes(1); // doubled flag: closing flag of one frame, opening flag of the next
                continue;
            }
            if ((format & 0xF0) != HdlcFrameEncoder.FORMAT_TYPE_3) {
                // not an opening flag after all (a closing flag followed by noise): hunt for the next one
                in.skipBytes(1);
                continue;
            }
            int length = (format & 0x07) << 8 | in.getUnsignedByte(start + 2);
            if (length < MIN_FRAME_LENGTH || length > maxFrameLength) {
                drop(in, start, "length " + length + " out of range " + MIN_FRAME_LENGTH + ".." + maxFrameLength);
                continue;
            }
            if (in.readableBytes() < length + 2) {
                return;
            }
            int closing = start + length + 1;
            if (in.getUnsignedByte(closing) != FLAG) {
                // the length is wrong (or bytes were lost): the next frame may start anywhere inside this one
                drop(in, start, "no closing flag after " + length + " bytes");
                continue;
            }
            String defect = checkFrame(in, start, length);
            if (defect != null) {
                // the closing flag sits where the length says, so the boundaries are right and only the content
                // is damaged: resume at the closing flag, which may well open the next frame
                counters.frameDropped();
                log.debug("dropped HDLC frame of {} bytes: {}", length + 2, defect);
                in.readerIndex(closing);
                continue;
            }
            out.add(in.retainedSlice(start, length + 2));
            in.readerIndex(closing); // closing flag stays: it may be shared with the next frame
        }
    }

    /**
     * Discards bytes up to the next flag, counting them.
     *
     * @return whether a flag is now at the reader index
     */
    private boolean skipToFlag(ByteBuf in) {
        int flag = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) FLAG);
        int skipped = (flag < 0 ? in.writerIndex() : flag) - in.readerIndex();
        if (skipped > 0) {
            counters.bytesSkipped(skipped);
            log.debug("skipped {} bytes outside HDLC frames", skipped);
            in.skipBytes(skipped);
        }
        return flag >= 0;
    }

    /** Drops a frame whose end is not trustworthy: resume right after its opening flag. */
    private void drop(ByteBuf in, int start, String defect) {
        counters.frameDropped();
        log.debug("dropped HDLC frame: {}", defect);
        in.readerIndex(start + 1);
    }

    /**
     * Checks addresses, HCS and FCS of the frame whose opening flag is at {@code start}.
     *
     * @return null if good, else what is wrong
     */
    private static String checkFrame(ByteBuf in, int start, int length) {
        int first = start + 1; // frame format byte
        int fcsIndex = first + length - 2;
        int destinationEnd = addressEnd(in, first + 2, fcsIndex);
        if (destinationEnd < 0) {
            return "malformed destination address";
        }
        int sourceEnd = addressEnd(in, destinationEnd, fcsIndex);
        if (sourceEnd < 0) {
            return "malformed source address";
        }
        int control = sourceEnd;
        int headerEnd = control + 1;
        if (headerEnd > fcsIndex) {
            return "no room for the control byte";
        }
        if (headerEnd < fcsIndex) {
            // information field present, so an HCS precedes it and at least one byte of information must follow
            if (fcsIndex - headerEnd < 3) {
                return "no room for HCS and information";
            }
            int hcs = Crc16X25.checksum(in, first, headerEnd - first);
            if (hcs != in.getUnsignedShortLE(headerEnd)) {
                return "bad HCS";
            }
        }
        int fcs = Crc16X25.checksum(in, first, fcsIndex - first);
        if (fcs != in.getUnsignedShortLE(fcsIndex)) {
            return "bad FCS";
        }
        return null;
    }

    /**
     * Finds the end of an HDLC address starting at {@code index}: bytes up to and including the first with its
     * least significant bit set, at most four.
     *
     * @return index just past the address, or -1 if it does not end within four bytes before {@code limit}
     */
    private static int addressEnd(ByteBuf in, int index, int limit) {
        for (int i = index; i < limit && i < index + MAX_ADDRESS_LENGTH; i++) {
            if ((in.getByte(i) & 1) != 0) {
                return i + 1;
            }
        }
        return -1;
    }
}
