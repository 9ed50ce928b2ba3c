package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code metrics} section of the main file: off unless enabled, loopback by default, every mistake named. */
class MetricsConfigTest {

    @TempDir
    Path dir;

    private ConfigFixture fixture;

    private Optional<MetricsConfig> load(String metrics) throws ConfigException {
        fixture = new ConfigFixture(dir);
        Path main = fixture.write(ConfigFixture.MAIN_YAML + metrics, "{\"devices\": ["
                + ConfigFixture.device("m1", "") + "]}");
        return ConfigFixture.loader(Map.of()).load(main).metrics();
    }

    private List<String> problems(String metrics) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(metrics));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void offUnlessEnabled() throws Exception {
        assertThat(load("")).isEmpty();
        assertThat(load("metrics:\n  port: 9100\n")).isEmpty();
    }

    @Test
    void enabledOnLoopbackWithTheDefaults() throws Exception {
        assertThat(load("metrics:\n  enabled: true\n")).contains(new MetricsConfig("127.0.0.1", 9464, false, 100));
        assertThat(load("""
                metrics:
                  enabled: true
                  host: 0.0.0.0
                  port: 9100
                  perDevice: true
                  maxDevices: 500
                """)).contains(new MetricsConfig("0.0.0.0", 9100, true, 500));
    }

    @Test
    void mistakesAreNamedWithTheirPath() {
        assertThat(problems("""
                metrics:
                  enabled: true
                  port: 70000
                  maxDevices: 0
                  host: "local host"
                  scrape: yes
                """)).anyMatch(p -> p.contains("metrics.port: 70000 is out of range 1..65535"))
                .anyMatch(p -> p.contains("metrics.maxDevices: 0 is out of range 1..10000"))
                .anyMatch(p -> p.contains("metrics.host: expected an address to listen on"))
                .anyMatch(p -> p.contains("metrics.scrape"));
    }
}
