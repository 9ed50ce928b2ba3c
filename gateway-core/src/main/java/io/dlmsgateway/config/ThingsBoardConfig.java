package io.dlmsgateway.config;

import java.util.Objects;

/**
 * The {@code thingsboard} section: the MQTT server and how the gateway device authenticates.
 *
 * @param host     ThingsBoard MQTT host
 * @param port     ThingsBoard MQTT port; unless given 1883, or 8883 with TLS
 * @param security the gateway device's credentials
 * @param qos      MQTT QoS for publishing, 0 or 1 (1 unless given). ThingsBoard grants at most QoS 1, so 2 is
 *                 rejected when loading rather than silently downgraded by the server
 */
public record ThingsBoardConfig(String host, int port, ThingsBoardSecurity security, int qos) {

    /** The port ThingsBoard's MQTT transport listens on without TLS. */
    public static final int DEFAULT_PORT = 1883;
    /** The port ThingsBoard's MQTT transport listens on with TLS. */
    public static final int DEFAULT_TLS_PORT = 8883;

    public ThingsBoardConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
        if (qos < 0 || qos > 1) {
            throw new IllegalArgumentException("qos must be 0 or 1: " + qos);
        }
    }
}
