package io.dlmsgateway.config;

import io.dlmsgateway.fleet.PushListenerOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code connectors} in the main file, with the devices of the connector file it names.
 *
 * @param name              the connector's name, for logs
 * @param type              {@code custom} (the Python connector's way, class {@code DLMSConnector}) or {@code dlms}
 * @param className         the {@code class} field; kept so a file round-trips, only {@code DLMSConnector} is valid
 * @param module            the {@code module} field of the Python gateway; accepted and ignored
 * @param enabled           whether the gateway runs it (true unless given)
 * @param configurationFile the connector file, resolved against the main file's directory
 * @param devices           the meters, in file order
 * @param pushListener      the port meters push to ({@code pushListener} of the connector file), when given; one
 *                          connector file of a gateway at most has one
 */
public record ConnectorConfig(String name, Type type, Optional<String> className, Optional<String> module,
                              boolean enabled, Path configurationFile, List<DeviceConfig> devices,
                              Optional<PushListenerOptions> pushListener) {

    /** The connector class name the Python connector registered, accepted for {@code type: custom}. */
    public static final String DLMS_CONNECTOR_CLASS = "DLMSConnector";

    /** Connector types the gateway understands. */
    public enum Type {
        /** {@code custom} with {@code class: DLMSConnector}: the Python gateway's custom-connector form. */
        CUSTOM,
        /** {@code dlms}: the short form. */
        DLMS
    }

    public ConnectorConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(configurationFile, "configurationFile");
        devices = List.copyOf(devices);
        Objects.requireNonNull(pushListener, "pushListener");
    }

    /** A connector whose file has no push listener. */
    public ConnectorConfig(String name, Type type, Optional<String> className, Optional<String> module,
            boolean enabled, Path configurationFile, List<DeviceConfig> devices) {
        this(name, type, className, module, enabled, configurationFile, devices, Optional.empty());
    }
}
