package io.dlmsgateway.config;

import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.fleet.ProfileSchedule;
import io.dlmsgateway.gateway.ValueTemplate;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a device's {@code profiles} (or of the connector file's {@code defaults.profiles}): a Profile Generic
 * to read, how often, how far back on first contact, in which chunks, and under which ThingsBoard keys.
 *
 * @param obis              the profile's OBIS code
 * @param interval          time between reads
 * @param backfill          how far back from the meter's now the first read goes
 * @param maxRowsPerRead    most rows per request
 * @param maxSpanPerRead    most capture time per range request
 * @param timeseriesMapping telemetry key to template over the column keys; empty sends every column but the clock
 */
public record ProfileConfig(ObisCode obis, Duration interval, Duration backfill, int maxRowsPerRead,
                            Duration maxSpanPerRead, Map<String, ValueTemplate> timeseriesMapping) {

    public ProfileConfig {
        Objects.requireNonNull(obis, "obis");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(backfill, "backfill");
        Objects.requireNonNull(maxSpanPerRead, "maxSpanPerRead");
        timeseriesMapping = Collections.unmodifiableMap(new LinkedHashMap<>(timeseriesMapping));
    }

    /** The fleet's side of it: what to read and when, no ThingsBoard keys. */
    public ProfileSchedule schedule() {
        return new ProfileSchedule(obis, interval, backfill, maxRowsPerRead, maxSpanPerRead);
    }
}
