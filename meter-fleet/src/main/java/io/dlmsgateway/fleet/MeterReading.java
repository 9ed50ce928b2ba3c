package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.dlms.client.Refusal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param refusals    what the meter refused, each with its data-access-result (e.g. {@code object-undefined}); the
 *                    other values of the same poll are good
 */
public record MeterReading(String meter, Instant scheduledAt, Instant timestamp, Duration latency,
                           Map<String, MeasuredValue> values, List<Refusal> refusals) {

    public MeterReading {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(scheduledAt, "scheduledAt");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(latency, "latency");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        refusals = List.copyOf(refusals);
    }

    /** The meter's refusal of a measurement, or null when it did not refuse it. */
    public Refusal refusal(String measurement) {
        for (Refusal r : refusals) {
            if (r.name().equals(measurement)) {
                return r;
            }
        }
        return null;
    }

    /** The value read for a measurement, or null when it was not read. */
    public MeasuredValue value(String measurement) {
        return values.get(measurement);
    }

    @Override
    public String toString() {
        return "MeterReading[" + meter + " @" + timestamp + " " + values.values() + (refusals.isEmpty() ? ""
                : " refused " + refusals) + "]";
    }
}
