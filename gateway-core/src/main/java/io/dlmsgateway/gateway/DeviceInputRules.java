package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The rules a value from ThingsBoard keeps before it changes a running meter: the same as the configuration file's
 * for the same field, so that no way in accepts what another refuses. {@code io.dlmsgateway.config.ConfigBinding}
 * supplies the configuration's own rules (what {@code check-config} applies), which is what the gateway application
 * runs with; {@link #standard()}, the same ranges, is what hosts that build {@link GatewaySettings} in code get unless
 * they give rules of their own.
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

    /** Shortest polling interval a meter may be given, from a file or from ThingsBoard. */
    Duration MIN_POLLING_INTERVAL = Duration.ofMillis(100);
    /** Longest polling interval: one day (a meter read less often belongs in a billing profile, not a poll). */
    Duration MAX_POLLING_INTERVAL = Duration.ofDays(1);

    /**
     * The ranges above, with a plain reason. The configuration's rules ({@code ConfigBinding.inputRules()}) take the
     * same ranges and word the reason as {@code check-config} does.
     */
    static DeviceInputRules standard() {
        return value -> {
            if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                    || value.longValue() < MIN_POLLING_INTERVAL.toMillis()
                    || value.longValue() > MAX_POLLING_INTERVAL.toMillis()) {
                throw new IllegalArgumentException("pollingInterval: expected a whole number of milliseconds from "
                        + MIN_POLLING_INTERVAL.toMillis() + " to " + MAX_POLLING_INTERVAL.toMillis() + ", got "
                        + value);
            }
            return Duration.ofMillis(value.longValue());
        };
    }
}
