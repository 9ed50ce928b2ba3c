package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.Measurement;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * One value read from a meter, in engineering units.
 *
 * <p>{@code value} is a {@link BigDecimal} for scaled registers (so 2301 with scaler -1 is exactly 230.1), another
 * {@link Number} for unscaled numeric attributes, a {@link String} for text, dates (ISO-8601) and octet strings (hex),
 * a {@link Boolean}, or a {@link java.util.List} of these for structures and arrays.
 *
 * @param measurement what was read
 * @param value       the value, never null (a COSEM null-data reads as an empty string)
 * @param unit        the unit symbol ({@code V}, {@code Wh}, ...), {@code ""} when unitless or not a register
 */
public record MeasuredValue(Measurement measurement, Object value, String unit) {

    public MeasuredValue {
        Objects.requireNonNull(measurement, "measurement");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(unit, "unit");
    }

    /** The measurement's name, the key it is published under. */
    public String name() {
        return measurement.name();
    }

    /** The value as a double, for numeric values; NaN otherwise. */
    public double asDouble() {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
