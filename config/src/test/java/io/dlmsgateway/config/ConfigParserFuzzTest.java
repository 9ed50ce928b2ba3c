package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whatever the files say, loading a configuration either returns one or throws {@link ConfigException} with at least
 * one problem naming its file and why; nothing else comes out (no parser exception, no InvalidPathException, no
 * NullPointerException, no StackOverflowError from deep nesting). A configuration it returns binds onto the library
 * types ({@link ConfigBinding#gatewaySettings}) without an exception.
 *
 * <p>An input is a connector file, JSON (read through the fixed main file below) or, when it starts with
 * {@code # yaml}, YAML; or, when it holds a line {@code --- connector ---}, a main YAML file (before) and its
 * connector JSON file (after). Seeds are under src/test/resources/io/dlmsgateway/config/ConfigParserFuzzTestInputs.
 * A normal build replays them; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration}.
 */
class ConfigParserFuzzTest {

    private static final String SPLIT = "\n--- connector ---\n";
    private static final String MAIN = """
            thingsboard:
              host: localhost
              security:
                type: accessToken
                accessToken: "${env:TB_TOKEN}"
            connectors:
              - name: "DLMS Connector"
                type: dlms
                configuration: "%s"
            """;
    private static final Path DIR = directory();

    @FuzzTest(maxDuration = "5s")
    void loadsOrReportsProblems(byte[] input) throws IOException {
        String text = new String(input, StandardCharsets.UTF_8);
        String main;
        String connector;
        String connectorName;
        int split = text.indexOf(SPLIT);
        if (split >= 0) {
            main = text.substring(0, split);
            connector = text.substring(split + SPLIT.length());
            connectorName = "dlms_connector.json";
        } else {
            connectorName = text.startsWith("# yaml") ? "dlms_connector.yaml" : "dlms_connector.json";
            main = MAIN.formatted(connectorName);
            connector = text;
        }
        Files.writeString(DIR.resolve(connectorName), connector, StandardCharsets.UTF_8);
        Path mainFile = Files.writeString(DIR.resolve("tb_gateway.yaml"), main, StandardCharsets.UTF_8);
        try {
            GatewayConfig config = GatewayConfigLoader.withEnvironment(Map.of("TB_TOKEN", "TOKEN")::get)
                    .load(mainFile);
            assertThat(config.connectors()).isNotEmpty();
            // what the files allow binds: no record of the fleet or the gateway refuses a validated configuration
            assertThat(ConfigBinding.gatewaySettings(config).devices()).hasSize(config.enabledDevices().size());
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.file()).isNotEmpty();
                assertThat(p.message()).isNotBlank();
            });
        }
    }

    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("config-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
