package io.dlmsgateway.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Where the gateway's metrics go and how many there are.
 *
 * @param registry   the host's Micrometer registry (Prometheus, OTLP, JMX, ...)
 * @param perDevice  also a few series per meter ({@code device} tag), for at most {@code maxDevices} meters in
 *                   configuration order; off by default, since a series per meter of a large fleet is what makes a
 *                   monitoring system slow
 * @param maxDevices bound of the per-device series, 1..10 000
 */
public record MetricsOptions(MeterRegistry registry, boolean perDevice, int maxDevices) {

    /** Most meters with their own series unless said otherwise. */
    public static final int DEFAULT_MAX_DEVICES = 100;

    public MetricsOptions {
        Objects.requireNonNull(registry, "registry");
        if (maxDevices < 1 || maxDevices > 10_000) {
            throw new IllegalArgumentException("maxDevices " + maxDevices + " is out of range 1..10000");
        }
    }

    /** The gateway-wide series only. */
    public static MetricsOptions of(MeterRegistry registry) {
        return new MetricsOptions(registry, false, DEFAULT_MAX_DEVICES);
    }
}
