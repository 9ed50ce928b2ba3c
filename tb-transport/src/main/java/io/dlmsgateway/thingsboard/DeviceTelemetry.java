package io.dlmsgateway.thingsboard;

import java.util.Map;
import java.util.Objects;

/**
 * One timestamped set of values of one device, as ThingsBoard stores it: {@code {"ts":..,"values":{..}}} under the
 * device's name.
 *
 * <p>Values may be {@link Number}, {@link Boolean}, {@link CharSequence}, Jackson {@code JsonNode}, {@code null}, or
 * anything Jackson can serialise (maps and lists become JSON values). Iteration order of {@code values} is kept.
 *
 * @param device     child device name, unique on the ThingsBoard tenant
 * @param deviceType device profile name sent with {@code v1/gateway/connect}; {@code null} lets ThingsBoard use
 *                   {@code "default"}
 * @param ts         epoch milliseconds
 * @param values     telemetry keys and values; not copied, so do not change the map after handing it over
 */
public record DeviceTelemetry(String device, String deviceType, long ts, Map<String, ?> values) {

    public DeviceTelemetry {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(values, "values");
    }
}
