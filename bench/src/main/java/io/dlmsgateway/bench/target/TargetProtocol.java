package io.dlmsgateway.bench.target;

/**
 * The lines a load target and the harness exchange. The target writes its markers and its summary on stdout, one
 * per line, and nothing else there (its logs go to stderr); the harness answers on the target's stdin.
 *
 * <ol>
 *   <li>target: {@value #MEASURE_START} when the measurement window opens (the warm-up is over);</li>
 *   <li>target: {@value #MEASURE_END} when it closes; the harness samples {@code /proc} of the target now;</li>
 *   <li>harness: {@value #PROCEED} on the target's stdin once it has sampled;</li>
 *   <li>target: lets the window's last polls finish, runs a full GC and writes {@value #SUMMARY_PREFIX} followed by
 *       the {@link TargetSummary} as one line of JSON, then exits 0.</li>
 * </ol>
 */
public final class TargetProtocol {

    /** The measurement window opens. */
    public static final String MEASURE_START = "BENCH measure-start";
    /** The measurement window closes. */
    public static final String MEASURE_END = "BENCH measure-end";
    /** Starts the summary line; the JSON of a {@link TargetSummary} follows on the same line. */
    public static final String SUMMARY_PREFIX = "BENCH-SUMMARY ";
    /** What the harness writes to the target's stdin, as one line, after it sampled the end of the window. */
    public static final String PROCEED = "go";

    /**
     * {@code gateway} target: the ThingsBoard side is subscribed and the gateway may start; the warm-up counts from
     * this line.
     */
    public static final String SUBSCRIBED = "BENCH subscribed";
    /**
     * {@code gateway} target: what the harness writes to the ThingsBoard side's stdin once the gateway stopped; it
     * answers with {@link #DELIVERY_PREFIX} and the whole run's counts.
     */
    public static final String TOTALS = "totals";
    /** Starts the ThingsBoard side's whole-run counts: JSON {@code {"entries":..,"unique":..,"duplicates":..}}. */
    public static final String DELIVERY_PREFIX = "BENCH-DELIVERY ";

    private TargetProtocol() {
    }
}
