package io.dlmsgateway.fleet.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential reconnect delays with jitter: {@code min · 2^attempt}, capped at {@code max}, then spread uniformly by
 * ± jitter of itself (and kept within {@code [min·(1-jitter), max]}) so that meters that failed together retry apart.
 */
public final class ReconnectBackoff {

    private final long minMillis;
    private final long maxMillis;
    private final double jitter;
    private final DoubleSupplier random;

    /**
     * @param random uniform in [0, 1); {@code ThreadLocalRandom.current()::nextDouble} in production, a fixed
     *               sequence in tests
     */
    public ReconnectBackoff(Duration min, Duration max, double jitter, DoubleSupplier random) {
        this.minMillis = min.toMillis();
        this.maxMillis = max.toMillis();
        this.jitter = jitter;
        this.random = random;
    }

    /** The delay before retry number {@code attempt} of a run of failures, counted from 0. */
    public Duration delay(long attempt) {
        long nominal = maxMillis;
        if (attempt < 62) {
            long doubled = minMillis << attempt;
            if (doubled > 0 && (doubled >> attempt) == minMillis) {
                nominal = Math.min(doubled, maxMillis);
            }
        }
        double spread = (random.getAsDouble() * 2 - 1) * jitter * nominal;
        long jittered = Math.round(nominal + spread);
        return Duration.ofMillis(Math.min(maxMillis, Math.max(0, jittered)));
    }
}
