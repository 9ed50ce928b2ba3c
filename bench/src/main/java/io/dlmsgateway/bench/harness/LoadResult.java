package io.dlmsgateway.bench.harness;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dlmsgateway.bench.target.TargetSummary;
import java.util.List;

/**
 * One target's run as reported: what the target counted about itself plus what the harness saw from outside.
 * Per-meter figures divide by the meters connected at the end of the window and include the JVM's fixed costs.
 *
 * @param target                 target name
 * @param ok                     false when the target failed before it reported; then only {@code failure} and
 *                               what was sampled are meaningful
 * @param failure                why it failed
 * @param javaHome               JDK that ran it
 * @param jvmArgs                its JVM options
 * @param cpuSeconds             target CPU time (user + system) over the window, from {@code /proc/<pid>/stat}
 * @param cpuPercentOfOneCore    that as a share of one core over the window
 * @param cpuSecondsPer1000Polls CPU time per thousand polls completed in the window
 * @param rssBytes               resident set size at the end of the window
 * @param rssPeakBytes           highest resident set size of the run
 * @param rssPerMeterKiB         RSS per connected meter
 * @param heapPerMeterKiB        heap used after a full GC per connected meter
 * @param liveBytesPerMeter      live objects per connected meter by the target's class histogram after the window
 *                               ({@link ClassHistogram#liveBytes}): the heap a full GC leaves without the dead space
 *                               the collector keeps on purpose; null when there is no histogram
 * @param threads                threads of the target process at the end of the window ({@code /proc})
 * @param pollsDonePercent       polls done as a share of the slots scheduled
 * @param onTimePercent          polls started within 1 s of their slot as a share of the slots scheduled
 * @param simulatorCpuSeconds    CPU time the simulator spent over the same window (it shares the machine)
 * @param summary                the target's own summary
 * @param backfillCpu            a backfill run only: the gateway's CPU from its launch to the last row; else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoadResult(String target, boolean ok, String failure, String javaHome, List<String> jvmArgs,
                         Double cpuSeconds, Double cpuPercentOfOneCore, Double cpuSecondsPer1000Polls,
                         Long rssBytes, Long rssPeakBytes, Double rssPerMeterKiB, Double heapPerMeterKiB,
                         Long liveBytesPerMeter, Integer threads, Double pollsDonePercent, Double onTimePercent,
                         Double simulatorCpuSeconds,
                         TargetSummary summary, BackfillCpu backfillCpu) {

    /**
     * What a backfill cost the gateway. The polls' own share comes from the same process right after the backfill
     * (a window of the polls alone, as long as {@code tailSeconds}), scaled to the backfill's duration: a baseline
     * in the same run, on the same JIT-compiled code. Start-up (JVM, first associations) is in the backfill's share.
     *
     * @param secondsLaunchToLastRow   wall time from the gateway's launch to the last row at the broker
     * @param cpuSecondsLaunchToLastRow the gateway's CPU over that time
     * @param tailSeconds              length of the polls-alone window after it
     * @param pollsAloneCpuPerSecond   the gateway's CPU per second in that window
     * @param backfillCpuSeconds       CPU over the backfill minus the polls' share at that rate
     * @param cpuSecondsPer1000Rows    that per thousand unique rows delivered
     */
    public record BackfillCpu(double secondsLaunchToLastRow, double cpuSecondsLaunchToLastRow, double tailSeconds,
                              double pollsAloneCpuPerSecond, double backfillCpuSeconds, Double cpuSecondsPer1000Rows) {
    }

    /** This result with the backfill's CPU figures. */
    LoadResult withBackfillCpu(BackfillCpu cpu) {
        return new LoadResult(target, ok, failure, javaHome, jvmArgs, cpuSeconds, cpuPercentOfOneCore,
                cpuSecondsPer1000Polls, rssBytes, rssPeakBytes, rssPerMeterKiB, heapPerMeterKiB, liveBytesPerMeter,
                threads, pollsDonePercent, onTimePercent, simulatorCpuSeconds, summary, cpu);
    }

    /** This result with the live objects per meter, from a class histogram holding {@code liveBytes} in all. */
    LoadResult withLiveBytes(long liveBytes) {
        int connected = summary == null ? 1 : Math.max(1, summary.connectedAtEnd());
        return new LoadResult(target, ok, failure, javaHome, jvmArgs, cpuSeconds, cpuPercentOfOneCore,
                cpuSecondsPer1000Polls, rssBytes, rssPeakBytes, rssPerMeterKiB, heapPerMeterKiB,
                liveBytes / connected, threads, pollsDonePercent, onTimePercent, simulatorCpuSeconds, summary,
                backfillCpu);
    }

    /** A target that did not report. */
    static LoadResult failed(String target, String failure, String javaHome, List<String> jvmArgs,
            ProcessSample lastSample) {
        return new LoadResult(target, false, failure, javaHome, jvmArgs, null, null, null,
                lastSample == null ? null : lastSample.rssKiB() * 1024,
                lastSample == null ? null : lastSample.rssPeakKiB() * 1024, null, null, null,
                lastSample == null ? null : lastSample.threads(), null, null, null, null, null);
    }

    /** Combines the target's summary with the samples taken at the window's edges. */
    static LoadResult of(TargetSummary s, String javaHome, List<String> jvmArgs, ProcessSample start,
            ProcessSample end, ProcessSample simulatorStart, ProcessSample simulatorEnd, long ticksPerSecond) {
        double windowSeconds = (s.windowEndMillis() - s.windowStartMillis()) / 1000.0;
        double cpu = ProcessSample.cpuSeconds(start, end, ticksPerSecond);
        int connected = Math.max(1, s.connectedAtEnd());
        return new LoadResult(s.target(), true, null, javaHome, jvmArgs, round(cpu),
                round(100 * cpu / windowSeconds),
                s.pollsCompletedInWindow() == 0 ? null : round(1000 * cpu / s.pollsCompletedInWindow()),
                end.rssKiB() * 1024, end.rssPeakKiB() * 1024, round((double) end.rssKiB() / connected),
                round(s.heapUsedAfterGcBytes() / 1024.0 / connected), null, end.threads(),
                percent(s.pollsDone(), s.pollsScheduled()), percent(s.pollsOnTime(), s.pollsScheduled()),
                simulatorStart == null ? null : round(ProcessSample.cpuSeconds(simulatorStart, simulatorEnd,
                        ticksPerSecond)),
                s, null);
    }

    private static Double percent(long part, long whole) {
        return whole == 0 ? null : round(100.0 * part / whole);
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
