package io.dlmsgateway.cli;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.gateway.ThingsBoardStandIn;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway process with every logger at TRACE, reading one HIGH_GMAC meter and one LOW meter and publishing to a
 * broker with an access token, never prints a secret: not the password, not the keys, not the token, in plain text,
 * hex or spaced hex, upper or lower case. Gurux's security logging prints the keys at FINEST unless clamped.
 */
class SecretsStayOutOfLogsTest {

    // made up for this test, so that a match in the output can only be the configured secret
    private static final byte[] BLOCK_CIPHER_KEY = HexFormat.of().parseHex("3A7C19E2B45D08F16E9320CA5B7D4E81");
    private static final byte[] AUTHENTICATION_KEY = HexFormat.of().parseHex("C4E0925B7318AF6D02BE47F9135CA86E");
    private static final String PASSWORD = "Pw-7q2Zk9Lx";
    private static final String ACCESS_TOKEN = "TOKEN-r8Vn3Kc5Wd";

    @TempDir
    Path dir;

    /** What a person debugging a meter does with the shipped logback.xml: {@code -DLOG_LEVEL=TRACE}. */
    @Test
    void theShippedLoggingConfigurationAtTraceNeverPrintsASecret() throws Exception {
        Path shipped = Path.of("../config/logback.xml").toAbsolutePath();
        List<String> output = runGatewayAtTrace(List.of("-Dlogback.configurationFile=" + shipped,
                "-DLOG_LEVEL=TRACE"));
        assertNoSecretIn(output);
    }

    /**
     * A configuration of the user's own that sets Gurux's loggers to TRACE, written to a synchronous console so that
     * no line is dropped on the way: the gateway's filters on Gurux's loggers still keep the keys out.
     */
    @Test
    void aUsersOwnConfigurationWithGuruxAtTraceNeverPrintsAKey() throws Exception {
        Path own = Files.writeString(dir.resolve("logback-own.xml"), """
                <configuration>
                  <contextListener class="ch.qos.logback.classic.jul.LevelChangePropagator"/>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%level %logger - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="gurux" level="TRACE"/>
                  <logger name="io.dlmsgateway" level="TRACE"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        List<String> output = runGatewayAtTrace(List.of("-Dlogback.configurationFile=" + own));
        assertNoSecretIn(output);
    }

    private List<String> runGatewayAtTrace(List<String> loggingProperties) throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(2).framing(Framing.WRAPPER).workerThreads(1).password(PASSWORD)
                .blockCipherKey(BLOCK_CIPHER_KEY).authenticationKey(AUTHENTICATION_KEY).build());
             EmbeddedBroker broker = thingsBoard.start(0)) {
            Path main = writeConfigFiles(simulator, broker.port());
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            command.addAll(loggingProperties);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    "io.dlmsgateway.cli.DlmsGatewayCommand", "run", "--config", main.toString()));
            Process gateway = new ProcessBuilder(command).redirectErrorStream(true).start();
            ChildOutput output = ChildOutput.of(gateway);
            try {
                awaitTrue(Duration.ofSeconds(60), () -> !thingsBoard.telemetry("gmac-meter").isEmpty()
                        && !thingsBoard.telemetry("low-meter").isEmpty(), "readings of both secured meters");
                // a few more polls, each one a ciphered exchange Gurux would log
                Thread.sleep(1_500);
            } finally {
                gateway.destroy(); // SIGTERM: the graceful stop flushes the asynchronous appender
                if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                    gateway.destroyForcibly();
                }
                output.awaitEnd(5_000);
            }
            List<String> lines = output.lines();
            // the run really logged at TRACE (else a quiet log would pass for a safe one)
            assertThat(lines).as("gateway output").anyMatch(l -> l.contains("TRACE") || l.contains("DEBUG"));
            return lines;
        }
    }

    private static void assertNoSecretIn(List<String> output) {
        Set<String> forms = new LinkedHashSet<>();
        forms.addAll(forms(PASSWORD.getBytes(StandardCharsets.UTF_8)));
        forms.add(PASSWORD);
        forms.addAll(forms(ACCESS_TOKEN.getBytes(StandardCharsets.UTF_8)));
        forms.add(ACCESS_TOKEN);
        forms.addAll(forms(BLOCK_CIPHER_KEY));
        forms.addAll(forms(AUTHENTICATION_KEY));
        String all = String.join("\n", output);
        Set<String> found = forms.stream().filter(all::contains).collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> leaking = output.stream().filter(l -> found.stream().anyMatch(l::contains)).limit(5).toList();
        assertThat(found).as("secrets in %d lines of output, e.g. %s", output.size(), leaking).isEmpty();
    }

    /** Hex, and hex with a space or colon between bytes, each in upper and lower case. */
    private static List<String> forms(byte[] secret) {
        String hex = HexFormat.of().withUpperCase().formatHex(secret);
        String spaced = HexFormat.ofDelimiter(" ").withUpperCase().formatHex(secret);
        String colons = HexFormat.ofDelimiter(":").withUpperCase().formatHex(secret);
        List<String> forms = new ArrayList<>();
        for (String form : List.of(hex, spaced, colons)) {
            forms.add(form);
            forms.add(form.toLowerCase(Locale.ROOT));
        }
        return forms;
    }

    private Path writeConfigFiles(MeterSimulator simulator, int brokerPort) throws IOException {
        Files.writeString(dir.resolve("dlms_connector.json"), """
                {"devices": [
                  {"name": "gmac-meter", "host": "127.0.0.1", "port": %d, "pollingInterval": 300,
                   "measurements": ["voltage_l1", "frequency"], "timeseriesMapping": {"voltage_l1": "${voltage_l1}"},
                   "authentication": "high-gmac", "blockCipherKey": "%s", "authenticationKey": "%s"},
                  {"name": "low-meter", "host": "127.0.0.1", "port": %d, "pollingInterval": 300,
                   "measurements": ["voltage_l1", "frequency"], "timeseriesMapping": {"voltage_l1": "${voltage_l1}"},
                   "authentication": "low", "password": "%s"}
                ]}""".formatted(simulator.addresses().get(0).getPort(), HexFormat.of().formatHex(BLOCK_CIPHER_KEY),
                HexFormat.of().formatHex(AUTHENTICATION_KEY), simulator.addresses().get(1).getPort(), PASSWORD));
        return Files.writeString(dir.resolve("tb_gateway.yaml"), """
                thingsboard:
                  host: 127.0.0.1
                  port: %d
                  security:
                    type: accessToken
                    accessToken: "%s"
                  minPackSendDelayMS: 50
                connectors:
                  - name: "DLMS Connector"
                    type: dlms
                    configuration: "dlms_connector.json"
                storage:
                  type: file
                  path: data/spool
                """.formatted(brokerPort, ACCESS_TOKEN));
    }
}
