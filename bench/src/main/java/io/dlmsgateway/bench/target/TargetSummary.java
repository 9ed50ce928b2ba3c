package io.dlmsgateway.bench.target;

import org.HdrHistogram.Histogram;

/**
 * What a load target counted about itself over the measurement window, as it reports it on its summary line
 * ({@link TargetProtocol#SUMMARY_PREFIX}). Only polls whose slot lies in the window count; failures, missed and
 * skipped slots are counted from the window's opening to the end of the grace time.
 *
 * @param target                        target name
 * @param meters                        meters the target polls
 * @param intervalMillis                polling interval
 * @param windowStartMillis             window opening, epoch milliseconds
 * @param windowEndMillis               window end (exclusive), epoch milliseconds
 * @param pollsScheduled                slots of all meters in the window
 * @param pollsDone                     polls of those slots that returned a reading before the grace time ran out
 * @param pollsOnTime                   of those, the ones that started at most 1 s after their slot
 * @param pollsCompletedInWindow        polls (of any slot) whose reading arrived inside the window: the work the
 *                                      CPU time sampled at the window's edges paid for
 * @param valuesRead                    values read by the polls done
 * @param failures                      polls that failed
 * @param connectFailures               connection or association attempts that failed
 * @param missed                        slots that passed while a meter was busy or down
 * @param skipped                       slots skipped because the reading consumer was behind (fleet only)
 * @param connectedAtEnd                meters with an open association at the end of the window
 * @param lag                           poll start minus its slot, ms
 * @param latency                       request out to last reply in, ms
 * @param heapUsedAfterGcBytes          heap used after a full GC once the window was over
 * @param heapCommittedBytes            heap committed after that GC
 * @param heapCommittedAtWindowEndBytes heap committed at the end of the window, before the GC
 * @param jvmThreads                    live Java threads at the end of the window ({@code ThreadMXBean}); virtual
 *                                      threads are not among them
 * @param javaVersion                   {@code java.version} of the target JVM
 * @param notes                         what the target is and how it read, in a few words
 */
public record TargetSummary(String target, int meters, long intervalMillis, long windowStartMillis,
                            long windowEndMillis, long pollsScheduled, long pollsDone, long pollsOnTime,
                            long pollsCompletedInWindow, long valuesRead, long failures, long connectFailures,
                            long missed, long skipped, int connectedAtEnd, Percentiles lag, Percentiles latency,
                            long heapUsedAfterGcBytes, long heapCommittedBytes, long heapCommittedAtWindowEndBytes,
                            int jvmThreads, String javaVersion, String notes) {

    /**
     * A distribution in milliseconds (recorded in microseconds, three significant digits).
     *
     * @param count values recorded
     * @param p50   median
     * @param p90   90th percentile
     * @param p99   99th percentile
     * @param max   largest value (within the histogram's precision)
     */
    public record Percentiles(long count, double p50, double p90, double p99, double max) {

        /** Nothing recorded. */
        public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0);

        /** The percentiles of a histogram of microseconds, in milliseconds rounded to 10 µs. */
        public static Percentiles ofMicros(Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return EMPTY;
            }
            return new Percentiles(micros.getTotalCount(), millis(micros.getValueAtPercentile(50)),
                    millis(micros.getValueAtPercentile(90)), millis(micros.getValueAtPercentile(99)),
                    millis(micros.getMaxValue()));
        }

        private static double millis(long micros) {
            return Math.round(micros / 10.0) / 100.0;
        }
    }
}
