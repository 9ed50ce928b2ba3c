package io.dlmsgateway.bench.target;

/**
 * The part of a load target that polls the meters; {@link TargetLifecycle} runs it through one measurement.
 * Implementations poll every meter on the {@link ScheduleGrid} they are given and hand each reading to the
 * {@link PollRecorder}; the recorder decides what the window counts.
 */
public interface LoadWorkload {

    /** Starts polling every meter; returns once polling is under way (it must not wait for the first slots). */
    void start(ScheduleGrid grid, PollRecorder recorder) throws Exception;

    /** The workload's cumulative counters now; the lifecycle reports the difference over the window. */
    Counters counters();

    /** Meters with an open association now. */
    int connected();

    /** What this workload is and how it reads, in a few words, for the report. */
    String notes();

    /** Stops polling and closes every connection. */
    void stop() throws Exception;

    /**
     * Cumulative counts of what went wrong.
     *
     * @param failures        polls that failed
     * @param connectFailures connection or association attempts that failed
     * @param missed          slots that passed while a meter was busy or down
     * @param skipped         slots skipped because the reading consumer was behind
     */
    record Counters(long failures, long connectFailures, long missed, long skipped) {

        /** What happened between {@code earlier} and this. */
        public Counters since(Counters earlier) {
            return new Counters(failures - earlier.failures, connectFailures - earlier.connectFailures,
                    missed - earlier.missed, skipped - earlier.skipped);
        }
    }
}
