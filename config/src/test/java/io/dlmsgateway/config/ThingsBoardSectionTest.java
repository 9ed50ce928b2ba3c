package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ThingsBoard IoT gateway's own fields of the {@code thingsboard} section, as its users write them. */
class ThingsBoardSectionTest {

    @TempDir
    Path dir;

    private Path withThingsBoard(String extra) {
        String yaml = ConfigFixture.MAIN_YAML.replace("  qos: 1\n", "  qos: 1\n" + extra);
        return new ConfigFixture(dir).write(yaml, "{\"devices\": [" + ConfigFixture.device("m1", "") + "]}");
    }

    private ThingsBoardConfig load(Path main) throws ConfigException {
        return ConfigFixture.loader(Map.of()).load(main).thingsBoard();
    }

    private List<ConfigProblem> problems(Path main) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(main));
        assertThat(e).isNotNull();
        return e.problems();
    }

    @Test
    void defaultsWhenAbsent() throws Exception {
        ThingsBoardConfig tb = load(withThingsBoard(""));
        assertThat(tb.statsSendPeriod()).hasValue(Duration.ofSeconds(60));
        assertThat(tb.maxPayloadSize()).isEqualTo(65_536);
        assertThat(tb.minPackSendDelay()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void theIotGatewaysFieldsAreRead() throws Exception {
        ThingsBoardConfig tb = load(withThingsBoard("""
                  statistics:
                    enable: true
                    statsSendPeriodInSeconds: 30
                  maxPayloadSizeBytes: 8196
                  minPackSendDelayMS: 50
                """));
        assertThat(tb.statsSendPeriod()).hasValue(Duration.ofSeconds(30));
        assertThat(tb.maxPayloadSize()).isEqualTo(8196);
        assertThat(tb.minPackSendDelay()).isEqualTo(Duration.ofMillis(50));

        assertThat(load(withThingsBoard("  statistics:\n    enable: false\n")).statsSendPeriod()).isEmpty();
    }

    @Test
    void outOfRangeValuesAreReportedWithTheirPath() {
        List<ConfigProblem> problems = problems(withThingsBoard("""
                  statistics:
                    statsSendPeriodInSeconds: 0
                  maxPayloadSizeBytes: 100
                """));
        assertThat(problems).extracting(ConfigProblem::path)
                .containsExactly("thingsboard.statistics.statsSendPeriodInSeconds", "thingsboard.maxPayloadSizeBytes");
    }

    @Test
    void tlsAccessTokenNeedsAnExistingCaFileAndDefaultsToPort8883() throws Exception {
        Path main = withThingsBoard("");
        String yaml = java.nio.file.Files.readString(main).replace("""
                    type: accessToken
                    accessToken: "TOKEN"
                """, """
                    type: tlsAccessToken
                    accessToken: "TOKEN"
                    caCert: ca.pem
                """).replace("  port: 1883\n", "");
        java.nio.file.Files.writeString(main, yaml);
        assertThat(problems(main)).extracting(ConfigProblem::path).containsExactly("thingsboard.security.caCert");

        java.nio.file.Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        ThingsBoardConfig tb = load(main);
        assertThat(tb.port()).isEqualTo(8883);
        assertThat(tb.security()).isEqualTo(new ThingsBoardSecurity.TlsAccessToken("TOKEN", dir.resolve("ca.pem")));
        assertThat(tb.security().toString()).doesNotContain("TOKEN");
        assertThat(Optional.of(tb.security().type())).hasValue("tlsAccessToken");
    }

    @Test
    void reconnectDelaysDefaultToOneAndTenSecondsAndBindOntoTheTransport() throws Exception {
        ThingsBoardConfig tb = load(withThingsBoard(""));
        assertThat(tb.initialReconnectDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(tb.maxReconnectDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(ConfigBinding.thingsBoard(tb).build().reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(10));

        ThingsBoardConfig quick = load(withThingsBoard("  initialReconnectDelayMS: 200\n  maxReconnectDelayMS: 3000\n"));
        assertThat(ConfigBinding.thingsBoard(quick).build().reconnectInitialDelay()).isEqualTo(Duration.ofMillis(200));
        assertThat(ConfigBinding.thingsBoard(quick).build().reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void reconnectDelaysOutOfRangeOrInTheWrongOrderAreReported() {
        assertThat(problems(withThingsBoard("  initialReconnectDelayMS: 0\n  maxReconnectDelayMS: 7200000\n")))
                .extracting(p -> p.path() + ": " + p.message() + " (line " + p.line() + ")")
                .containsExactly(
                        "thingsboard.initialReconnectDelayMS: 0 is out of range 10..60000 (line 8)",
                        "thingsboard.maxReconnectDelayMS: 7200000 is out of range 100..3600000 (line 9)");
        assertThat(problems(withThingsBoard("  initialReconnectDelayMS: 5000\n  maxReconnectDelayMS: 1000\n")))
                .extracting(ConfigProblem::message)
                .containsExactly("maxReconnectDelayMS (1000) is below initialReconnectDelayMS (5000)");
    }
}
