package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.client.ClockReading;
import java.util.Objects;
import java.util.Optional;

/**
 * What a clock correction did ({@link MeterFleet#syncClock}, or a {@link ClockCheck} with auto-correction).
 *
 * @param before         the clock as read before
 * @param method         what was done
 * @param shiftedSeconds the seconds passed to shift_time (0 unless {@link Method#SHIFT_TIME})
 * @param after          the clock read again afterwards, when something was done and the read worked
 */
public record ClockSync(ClockReading before, Method method, long shiftedSeconds, Optional<ClockReading> after) {

    /** How the meter's clock was corrected. */
    public enum Method {
        /** Nothing: the deviation was below half a second, or the meter's time names no instant to correct from. */
        NONE,
        /** The clock's shift_time method (deviations up to 900 s). */
        SHIFT_TIME,
        /** The clock's time attribute written (larger deviations). */
        SET_TIME
    }

    public ClockSync {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(after, "after");
    }
}
