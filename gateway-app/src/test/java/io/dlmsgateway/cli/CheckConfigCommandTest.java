package io.dlmsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckConfigCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new DlmsGatewayCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shippedExampleIsValid() {
        String example = Path.of("..", "config", "tb_gateway.yaml").toString();

        int exit = run("check-config", "--config", example);

        assertThat(exit).isZero();
        assertThat(out.toString().strip()).isEqualTo("OK: " + example
                + ": 1 connector, 1 device (4 measurements), ThingsBoard localhost:1883 (accessToken)");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shippedExampleWithControlAndPushIsValid() {
        String example = Path.of("..", "config", "examples", "tb_gateway.yaml").toString();

        int exit = run("check-config", "--config", example);

        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString().strip()).isEqualTo("OK: " + example
                + ": 1 connector, 3 devices (5 measurements), ThingsBoard localhost:1883 (accessToken)");
    }

    @Test
    void everyProblemGoesToStandardErrorWithExitCodeTwo() throws IOException {
        Files.copy(Path.of("..", "config", "tb_gateway.yaml"), dir.resolve("tb_gateway.yaml"));
        Files.writeString(dir.resolve("dlms_connector.json"), """
                {"devices": [
                  {"name": "a", "host": "h", "port": 70000, "measurements": ["frequency"]},
                  {"name": "a", "host": "h", "port": 4059, "measurements": ["voltage_l9"]}
                ]}""");
        String main = dir.resolve("tb_gateway.yaml").toString();
        String json = dir.resolve("dlms_connector.json").toString();

        int exit = run("check-config", "--config", main);

        assertThat(exit).isEqualTo(CheckConfigCommand.EXIT_CONFIG_ERROR).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).hasSize(4).satisfies(lines -> {
            assertThat(lines.get(0)).isEqualTo(json + ": devices[0].port: 70000 is out of range 1..65535 (line 2)");
            assertThat(lines.get(1)).startsWith(json + ": devices[1].name: duplicate device name 'a'");
            assertThat(lines.get(2)).startsWith(json + ": devices[1].measurements[0]: unknown measurement 'voltage_l9'");
            assertThat(lines.get(3)).isEqualTo("3 problems in " + main);
        });
    }

    @Test
    void missingFileIsAConfigError() {
        String missing = dir.resolve("nope.yaml").toString();

        int exit = run("check-config", "--config", missing);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).startsWith(missing + ": file not found");
    }
}
