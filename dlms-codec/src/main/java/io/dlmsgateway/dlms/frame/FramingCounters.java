package io.dlmsgateway.dlms.frame;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what HDLC frame decoders threw away. One instance is meant to be shared by the decoders of many channels
 * (a gateway has one per meter connection, thousands of them, on several event loops), so the counts are
 * {@link LongAdder}s: cheap to bump from many threads, summed only when read.
 */
public final class FramingCounters {

    private final LongAdder droppedFrames = new LongAdder();
    private final LongAdder skippedBytes = new LongAdder();

    /**
     * Frames that were delimited but not passed on: bad HCS or FCS, missing closing flag, malformed header,
     * or longer than the decoder's maximum.
     */
    public long droppedFrames() {
        return droppedFrames.sum();
    }

    /** Bytes discarded while hunting for an opening flag (line noise, partial frames); flags themselves excluded. */
    public long skippedBytes() {
        return skippedBytes.sum();
    }

    void frameDropped() {
        droppedFrames.increment();
    }

    void bytesSkipped(int count) {
        if (count > 0) {
            skippedBytes.add(count);
        }
    }

    @Override
    public String toString() {
        return "FramingCounters{droppedFrames=" + droppedFrames() + ", skippedBytes=" + skippedBytes() + '}';
    }
}
