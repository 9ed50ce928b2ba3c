package io.dlmsgateway.config;

import io.dlmsgateway.fleet.PushListenerOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole gateway configuration: where ThingsBoard is and which connectors (with their meters) run.
 *
 * @param file        the main configuration file it was read from
 * @param thingsBoard the ThingsBoard server and the gateway device's credentials
 * @param connectors  the connectors, in file order, enabled or not
 * @param storage     where readings wait for ThingsBoard's acknowledgement
 */
public record GatewayConfig(Path file, ThingsBoardConfig thingsBoard, List<ConnectorConfig> connectors,
                            StorageConfig storage, Optional<MetricsConfig> metrics) {

    public GatewayConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(thingsBoard, "thingsBoard");
        connectors = List.copyOf(connectors);
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** A configuration without a metrics endpoint. */
    public GatewayConfig(Path file, ThingsBoardConfig thingsBoard, List<ConnectorConfig> connectors,
            StorageConfig storage) {
        this(file, thingsBoard, connectors, storage, Optional.empty());
    }

    /** A configuration with the default storage, next to {@code file}. */
    public GatewayConfig(Path file, ThingsBoardConfig thingsBoard, List<ConnectorConfig> connectors) {
        this(file, thingsBoard, connectors, StorageConfig.defaults(directoryOf(file)));
    }

    private static Path directoryOf(Path file) {
        Path parent = file.getParent();
        return parent == null ? Path.of("") : parent;
    }

    /** The devices of every enabled connector, in file order. */
    public List<DeviceConfig> enabledDevices() {
        return connectors.stream().filter(ConnectorConfig::enabled).flatMap(c -> c.devices().stream()).toList();
    }

    /** The push listener of the enabled connector whose file has one (at most one has, see the parser). */
    public Optional<PushListenerOptions> pushListener() {
        return connectors.stream().filter(ConnectorConfig::enabled).flatMap(c -> c.pushListener().stream())
                .findFirst();
    }
}
