package io.dlmsgateway.fleet;

import java.time.Duration;
import java.util.Objects;

/**
 * A meter's clock check: every {@code interval} the fleet reads the meter's clock (0.0.1.0.0.255), publishes its
 * deviation from the gateway's clock as the reading value {@value #DEVIATION_KEY} (milliseconds, meter minus
 * gateway), logs a WARN when it exceeds {@code warnAbove} and, with {@code autoCorrect}, corrects a deviation above
 * {@code correctAbove}: with the clock's shift_time method for up to 900 s, by setting the time beyond that.
 *
 * <pre>{@code
 * Meter.builder("meter-7", "10.0.0.7", 4059).clockCheck(ClockCheck.defaults().withAutoCorrect(true)).build();
 * }</pre>
 *
 * @param interval     time between checks, on the meter's session grid like the register poll
 * @param warnAbove    a deviation above this (either way) is logged at WARN
 * @param correctAbove a deviation above this (either way) is corrected, when {@code autoCorrect}
 * @param autoCorrect  whether to correct the meter's clock at all (off unless set: setting a meter's clock is a
 *                     decision for its owner, and some meters log every change as an event)
 */
public record ClockCheck(Duration interval, Duration warnAbove, Duration correctAbove, boolean autoCorrect) {

    /** The reading value the deviation is published as. */
    public static final String DEVIATION_KEY = "clockDeviationMs";
    /** Time between checks unless set: an hour (clocks drift by seconds a month; an hour finds a jump soon enough). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
    /** WARN threshold unless set: 10 s. */
    public static final Duration DEFAULT_WARN_ABOVE = Duration.ofSeconds(10);
    /** Correction threshold unless set: 30 s, well above the round trip to a meter on a slow link. */
    public static final Duration DEFAULT_CORRECT_ABOVE = Duration.ofSeconds(30);

    public ClockCheck {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(warnAbove, "warnAbove");
        Objects.requireNonNull(correctAbove, "correctAbove");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("clock check interval must be positive, got " + interval);
        }
        if (warnAbove.isNegative() || correctAbove.isNegative()) {
            throw new IllegalArgumentException("clock thresholds must not be negative: warnAbove " + warnAbove
                    + ", correctAbove " + correctAbove);
        }
    }

    /** Every hour, WARN above 10 s, no correction (30 s once turned on). */
    public static ClockCheck defaults() {
        return new ClockCheck(DEFAULT_INTERVAL, DEFAULT_WARN_ABOVE, DEFAULT_CORRECT_ABOVE, false);
    }

    public ClockCheck withInterval(Duration value) {
        return new ClockCheck(value, warnAbove, correctAbove, autoCorrect);
    }

    public ClockCheck withWarnAbove(Duration value) {
        return new ClockCheck(interval, value, correctAbove, autoCorrect);
    }

    public ClockCheck withCorrectAbove(Duration value) {
        return new ClockCheck(interval, warnAbove, value, autoCorrect);
    }

    public ClockCheck withAutoCorrect(boolean value) {
        return new ClockCheck(interval, warnAbove, correctAbove, value);
    }
}
