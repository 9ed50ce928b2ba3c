package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.Meter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device fields {@code clock} and {@code invocationCounterObject}: read, bound, and checked like the rest. */
class ClockAndInvocationCounterConfigTest {

    private static final String GMAC = """
            "authentication": "high-gmac", "blockCipherKey": "000102030405060708090A0B0C0D0E0F",
            "authenticationKey": "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\"""";

    @TempDir
    Path dir;

    private List<ConfigProblem> problemsOf(String... devices) {
        Path main = new ConfigFixture(dir).withDevices(devices);
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigFixture.loader(Map.of()).load(main));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void bothAreReadAndBoundOntoTheMeter() throws Exception {
        Path main = new ConfigFixture(dir).withDevices(
                ConfigFixture.device("m1", GMAC + """
                        , "invocationCounterObject": "0.0.43.1.0.255",
                        "clock": {"interval": "15m", "warnAboveMs": 5000, "correctAboveMs": 20000, "autoCorrect": true}
                        """),
                ConfigFixture.device("m2", "\"clock\": {\"interval\": 600000}"),
                ConfigFixture.device("m3", "\"clock\": {}"),
                ConfigFixture.device("m4", ""));

        List<DeviceConfig> devices = ConfigFixture.loader(Map.of()).load(main).enabledDevices();

        Meter m1 = ConfigBinding.meter(devices.get(0));
        assertThat(m1.client().invocationCounterObject()).contains(ObisCode.parse("0.0.43.1.0.255"));
        assertThat(m1.clockCheck()).contains(new ClockCheck(Duration.ofMinutes(15), Duration.ofSeconds(5),
                Duration.ofSeconds(20), true));
        assertThat(ConfigBinding.meter(devices.get(1)).clockCheck())
                .contains(ClockCheck.defaults().withInterval(Duration.ofMinutes(10)));
        assertThat(ConfigBinding.meter(devices.get(2)).clockCheck()).as("defaults").contains(ClockCheck.defaults());
        assertThat(ConfigBinding.meter(devices.get(3)).clockCheck()).as("no clock check unless asked").isEmpty();
        assertThat(ConfigBinding.meter(devices.get(3)).client().invocationCounterObject()).isEmpty();
    }

    @Test
    void mistakesAreReportedWithFileFieldAndReason() {
        List<ConfigProblem> problems = problemsOf(
                ConfigFixture.device("m1", "\"clock\": {\"interval\": \"15 minutes\"}"),
                ConfigFixture.device("m2", "\"clock\": {\"interval\": 1000, \"warnAboveMs\": -1}"),
                ConfigFixture.device("m3", "\"clock\": {\"autocorrect\": true, \"correctAboveMs\": 10}"),
                ConfigFixture.device("m4", "\"clock\": 5"),
                ConfigFixture.device("m5", "\"invocationCounterObject\": \"0.0.43.1.0.255\""),
                ConfigFixture.device("m6", GMAC + ", \"invocationCounterObject\": \"0.0.43.1\""));

        assertThat(problems).allSatisfy(p -> assertThat(p.file()).endsWith("dlms_connector.json"));
        assertThat(problems).extracting(ConfigProblem::path, ConfigProblem::message).containsExactly(
                Tuple.tuple("devices[0].clock.interval",
                        "expected milliseconds or a number with a unit (ms, s, m, h, d), got \"15 minutes\""),
                Tuple.tuple("devices[1].clock.interval", "1000 is out of range 10000..604800000"),
                Tuple.tuple("devices[1].clock.warnAboveMs", "-1 is out of range 0..86400000"),
                Tuple.tuple("devices[2].clock.correctAboveMs", "10 is out of range 1000..86400000"),
                Tuple.tuple("devices[2].clock.autocorrect", problems.get(4).message()),
                Tuple.tuple("devices[3].clock", "expected an object, got number 5"),
                Tuple.tuple("devices[4].invocationCounterObject", "only used with authentication high-gmac"),
                Tuple.tuple("devices[5].invocationCounterObject", problems.get(7).message()));
        assertThat(problems.get(4).message()).startsWith("unknown field; expected one of: interval, warnAboveMs,"
                + " correctAboveMs, autoCorrect");
        assertThat(problems.get(7).message()).contains("0.0.43.1");
    }
}
