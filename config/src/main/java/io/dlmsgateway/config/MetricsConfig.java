package io.dlmsgateway.config;

import java.util.Objects;

/**
 * The {@code metrics} section of {@code tb_gateway.yaml}: {@code /metrics} (Prometheus) and {@code /health/live},
 * {@code /health/ready} over HTTP, present only when {@code enabled: true}.
 *
 * @param host       address to listen on; loopback unless configured, since the series name the meters
 * @param port       TCP port
 * @param perDevice  also series per meter
 * @param maxDevices at most this many meters get series of their own
 */
public record MetricsConfig(String host, int port, boolean perDevice, int maxDevices) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The port Prometheus exporters of this kind commonly take (the OpenTelemetry Prometheus exporter's). */
    public static final int DEFAULT_PORT = 9464;
    public static final int DEFAULT_MAX_DEVICES = 100;

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
    }
}
