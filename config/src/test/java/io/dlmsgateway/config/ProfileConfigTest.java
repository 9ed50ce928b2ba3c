package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.ProfileSchedule;
import io.dlmsgateway.gateway.GatewayDevice;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profiles, connector defaults, deviation sign and UTC offset: bound onto the library types, or refused with a reason. */
class ProfileConfigTest {

    private static final ObisCode LOAD = ObisCode.parse("1.0.99.1.0.255");
    private static final ObisCode DAILY = ObisCode.parse("1.0.99.2.0.255");

    @TempDir
    Path dir;

    private GatewayConfig load(String connectorJson) throws ConfigException {
        ConfigFixture fixture = new ConfigFixture(dir);
        return ConfigFixture.loader(Map.of()).load(fixture.write(ConfigFixture.MAIN_YAML, connectorJson));
    }

    private List<ConfigProblem> problems(String connectorJson) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(connectorJson));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.problems();
    }

    private static String devices(String... devices) {
        return "{\"devices\": [" + String.join(",", devices) + "]}";
    }

    @Test
    void profileBindsOntoTheFleetScheduleAndTheGatewayMapping() throws Exception {
        GatewayConfig config = load(devices(ConfigFixture.device("m1", """
                "profiles": [{"obis": "1.0.99.1.0.255", "interval": "15m", "backfill": "7d", "maxRowsPerRead": 200,
                              "maxSpanPerRead": "12h",
                              "timeseriesMapping": {"energy": "${active_energy}", "v1": "${1.0.32.7.0.255}"}}],
                "deviationSign": "inverted", "utcOffset": "+01:00"
                """)));

        DeviceConfig device = config.enabledDevices().get(0);
        Meter meter = ConfigBinding.meter(device);
        assertThat(meter.profiles()).containsExactly(new ProfileSchedule(LOAD, Duration.ofMinutes(15),
                Duration.ofDays(7), 200, Duration.ofHours(12)));
        DlmsClientSettings client = meter.client();
        assertThat(client.deviationSign()).isEqualTo(DeviationSign.INVERTED);
        assertThat(client.clockOffset()).isEqualTo(ZoneOffset.ofHours(1));
        GatewayDevice gatewayDevice = ConfigBinding.device(device);
        assertThat(gatewayDevice.profileMappings().get(LOAD)).containsOnlyKeys("energy", "v1");
    }

    @Test
    void defaultsOfAProfile() throws Exception {
        GatewayConfig config = load(devices(ConfigFixture.device("m1", "\"profiles\": [{\"obis\": \"1.0.99.1.0.255\"}]")));

        assertThat(ConfigBinding.meter(config.enabledDevices().get(0)).profiles())
                .containsExactly(ProfileSchedule.of(LOAD));
        assertThat(ConfigBinding.meter(config.enabledDevices().get(0)).client().deviationSign())
                .isEqualTo(DeviationSign.STANDARD);
    }

    @Test
    void connectorDefaultsApplyToDevicesThatListNoneAndAnEmptyListOptsOut() throws Exception {
        // the defaults come after the devices in the file: the connector file is streamed device by device
        GatewayConfig config = load("""
                {"devices": [%s, %s, %s],
                 "defaults": {"profiles": [{"obis": "1.0.99.1.0.255", "interval": 900000},
                                           {"obis": "1.0.99.2.0.255", "interval": "1d", "backfill": "P30D"}]}}
                """.formatted(ConfigFixture.device("inherits", ""),
                ConfigFixture.device("own", "\"profiles\": [{\"obis\": \"1.0.99.2.0.255\", \"interval\": \"1h\"}]"),
                ConfigFixture.device("none", "\"profiles\": []")));

        List<DeviceConfig> devices = config.enabledDevices();
        assertThat(ConfigBinding.meter(devices.get(0)).profiles()).containsExactly(
                ProfileSchedule.of(LOAD),
                ProfileSchedule.of(DAILY).withInterval(Duration.ofDays(1)).withBackfill(Duration.ofDays(30)));
        assertThat(ConfigBinding.meter(devices.get(1)).profiles()).containsExactly(
                ProfileSchedule.of(DAILY).withInterval(Duration.ofHours(1)));
        assertThat(ConfigBinding.meter(devices.get(2)).profiles()).isEmpty();
    }

    @Test
    void everyMistakeIsReportedWithItsPathAndReason() {
        ConfigFixture fixture = new ConfigFixture(dir);
        List<ConfigProblem> problems = problems(devices(ConfigFixture.device("m1", """
                "profiles": [{"obis": "1.0.99.1.0", "interval": "500ms", "backfill": "401d", "maxRowsPerRead": 0,
                              "maxSpanPerRead": "soon", "timeseriesMapping": {"e": "${energy}"}, "every": 5},
                             {"obis": "1.0.99.2.0.255"}, {"obis": "1.0.99.2.0.255"}, {}],
                "deviationSign": "backwards", "utcOffset": "CET"
                """)));

        assertThat(problems).extracting(ConfigProblem::path, ConfigProblem::message).contains(
                org.assertj.core.groups.Tuple.tuple("devices[0].profiles[0].interval", "500ms is out of range 1s..1d"),
                org.assertj.core.groups.Tuple.tuple("devices[0].profiles[0].backfill", "401d is out of range 1s..400d"),
                org.assertj.core.groups.Tuple.tuple("devices[0].profiles[0].maxRowsPerRead",
                        "0 is out of range 1..10000"),
                org.assertj.core.groups.Tuple.tuple("devices[0].profiles[0].maxSpanPerRead",
                        "expected a duration such as 30s, 15m, 36h or 7d (or whole milliseconds), got string \"soon\""),
                org.assertj.core.groups.Tuple.tuple("devices[0].profiles[2]", "profile 1.0.99.2.0.255 is listed twice"),
                org.assertj.core.groups.Tuple.tuple("devices[0].profiles[3].obis", "required field is missing"),
                org.assertj.core.groups.Tuple.tuple("devices[0].deviationSign",
                        "unknown deviationSign 'backwards'; expected one of: standard, inverted"),
                org.assertj.core.groups.Tuple.tuple("devices[0].utcOffset",
                        "expected an offset from UTC such as +01:00, -05:30 or Z, got 'CET'"));
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.path()).isEqualTo("devices[0].profiles[0].obis");
            assertThat(p.file()).isEqualTo(fixture.connectorFile());
        });
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.path()).isEqualTo("devices[0].profiles[0].timeseriesMapping.e");
            assertThat(p.message()).startsWith("unknown placeholder ${energy}; a profile's columns are named by");
        });
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.path()).isEqualTo("devices[0].profiles[0].every");
            assertThat(p.message()).startsWith("unknown field; expected one of: obis, interval, backfill");
        });
    }

    @Test
    void mistakesInTheConnectorDefaultsAreReportedThere() {
        List<ConfigProblem> problems = problems("""
                {"devices": [%s], "defaults": {"profiles": [{"obis": "1.0.99.1.0.255", "interval": "2d"}],
                                               "pollingInterval": 5000}}
                """.formatted(ConfigFixture.device("m1", "")));

        assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "defaults.profiles[0].interval", "defaults.pollingInterval");
    }
}
