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
        // valid, but the example's placeholder token and meter are said to be left in
        assertThat(out.toString().lines()).containsExactly("OK: " + example
                + ": 1 connector, 1 device (4 measurements), ThingsBoard localhost:1883 (accessToken); 2 warnings:",
                "warning: " + example + ": thingsboard.security.accessToken: 'YOUR_GATEWAY_TOKEN_HERE' looks like a"
                        + " placeholder: put the access token of the gateway device from ThingsBoard here (or"
                        + " ${env:TB_GATEWAY_TOKEN})",
                "warning: " + Path.of("..", "config", "dlms_connector.json") + ": devices[0]: is the shipped example's"
                        + " meter (medidor_principal at 192.168.1.127:3333): replace it with your meters");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shippedExampleWithControlAndPushIsValid() {
        String example = Path.of("..", "config", "examples", "tb_gateway.yaml").toString();

        int exit = run("check-config", "--config", example);

        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString().lines().findFirst()).contains("OK: " + example
                + ": 1 connector, 3 devices (5 measurements, 1 push-only), pushes on 0.0.0.0:4059, ThingsBoard"
                + " localhost:1883 (accessToken); 1 warning:");
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
            // summed up under the file they are in, not the YAML that names it
            assertThat(lines.get(3)).isEqualTo("3 problems in " + json);
        });
    }

    @Test
    void documentationAddressesAreWarnedAbout() throws IOException {
        Files.writeString(dir.resolve("tb_gateway.yaml"), Files.readString(Path.of("..", "config", "tb_gateway.yaml"))
                .replace("YOUR_GATEWAY_TOKEN_HERE", "A1b2C3d4E5f6").replace("host: localhost", "host: tb.example.com"));
        Files.writeString(dir.resolve("dlms_connector.json"), """
                {"devices": [
                  {"name": "a", "host": "203.0.113.7", "port": 4059, "measurements": ["frequency"]},
                  {"name": "b", "host": "10.1.2.3", "port": 4059, "measurements": ["frequency"]}
                ]}""");
        String main = dir.resolve("tb_gateway.yaml").toString();

        int exit = run("check-config", "--config", main);

        assertThat(exit).isZero();
        assertThat(out.toString().lines()).hasSize(3).satisfies(lines -> {
            assertThat(lines.get(0)).endsWith("; 2 warnings:");
            assertThat(lines.get(1)).isEqualTo("warning: " + main + ": thingsboard.host: tb.example.com is a name"
                    + " reserved for documentation (RFC 2606), not a ThingsBoard");
            assertThat(lines.get(2)).isEqualTo("warning: " + dir.resolve("dlms_connector.json") + ": devices[0].host:"
                    + " 203.0.113.7 is an address reserved for documentation (RFC 5737), not a meter");
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
