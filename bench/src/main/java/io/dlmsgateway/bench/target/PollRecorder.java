package io.dlmsgateway.bench.target;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records the polls a target made, keeping only those whose slot lies in the measurement window: their schedule
 * lag and latency (HdrHistogram {@link Recorder}s in microseconds, three significant digits), how many there were,
 * how many started on time and how many values they read. It also counts every poll that completed inside the
 * window, whatever its slot, because that is the work the CPU time sampled at the window's edges paid for.
 *
 * <p>Thread-safe and wait-free for the recording threads: any number of pollers (event loops, platform or virtual
 * threads) call {@link #pollDone} at once.
 */
public final class PollRecorder {

    /** A poll that started later than this after its slot is not on time. */
    public static final long ON_TIME_MILLIS = 1_000;

    private static final int SIGNIFICANT_DIGITS = 3;

    private final ScheduleGrid grid;
    private final Recorder lagMicros = new Recorder(SIGNIFICANT_DIGITS);
    private final Recorder latencyMicros = new Recorder(SIGNIFICANT_DIGITS);
    private final LongAdder done = new LongAdder();
    private final LongAdder onTime = new LongAdder();
    private final LongAdder values = new LongAdder();
    private final LongAdder completedInWindow = new LongAdder();

    public PollRecorder(ScheduleGrid grid) {
        this.grid = grid;
    }

    /**
     * One poll returned a reading now.
     *
     * @param slotMillis    when the poll was due
     * @param startMillis   when its request went out
     * @param latencyNanos  request out to last reply in
     * @param valuesRead    values the reading holds
     */
    public void pollDone(long slotMillis, long startMillis, long latencyNanos, int valuesRead) {
        pollDone(slotMillis, startMillis, latencyNanos, valuesRead, System.currentTimeMillis());
    }

    /** {@link #pollDone(long, long, long, int)} with the time the reading arrived given. */
    void pollDone(long slotMillis, long startMillis, long latencyNanos, int valuesRead, long completedMillis) {
        if (grid.inWindow(completedMillis)) {
            completedInWindow.increment();
        }
        if (!grid.inWindow(slotMillis)) {
            return;
        }
        // a poll cannot start before its slot by the targets' clocks, but clamp: a histogram holds no negatives
        long lagMillis = Math.max(0, startMillis - slotMillis);
        lagMicros.recordValue(lagMillis * 1000);
        latencyMicros.recordValue(Math.max(0, latencyNanos / 1000));
        done.increment();
        if (lagMillis <= ON_TIME_MILLIS) {
            onTime.increment();
        }
        values.add(valuesRead);
    }

    /** The grid whose window this recorder keeps. */
    public ScheduleGrid grid() {
        return grid;
    }

    /** What was recorded so far; meant to be taken once, after the grace time. */
    public Snapshot snapshot() {
        Histogram lag = lagMicros.getIntervalHistogram();
        Histogram latency = latencyMicros.getIntervalHistogram();
        return new Snapshot(done.sum(), onTime.sum(), completedInWindow.sum(), values.sum(),
                TargetSummary.Percentiles.ofMicros(lag), TargetSummary.Percentiles.ofMicros(latency));
    }

    /**
     * The recorder's counts at one moment.
     *
     * @param pollsDone              polls whose slot is in the window
     * @param pollsOnTime            of those, started at most {@link #ON_TIME_MILLIS} after the slot
     * @param pollsCompletedInWindow polls of any slot whose reading arrived inside the window
     * @param valuesRead             values read by the polls done
     * @param lag                    schedule lag of the polls done, ms
     * @param latency                latency of the polls done, ms
     */
    public record Snapshot(long pollsDone, long pollsOnTime, long pollsCompletedInWindow, long valuesRead,
                           TargetSummary.Percentiles lag, TargetSummary.Percentiles latency) {
    }
}
