package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.client.MeasuredValue;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one poll of one meter read.
 *
 * @param meter       the meter's name ({@link Meter#name()}): the child device's name in ThingsBoard
 * @param scheduledAt when the poll was due by the meter's schedule
 * @param timestamp   when the request went out to the meter; the reading's time in ThingsBoard
 * @param latency     from request to the last reply
 * @param values      measurement name to value and unit, in the device's measurement order
 * @param errors      measurement name to the reason the meter refused it (e.g. {@code object-undefined}); the other
 *                    values of the same poll are good
 */
public record MeterReading(String meter, Instant scheduledAt, Instant timestamp, Duration latency,
                           Map<String, MeasuredValue> values, Map<String, String> errors) {

    public MeterReading {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(scheduledAt, "scheduledAt");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(latency, "latency");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    /** The value read for a measurement, or null when it was not read. */
    public MeasuredValue value(String measurement) {
        return values.get(measurement);
    }

    @Override
    public String toString() {
        return "MeterReading[" + meter + " @" + timestamp + " " + values.values() + (errors.isEmpty() ? ""
                : " errors=" + errors) + "]";
    }
}
