package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The rules a value from ThingsBoard keeps before it changes a running meter: the same as the configuration file's
 * for the same field, so that no way in accepts what another refuses. {@code io.dlmsgateway.config.ConfigBinding}
 * supplies the configuration's own rules (what {@code check-config} applies), which is what the gateway application
 * runs with; {@link #unchecked()} is for hosts that build {@link GatewaySettings} in code and check values
 * themselves.
 *
 * <p>Threading: called on an event loop (the transport's lane) for every update; implementations must be quick,
 * stateless and thread-safe.
 */
public interface DeviceInputRules {

    /**
     * The polling interval the shared attribute {@code pollingInterval} (milliseconds, as in the connector file)
     * stands for.
     *
     * @throws IllegalArgumentException with the reason, when the value breaks the rule
     */
    Duration pollingInterval(JsonNode value);

    /** Only what the meter library itself needs: a positive whole number of milliseconds. */
    static DeviceInputRules unchecked() {
        return value -> {
            if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
                throw new IllegalArgumentException("expected a positive whole number of milliseconds, got " + value);
            }
            return Duration.ofMillis(value.longValue());
        };
    }
}
