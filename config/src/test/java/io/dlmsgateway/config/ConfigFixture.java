package io.dlmsgateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes a main YAML file and a connector JSON file into a directory, the seed's example unless told otherwise. */
final class ConfigFixture {

    static final String MAIN_YAML = """
            thingsboard:
              host: localhost
              port: 1883
              security:
                type: accessToken
                accessToken: "TOKEN"
              qos: 1
            connectors:
              - name: "DLMS Connector"
                type: custom
                class: DLMSConnector
                module: dlms_connector
                enabled: true
                configuration: "dlms_connector.json"
            """;

    /** The seed's device; {@code %s} takes extra fields (with a leading comma) or nothing. */
    static final String DEVICE = """
            {
              "name": "%s",
              "deviceType": "DLMS_Energy_Meter",
              "host": "192.168.1.127",
              "port": 3333,
              "pollingInterval": 5000,
              "measurements": ["voltage_l1", "current_l1", "active_power", "frequency"],
              "attributesMapping": {"host": "${host}", "port": "${port}", "meter_type": "DLMS/COSEM"},
              "timeseriesMapping": {"voltage_l1": "${voltage_l1}", "current_l1": "${current_l1}",
                                    "active_power": "${active_power}", "frequency": "${frequency}"}
              %s
            }""";

    private final Path directory;

    ConfigFixture(Path directory) {
        this.directory = directory;
    }

    /** A seed-like device named {@code name} with {@code extra} fields, e.g. {@code "framing": "hdlc"}. */
    static String device(String name, String extra) {
        return DEVICE.formatted(name, extra.isEmpty() ? "" : ", " + extra);
    }

    /** Writes the seed's main file and a connector file with these devices; returns the main file. */
    Path withDevices(String... devices) {
        return write(MAIN_YAML, "{\"devices\": [" + String.join(",\n", devices) + "]}");
    }

    Path write(String mainYaml, String connectorJson) {
        file("dlms_connector.json", connectorJson);
        return file("tb_gateway.yaml", mainYaml);
    }

    Path file(String name, String content) {
        try {
            Path path = directory.resolve(name);
            Files.writeString(path, content);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String connectorFile() {
        return directory.resolve("dlms_connector.json").toString();
    }

    String mainFile() {
        return directory.resolve("tb_gateway.yaml").toString();
    }

    static GatewayConfigLoader loader(Map<String, String> environment) {
        return GatewayConfigLoader.withEnvironment(environment::get);
    }
}
