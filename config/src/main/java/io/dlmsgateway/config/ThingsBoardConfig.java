package io.dlmsgateway.config;

import io.dlmsgateway.gateway.GatewaySettings;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code thingsboard} section: the MQTT server and how the gateway device authenticates.
 *
 * @param host     ThingsBoard MQTT host
 * @param port     ThingsBoard MQTT port; unless given 1883, or 8883 with TLS
 * @param security the gateway device's credentials
 * @param qos      MQTT QoS for publishing, 0 or 1 (1 unless given). ThingsBoard grants at most QoS 1, so 2 is
 *                 rejected when loading rather than silently downgraded by the server
 * @param statsSendPeriod  how often the gateway publishes its own statistics ({@code statistics.statsSendPeriodInSeconds});
 *                         empty when {@code statistics.enable} is false
 * @param maxPayloadSize   largest MQTT publish in bytes ({@code maxPayloadSizeBytes}); ThingsBoard's default limit
 *                         unless given; lowered at run time when ThingsBoard reports smaller session limits
 * @param minPackSendDelay longest a reading waits for others to fill a telemetry batch ({@code minPackSendDelayMS})
 * @param initialReconnectDelay first wait before reconnecting to ThingsBoard ({@code initialReconnectDelayMS})
 * @param maxReconnectDelay     longest wait between reconnect attempts, which double up to it
 *                              ({@code maxReconnectDelayMS}); the MQTT client adds a jitter of up to ±25 %
 */
public record ThingsBoardConfig(String host, int port, ThingsBoardSecurity security, int qos,
                                Optional<Duration> statsSendPeriod, int maxPayloadSize, Duration minPackSendDelay,
                                Duration initialReconnectDelay, Duration maxReconnectDelay) {

    /** ThingsBoard's own default limit of an MQTT message (NETTY_MAX_PAYLOAD_SIZE), fixed on ThingsBoard Cloud. */
    public static final int DEFAULT_MAX_PAYLOAD_SIZE = 65_536;
    /** Statistics period unless given. */
    public static final Duration DEFAULT_STATS_SEND_PERIOD = GatewaySettings.DEFAULT_STATISTICS_PERIOD;
    /** Batch wait unless given. */
    public static final Duration DEFAULT_MIN_PACK_SEND_DELAY = GatewaySettings.DEFAULT_PACK_DELAY;

    /** First reconnect delay unless given. */
    public static final Duration DEFAULT_INITIAL_RECONNECT_DELAY = ThingsBoardSettings.DEFAULT_RECONNECT_INITIAL_DELAY;
    /** Longest reconnect delay unless given: a broker back after an outage is reached within seconds. */
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = ThingsBoardSettings.DEFAULT_RECONNECT_MAX_DELAY;

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
        Objects.requireNonNull(statsSendPeriod, "statsSendPeriod");
        Objects.requireNonNull(minPackSendDelay, "minPackSendDelay");
        Objects.requireNonNull(initialReconnectDelay, "initialReconnectDelay");
        Objects.requireNonNull(maxReconnectDelay, "maxReconnectDelay");
    }

    /** With the default reconnect delays. */
    public ThingsBoardConfig(String host, int port, ThingsBoardSecurity security, int qos,
                             Optional<Duration> statsSendPeriod, int maxPayloadSize, Duration minPackSendDelay) {
        this(host, port, security, qos, statsSendPeriod, maxPayloadSize, minPackSendDelay,
                DEFAULT_INITIAL_RECONNECT_DELAY, DEFAULT_MAX_RECONNECT_DELAY);
    }

    /** A server with the defaults for everything but its address, credentials and QoS. */
    public ThingsBoardConfig(String host, int port, ThingsBoardSecurity security, int qos) {
        this(host, port, security, qos, Optional.of(DEFAULT_STATS_SEND_PERIOD), DEFAULT_MAX_PAYLOAD_SIZE,
                DEFAULT_MIN_PACK_SEND_DELAY);
    }
}
