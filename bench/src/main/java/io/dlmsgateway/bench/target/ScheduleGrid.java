package io.dlmsgateway.bench.target;

/**
 * When each meter is due, and which slots the measurement window holds. Meter {@code i} of {@code N} is first due at
 * {@code origin + i·interval/N}, then every interval, as {@code MeterFleet} spreads its meters; the window
 * {@code [origin + warm-up, origin + warm-up + duration)} is fixed before the first poll, so every target counts
 * the same slots. A window whose length is a multiple of the interval holds exactly {@code duration/interval} slots
 * of every meter, wherever the grid's origin falls.
 *
 * <p>All times are epoch milliseconds ({@link System#currentTimeMillis()}). Immutable.
 */
public final class ScheduleGrid {

    private final long originMillis;
    private final int meters;
    private final long intervalMillis;
    private final long windowStartMillis;
    private final long windowEndMillis;

    /**
     * @param originMillis   when the grid starts: meter 0's first slot
     * @param meters         meters on the grid
     * @param intervalMillis polling interval of every meter
     * @param warmupMillis   time from the origin to the window's opening
     * @param measureMillis  length of the window
     */
    public ScheduleGrid(long originMillis, int meters, long intervalMillis, long warmupMillis, long measureMillis) {
        if (meters < 1) {
            throw new IllegalArgumentException("meters must be at least 1, got " + meters);
        }
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("interval must be at least 1 ms, got " + intervalMillis);
        }
        if (warmupMillis < 0 || measureMillis < 1) {
            throw new IllegalArgumentException("need warm-up >= 0 and a window of at least 1 ms, got "
                    + warmupMillis + " and " + measureMillis);
        }
        this.originMillis = originMillis;
        this.meters = meters;
        this.intervalMillis = intervalMillis;
        this.windowStartMillis = originMillis + warmupMillis;
        this.windowEndMillis = windowStartMillis + measureMillis;
    }

    public long originMillis() {
        return originMillis;
    }

    public int meters() {
        return meters;
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    /** The window's first instant. */
    public long windowStartMillis() {
        return windowStartMillis;
    }

    /** The first instant after the window. */
    public long windowEndMillis() {
        return windowEndMillis;
    }

    /** Meter {@code index}'s first slot: {@code origin + index·interval/meters}. */
    public long firstSlot(int index) {
        if (index < 0 || index >= meters) {
            throw new IndexOutOfBoundsException("meter " + index + " of " + meters);
        }
        return originMillis + intervalMillis * index / meters;
    }

    /** Whether a poll due at {@code slotMillis} is one the window counts. */
    public boolean inWindow(long slotMillis) {
        return slotMillis >= windowStartMillis && slotMillis < windowEndMillis;
    }

    /** Slots of meter {@code index} inside the window. */
    public long slotsInWindow(int index) {
        long first = firstSlot(index);
        // slot k (k >= 0) is first + k·interval; count the k with start <= slot < end
        long fromK = Math.max(0, ceilDiv(windowStartMillis - first, intervalMillis));
        long toK = Math.max(0, ceilDiv(windowEndMillis - first, intervalMillis));
        return Math.max(0, toK - fromK);
    }

    /** Slots of all meters inside the window: the polls a target that loses nothing makes. */
    public long slotsInWindow() {
        long total = 0;
        for (int i = 0; i < meters; i++) {
            total += slotsInWindow(i);
        }
        return total;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public String toString() {
        return "ScheduleGrid[" + meters + " meters every " + intervalMillis + " ms from " + originMillis
                + ", window " + windowStartMillis + ".." + windowEndMillis + "]";
    }
}
