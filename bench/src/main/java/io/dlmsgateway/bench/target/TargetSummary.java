package io.dlmsgateway.bench.target;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param delivery                      the {@code gateway} target only: what reached the broker; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetSummary(String target, int meters, long intervalMillis, long windowStartMillis,
                            long windowEndMillis, long pollsScheduled, long pollsDone, long pollsOnTime,
                            long pollsCompletedInWindow, long valuesRead, long failures, long connectFailures,
                            long missed, long skipped, int connectedAtEnd, Percentiles lag, Percentiles latency,
                            long heapUsedAfterGcBytes, long heapCommittedBytes, long heapCommittedAtWindowEndBytes,
                            int jvmThreads, String javaVersion, String notes, Delivery delivery) {

    /** The same summary with other heap and thread figures (taken from outside the process) and delivery. */
    public TargetSummary with(long heapUsedAfterGc, long heapCommitted, long heapCommittedAtWindowEnd, int threads,
            String javaVersion, Delivery delivery) {
        return new TargetSummary(target, meters, intervalMillis, windowStartMillis, windowEndMillis, pollsScheduled,
                pollsDone, pollsOnTime, pollsCompletedInWindow, valuesRead, failures, connectFailures, missed,
                skipped, connectedAtEnd, lag, latency, heapUsedAfterGc, heapCommitted, heapCommittedAtWindowEnd,
                threads, javaVersion, notes, delivery);
    }

    /**
     * What the gateway delivered to the MQTT broker, as the ThingsBoard side counted it ({@code gateway} target).
     * "Whole run" counts go from the gateway's start to its graceful stop after the window; the gateway's own
     * counters come from its {@code gateway_stats} RPC and its last log line.
     *
     * @param entriesDelivered       telemetry entries received on {@code v1/gateway/telemetry}, whole run
     * @param uniqueDelivered        distinct (device, ts) among them
     * @param duplicates             entries received again (at-least-once redelivery)
     * @param readingsProduced       readings the gateway wrote to its spool, whole run (its stop line); -1 unknown
     * @param readingsAcknowledged   readings the broker acknowledged, as the gateway counted them; -1 unknown
     * @param leftInSpool            readings still in the spool when the gateway stopped; -1 unknown
     * @param lost                   produced − unique delivered (never below 0); -1 unknown
     * @param gatewayPollsInWindow   polls the gateway counted between the window's edges; -1 unknown
     * @param gatewayFailedInWindow  failed polls it counted between the window's edges; -1 unknown
     * @param spoolBacklogAtEnd      readings waiting in the spool after the grace time; -1 unknown
     * @param readingsDropped        readings the spool dropped (size bound), whole run; -1 unknown
     * @param slotToDelivery         arrival at the subscriber − slot of the readings done, ms
     * @param originPhaseMillis      the gateway grid's origin as estimated, ms after the gateway was launched
     * @param threadNames            the gateway's Java threads by name (digits folded), from {@code jcmd Thread.print}
     * @param backfill               a backfill run only: the load-profile rows delivered; null otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delivery(long entriesDelivered, long uniqueDelivered, long duplicates, long readingsProduced,
                           long readingsAcknowledged, long leftInSpool, long lost, long gatewayPollsInWindow,
                           long gatewayFailedInWindow, long spoolBacklogAtEnd, long readingsDropped,
                           Percentiles slotToDelivery, long originPhaseMillis, String threadNames,
                           Backfill backfill) {

        /** With the whole-run counts of both sides, once the gateway stopped. */
        public Delivery withTotals(long entries, long unique, long dups, long produced, long acknowledged,
                long left, String threads) {
            long lostReadings = produced < 0 ? -1 : Math.max(0, produced - unique);
            return new Delivery(entries, unique, dups, produced, acknowledged, left, lostReadings,
                    gatewayPollsInWindow, gatewayFailedInWindow, spoolBacklogAtEnd, readingsDropped, slotToDelivery,
                    originPhaseMillis, threads, backfill);
        }
    }

    /**
     * The load-profile rows of a backfill run, as the ThingsBoard side counted them ({@link ProfileLedger}).
     *
     * @param periodMillis          the profile's capture period
     * @param backfillMillis        how far back the gateway read on first contact
     * @param rowsReceived          rows received, duplicates included
     * @param rowsUnique            distinct (meter, capture time) rows
     * @param duplicates            rows received more than once
     * @param gaps                  consecutive rows of a meter more than one period apart
     * @param metersComplete        meters whose rows cover the whole backfill window without a gap
     * @param rowsOwedPerMeter      rows a complete meter delivers at least
     * @param launchToFirstRowMillis gateway launch to the first row's arrival; -1 when none came
     * @param launchToLastRowMillis gateway launch to the last row's arrival; -1 when none came
     */
    public record Backfill(long periodMillis, long backfillMillis, long rowsReceived, long rowsUnique, long duplicates,
                           long gaps, int metersComplete, long rowsOwedPerMeter, long launchToFirstRowMillis,
                           long launchToLastRowMillis) {
    }

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
