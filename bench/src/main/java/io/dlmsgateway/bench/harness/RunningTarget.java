package io.dlmsgateway.bench.harness;

import io.dlmsgateway.bench.target.TargetSummary;
import java.time.Duration;

/** A started {@link Target}, driven through one measurement by the harness. */
public interface RunningTarget extends AutoCloseable {

    /** The process whose CPU time, RSS and threads are the target's. */
    long measuredPid();

    /** The measured process right after its launch, with its wall-clock time (epoch ms); null when not taken. */
    default Launch launch() {
        return null;
    }

    /** A sample of the measured process taken at {@code epochMillis}. */
    record Launch(ProcessSample sample, long epochMillis) {
    }

    /** Waits for the end of the warm-up; false when the target died or the time ran out. */
    boolean awaitMeasureStart(Duration timeout) throws InterruptedException;

    /** Waits for the end of the measurement window; false when the target died or the time ran out. */
    boolean awaitMeasureEnd(Duration timeout) throws InterruptedException;

    /** Tells the target that its end-of-window state has been sampled. */
    void proceed();

    /** The target's own summary, or null when it died or the time ran out. */
    TargetSummary awaitSummary(Duration timeout) throws InterruptedException;

    /** Why the target stopped early, with its last output. */
    String failure();

    /** Stops everything the target started. */
    @Override
    void close();
}
