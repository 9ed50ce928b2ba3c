package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.IntNode;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.fleet.ControlClient;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.PushListenerOptions;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.gateway.AttributeWrite;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.GatewaySettings;
import io.dlmsgateway.gateway.PushMapping;
import io.dlmsgateway.gateway.PushMapping.PushValue;
import io.dlmsgateway.gateway.RpcMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's configuration: a device's {@code rpc}, {@code attributeUpdates} (also per {@code deviceTypes}),
 * {@code control} and {@code push}, push-only devices, the connector file's {@code pushListener}: bound onto the
 * contract types in {@link ConfigBinding}, or refused with file, path and reason.
 */
class WritesControlPushConfigTest {

    private static final ObisCode NOTE = ObisCode.parse("0.0.96.1.1.255");
    private static final String LISTENER = "\"pushListener\": {\"port\": 4059}";

    @TempDir
    Path dir;

    private GatewayConfig load(String connectorJson) throws ConfigException {
        return load(connectorJson, Map.of());
    }

    private GatewayConfig load(String connectorJson, Map<String, String> environment) throws ConfigException {
        ConfigFixture fixture = new ConfigFixture(dir);
        return ConfigFixture.loader(environment).load(fixture.write(ConfigFixture.MAIN_YAML, connectorJson));
    }

    private List<ConfigProblem> problems(String connectorJson) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(connectorJson));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo(
                dir.resolve("dlms_connector.json").normalize().toString()));
        return e.problems();
    }

    /** Path and message of each problem, to compare as tuples. */
    private List<org.assertj.core.groups.Tuple> pathsAndMessages(String connectorJson) {
        return problems(connectorJson).stream().map(p -> tuple(p.path(), p.message())).toList();
    }

    private static String devices(String... devices) {
        return "{\"devices\": [" + String.join(",", devices) + "]}";
    }

    private static String device(String name, String extra) {
        return ConfigFixture.device(name, extra);
    }

    // ---- rpc ---------------------------------------------------------------------------------------------------

    @Test
    void rpcListBindsOntoRpcMethodsInOrder() throws Exception {
        GatewayConfig config = load(devices(device("m1", """
                "rpc": [{"method": "setCustomerNote", "type": "set", "obis": "0.0.96.1.1.255", "classId": 1,
                         "attribute": 2, "valueType": "octet-string"},
                        {"method": "readCustomerNote", "type": "get", "obis": "0.0.96.1.1.255", "classId": 1,
                         "attribute": 2},
                        {"method": "clearAlarms", "type": "execute", "obis": "0.0.97.98.0.255", "classId": 9,
                         "methodIndex": 1, "valueType": "long-unsigned", "value": 1}]
                """)));

        GatewayDevice device = ConfigBinding.device(config.enabledDevices().get(0));
        assertThat(device.rpcMethods()).containsExactly(
                Map.entry("setCustomerNote", new RpcMethod("setCustomerNote", RpcMethod.Kind.SET, 1, NOTE, 2,
                        Optional.of(DlmsType.OCTET_STRING), Optional.empty())),
                Map.entry("readCustomerNote", new RpcMethod("readCustomerNote", RpcMethod.Kind.GET, 1, NOTE, 2,
                        Optional.empty(), Optional.empty())),
                Map.entry("clearAlarms", new RpcMethod("clearAlarms", RpcMethod.Kind.EXECUTE, 9,
                        ObisCode.parse("0.0.97.98.0.255"), 1, Optional.of(DlmsType.LONG_UNSIGNED),
                        Optional.of(IntNode.valueOf(1)))));
        assertThat(device.polled()).isTrue();
    }

    @Test
    void rpcProblemsEachWithItsPathAndReason() {
        assertThat(pathsAndMessages(devices(device("m1", """
                "rpc": [{"method": "a", "type": "write", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2},
                        {"method": "remoteDisconnect", "type": "execute", "obis": "0.0.96.3.10.255",
                         "classId": 70, "methodIndex": 1},
                        {"method": "b", "type": "set", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2,
                         "methodIndex": 1, "valueType": "word"},
                        {"method": "c", "type": "execute", "obis": "0.0.96.1.1.255", "classId": 70000,
                         "attribute": 2},
                        {"method": "d", "type": "get", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 128,
                         "value": 1},
                        {"method": "e", "type": "get", "obis": "1.2.3", "classId": 1, "attribute": 2},
                        {"method": "e", "type": "get", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2,
                         "colour": "red"},
                        {"method": "e", "type": "get", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 3}]
                """)))).containsExactly(
                tuple("devices[0].rpc[0].type", "unknown type 'write'; expected get, set or execute"),
                tuple("devices[0].rpc[1].method", "'remoteDisconnect' is a built-in RPC (read, reconnect, "
                        + "getStatistics, getClock, syncClock, get, set, execute, remoteDisconnect, remoteReconnect, "
                        + "getRelayState); choose another name"),
                tuple("devices[0].rpc[2].methodIndex", "only used with type execute"),
                tuple("devices[0].rpc[2].valueType", "unknown DLMS type 'word'; expected one of: "
                        + DlmsType.names()),
                tuple("devices[0].rpc[3].classId", "70000 is out of range 0..65535"),
                tuple("devices[0].rpc[3].attribute", "only used with type get or set; an execute names its "
                        + "methodIndex"),
                tuple("devices[0].rpc[3].methodIndex", "required field is missing"),
                tuple("devices[0].rpc[4].attribute", "128 is out of range 1..127"),
                tuple("devices[0].rpc[4].value", "only used with type set or execute"),
                tuple("devices[0].rpc[5].obis", "malformed OBIS code '1.2.3': expected six value groups such as 1.0.32.7.0.255"),
                tuple("devices[0].rpc[6].colour", "unknown field; expected one of: method, type, obis, classId, "
                        + "attribute, methodIndex, valueType, value"),
                tuple("devices[0].rpc[7].method", "RPC method 'e' is listed twice"));
    }

    @Test
    void aFixedValueIsCheckedAgainstItsValueType() {
        List<ConfigProblem> problems = problems(devices(device("m1", """
                "rpc": [{"method": "tooBig", "type": "set", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2,
                         "valueType": "unsigned", "value": 300},
                        {"method": "fits", "type": "set", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2,
                         "valueType": "unsigned", "value": 255},
                        {"method": "notHex", "type": "execute", "obis": "0.0.96.1.1.255", "classId": 1,
                         "methodIndex": 1, "valueType": "octet-string", "value": "xyz"}]
                """)));

        assertThat(problems).extracting(ConfigProblem::path)
                .containsExactly("devices[0].rpc[0].value", "devices[0].rpc[2].value");
        assertThat(problems.get(0).message()).startsWith("cannot be sent as unsigned: ").contains("0..255");
        assertThat(problems.get(1).message()).startsWith("cannot be sent as octet-string: ");
    }

    @Test
    void atMostOneHundredRpcMethodsPerDevice() throws Exception {
        String entry = "{\"method\": \"m%d\", \"type\": \"get\", \"obis\": \"0.0.96.1.1.255\", \"classId\": 1,"
                + " \"attribute\": 2}";
        String hundred = IntStream.range(0, 100).mapToObj(entry::formatted).collect(Collectors.joining(","));
        assertThat(load(devices(device("m1", "\"rpc\": [" + hundred + "]"))).enabledDevices().get(0).rpcMethods())
                .hasSize(100);

        assertThat(pathsAndMessages(devices(device("m1", "\"rpc\": [" + hundred + ", " + entry.formatted(100)
                + "]")))).containsExactly(tuple("devices[0].rpc", "101 RPC methods; at most 100 per device"));
    }

    // ---- attributeUpdates --------------------------------------------------------------------------------------

    @Test
    void attributeUpdatesBindOntoAttributeWrites() throws Exception {
        GatewayConfig config = load(devices(device("m1", """
                "attributeUpdates": [{"key": "customerNote", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2,
                                      "valueType": "octet-string", "retry": true},
                                     {"key": "tariff", "obis": "0.0.96.14.0.255", "classId": 1, "attribute": 2}]
                """)));

        assertThat(ConfigBinding.device(config.enabledDevices().get(0)).attributeWrites()).containsExactly(
                Map.entry("customerNote", new AttributeWrite("customerNote", new CosemAttribute(1, NOTE, 2),
                        Optional.of(DlmsType.OCTET_STRING), true)),
                Map.entry("tariff", new AttributeWrite("tariff", new CosemAttribute(1,
                        ObisCode.parse("0.0.96.14.0.255"), 2), Optional.empty(), false)));
    }

    @Test
    void attributeUpdateProblems() {
        assertThat(pathsAndMessages(devices(device("m1", """
                "attributeUpdates": [{"key": "pollingInterval", "obis": "0.0.96.1.1.255", "classId": 1,
                                      "attribute": 2},
                                     {"key": "note", "obis": "0.0.96.1.1.255", "classId": 1},
                                     {"key": "note", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2,
                                      "retry": "yes"},
                                     {"key": "note", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2},
                                     {"key": "note", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2}]
                """)))).containsExactly(
                tuple("devices[0].attributeUpdates[0].key", "pollingInterval is the shared attribute that sets the"
                        + " device's polling interval; choose another key"),
                tuple("devices[0].attributeUpdates[1].attribute", "required field is missing"),
                tuple("devices[0].attributeUpdates[2].retry", "expected true or false, got string \"yes\""),
                tuple("devices[0].attributeUpdates[4].key", "shared attribute 'note' is listed twice"));
    }

    // ---- deviceTypes -------------------------------------------------------------------------------------------

    @Test
    void aDeviceTypesListsApplyToItsDevicesThatGiveNoneOfTheirOwn() throws Exception {
        // deviceTypes after the devices: the connector file is streamed device by device
        GatewayConfig config = load("""
                {"devices": [%s, %s, %s, %s],
                 "deviceTypes": {"DLMS_Energy_Meter": {
                     "rpc": [{"method": "readNote", "type": "get", "obis": "0.0.96.1.1.255", "classId": 1,
                              "attribute": 2}],
                     "attributeUpdates": [{"key": "note", "obis": "0.0.96.1.1.255", "classId": 1, "attribute": 2}]}}}
                """.formatted(
                device("typed", ""),
                device("own", "\"rpc\": [{\"method\": \"readMine\", \"type\": \"get\", \"obis\": \"0.0.96.1.1.255\","
                        + " \"classId\": 1, \"attribute\": 2}]"),
                device("none", "\"rpc\": [], \"attributeUpdates\": []"),
                device("other", "\"deviceType\": \"Other\"").replace("\"deviceType\": \"DLMS_Energy_Meter\",", "")));

        Map<String, DeviceConfig> byName = config.enabledDevices().stream()
                .collect(Collectors.toMap(DeviceConfig::name, d -> d));
        assertThat(byName.get("typed").rpcMethods()).containsOnlyKeys("readNote");
        assertThat(byName.get("typed").attributeWrites()).containsOnlyKeys("note");
        assertThat(byName.get("own").rpcMethods()).containsOnlyKeys("readMine");
        assertThat(byName.get("own").attributeWrites()).containsOnlyKeys("note");
        assertThat(byName.get("none").rpcMethods()).isEmpty();
        assertThat(byName.get("none").attributeWrites()).isEmpty();
        assertThat(byName.get("other").rpcMethods()).isEmpty();
        assertThat(ConfigBinding.device(byName.get("typed")).rpcMethods()).containsOnlyKeys("readNote");
    }

    @Test
    void deviceTypesProblems() {
        assertThat(pathsAndMessages("""
                {"devices": [%s],
                 "deviceTypes": {"A": {"rpc": [{"method": "get", "type": "get", "obis": "0.0.96.1.1.255",
                                                "classId": 1, "attribute": 2}],
                                       "pollingInterval": 5000},
                                 "B": []}}
                """.formatted(device("m1", "")))).containsExactly(
                tuple("deviceTypes.A.rpc[0].method", "'get' is a built-in RPC (read, reconnect, getStatistics, "
                        + "getClock, syncClock, get, set, execute, remoteDisconnect, remoteReconnect, getRelayState);"
                        + " choose another name"),
                tuple("deviceTypes.A.pollingInterval", "unknown field; expected one of: rpc, attributeUpdates"),
                tuple("deviceTypes.B", "expected an object, got a list"));
    }

    // ---- control -----------------------------------------------------------------------------------------------

    @Test
    void controlBindsOntoAControlClientWithTheDevicesOwnSettings() throws Exception {
        GatewayConfig config = load(devices(device("m1", """
                "framing": "hdlc", "physicalAddress": 18, "requestTimeout": 3000,
                "control": {"clientAddress": 1, "authentication": "low", "password": "${env:METER_MGMT_PASSWORD}",
                            "keepOpen": true}
                """)), Map.of("METER_MGMT_PASSWORD", "s3cret-mgmt"));

        DeviceConfig device = config.enabledDevices().get(0);
        assertThat(device.control()).isPresent();
        assertThat(device.toString()).doesNotContain("s3cret-mgmt");
        Meter meter = ConfigBinding.meter(device);
        assertThat(meter.client().clientAddress()).isEqualTo(DlmsClientSettings.PUBLIC_CLIENT_ADDRESS);
        ControlClient control = meter.control().orElseThrow();
        assertThat(control.keepOpen()).isTrue();
        DlmsClientSettings client = control.client();
        assertThat(client.clientAddress()).isEqualTo(1);
        assertThat(client.authentication()).isEqualTo(Authentication.LOW);
        assertThat(device.control().get().security().password()).contains("s3cret-mgmt");
        assertThat(client.framing()).isEqualTo(Framing.HDLC);
        assertThat(client.physicalAddress()).isEqualTo(18);
        assertThat(client.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void devicesConfiguredAlikeShareOneClientSettingsAndOneHost() throws Exception {
        String control = "\"control\": {\"clientAddress\": 1, \"authentication\": \"low\", \"password\": \"pw\"}";
        GatewayConfig config = load(devices(device("m1", control), device("m2", control),
                device("m3", "\"requestTimeout\": 3000, " + control)));

        List<GatewayDevice> devices = ConfigBinding.gatewaySettings(config).devices();
        Meter m1 = devices.get(0).meter();
        Meter m2 = devices.get(1).meter();
        Meter m3 = devices.get(2).meter();
        // one instance for a large fleet's many alike meters, where each kept its own (~100 bytes per meter)
        assertThat(m2.client()).isSameAs(m1.client());
        assertThat(m2.control().orElseThrow().client()).isSameAs(m1.control().orElseThrow().client());
        assertThat(m2.host()).isSameAs(m1.host());
        assertThat(m3.client()).isNotEqualTo(m1.client());
        assertThat(m3.client().requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(m3.control().orElseThrow().client().requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(m1.control().orElseThrow().client().authentication()).isEqualTo(Authentication.LOW);
    }

    @Test
    void aHighGmacControlTakesTheDevicesKeysUnlessItGivesItsOwn() throws Exception {
        String keys = """
                "authentication": "high-gmac", "blockCipherKey": "000102030405060708090A0B0C0D0E0F",
                "authenticationKey": "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF", "systemTitle": "4752580000000007",
                "clientAddress": 3,
                """;
        new ConfigFixture(dir).file("mgmt.key", "0F0E0D0C0B0A09080706050403020100\n");
        GatewayConfig config = load(devices(
                device("inherits", keys + "\"control\": {\"authentication\": \"high-gmac\"}"),
                device("own", keys + """
                        "control": {"authentication": "high-gmac", "clientAddress": 2,
                                    "blockCipherKey": "${file:mgmt.key}"}""")),
                Map.of());
        HexFormat hex = HexFormat.of();

        DeviceConfig inherits = config.enabledDevices().get(0);
        MeterSecurity control = inherits.control().orElseThrow().security();
        assertThat(control.blockCipherKey()).hasValueSatisfying(k -> assertThat(hex.formatHex(k))
                .isEqualTo("000102030405060708090a0b0c0d0e0f"));
        assertThat(control.systemTitle()).hasValueSatisfying(t -> assertThat(hex.formatHex(t))
                .isEqualTo("4752580000000007"));
        assertThat(inherits.control().get().clientAddress()).isEqualTo(DeviceConfig.MANAGEMENT_CLIENT_ADDRESS);
        ControlClient own = ConfigBinding.meter(config.enabledDevices().get(1)).control().orElseThrow();
        assertThat(own.client().clientAddress()).isEqualTo(2);
        assertThat(own.client().authentication()).isEqualTo(Authentication.HIGH_GMAC);
        assertThat(own.keepOpen()).isFalse();
        assertThat(config.enabledDevices().get(1).control().get().security().blockCipherKey())
                .hasValueSatisfying(k -> assertThat(hex.formatHex(k)).isEqualTo("0f0e0d0c0b0a09080706050403020100"));
    }

    @Test
    void controlProblemsFollowTheDevicesSecurityRules() {
        assertThat(pathsAndMessages(devices(
                device("m1", "\"control\": {\"authentication\": \"high-gmac\"}"),
                device("m2", "\"control\": {\"authentication\": \"low\"}"),
                device("m3", "\"control\": {\"password\": \"x\", \"clientAddress\": 0, \"keepOpen\": 1,"
                        + " \"blockCipherKey\": \"00\", \"colour\": 1}"),
                device("m4", "\"framing\": \"hdlc\", \"control\": {\"clientAddress\": 200}"),
                device("m5", """
                        "clientAddress": 1, "authentication": "high-gmac",
                        "blockCipherKey": "000102030405060708090A0B0C0D0E0F",
                        "authenticationKey": "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF",
                        "control": {"authentication": "high-gmac"}""")))).containsExactly(
                tuple("devices[0].control.blockCipherKey", "required for authentication high-gmac"),
                tuple("devices[0].control.authenticationKey", "required for authentication high-gmac"),
                tuple("devices[1].control.password", "required for authentication low"),
                tuple("devices[2].control.clientAddress", "0 is out of range 1..65535"),
                tuple("devices[2].control.blockCipherKey", "expected 32 hex digits (16 bytes), got 2 digits"),
                tuple("devices[2].control.password", "only used with authentication low"),
                tuple("devices[2].control.blockCipherKey", "only used with authentication high-gmac"),
                tuple("devices[2].control.keepOpen", "expected true or false, got number 1"),
                tuple("devices[2].control.colour", "unknown field; expected one of: clientAddress, authentication,"
                        + " password, blockCipherKey, authenticationKey, systemTitle, invocationCounterObject,"
                        + " keepOpen"),
                tuple("devices[3].control.clientAddress", "200 is out of range 1..127"),
                tuple("devices[4].control.clientAddress", "1 is the device's own client; two high-gmac"
                        + " associations of one client would share its invocation counter; give the polls (the"
                        + " device's clientAddress) or the control another client"));
    }

    @Test
    void aControlPasswordFromTheEnvironmentIsNeverShown() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(devices(device("m1",
                "\"control\": {\"authentication\": \"high-gmac\", \"blockCipherKey\": \"${env:MGMT_KEY}\","
                        + " \"authenticationKey\": \"${env:MGMT_KEY}\"}")), Map.of("MGMT_KEY", "not-hex-secret!")));

        assertThat(e.problems()).extracting(ConfigProblem::message).containsExactly(
                "expected 32 hex digits (16 bytes), got a non-hex character",
                "expected 32 hex digits (16 bytes), got a non-hex character");
        assertThat(e.getMessage()).doesNotContain("not-hex-secret!");
    }

    // ---- push --------------------------------------------------------------------------------------------------

    @Test
    void pushBindsOntoThePushMappingAndTheListenerOntoTheSettings() throws Exception {
        GatewayConfig config = load("""
                {"pushListener": {"host": "127.0.0.1", "port": 0, "framing": "hdlc", "maxFrameBytes": 4096,
                                  "idleTimeout": "90s", "maxConnections": 500, "bufferSize": 64},
                 "devices": [%s, %s]}
                """.formatted(
                device("m1", """
                        "push": {"systemTitle": "47 52 58 53 49 00 00 01",
                                 "values": [{"index": 2, "key": "active_energy", "scaler": -3},
                                            {"index": "3.1", "key": "alarm", "attribute": true},
                                            {"path": [3, 2, 0], "key": "flag"}]}"""),
                device("m2", "\"push\": {\"sourceAddress\": \"::ffff:10.0.0.7\"}")));

        GatewayDevice m1 = ConfigBinding.device(config.enabledDevices().get(0));
        assertThat(m1.push()).contains(new PushMapping(PushMatch.systemTitle("4752585349000001"), List.of(
                new PushValue(List.of(2), "active_energy", false, -3),
                new PushValue(List.of(3, 1), "alarm", true, 0),
                new PushValue(List.of(3, 2, 0), "flag", false, 0))));
        assertThat(m1.polled()).isTrue();
        assertThat(config.enabledDevices().get(1).push().orElseThrow().match())
                .isEqualTo(PushMatch.sourceAddress("10.0.0.7"));
        GatewaySettings settings = ConfigBinding.gatewaySettings(config);
        assertThat(settings.pushListener()).contains(new PushListenerOptions("127.0.0.1", 0, Framing.HDLC, 4096,
                Duration.ofSeconds(90), 500, 64));
    }

    @Test
    void aPushListenerTakesTheDefaultsAndNoneMeansNoListener() throws Exception {
        assertThat(ConfigBinding.gatewaySettings(load("{" + LISTENER + ", \"devices\": [" + device("m1", "") + "]}"))
                .pushListener()).contains(PushListenerOptions.of("0.0.0.0", 4059));
        assertThat(ConfigBinding.gatewaySettings(load(devices(device("m1", "")))).pushListener()).isEmpty();
    }

    @Test
    void aPushOnlyDeviceNeedsNoHostAndIsNotPolled() throws Exception {
        GatewayConfig config = load("{" + LISTENER + ", \"devices\": [" + """
                {"name": "pusher", "deviceType": "Push", "authentication": "high-gmac",
                 "blockCipherKey": "000102030405060708090A0B0C0D0E0F",
                 "authenticationKey": "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF", "utcOffset": "+01:00",
                 "push": {"wPort": 17}}]}""");

        DeviceConfig device = config.enabledDevices().get(0);
        assertThat(device.polled()).isFalse();
        assertThat(device.host()).isEmpty();
        GatewayDevice bound = ConfigBinding.device(device);
        assertThat(bound.polled()).isFalse();
        assertThat(bound.push().orElseThrow().match()).isEqualTo(PushMatch.wPort(17));
        assertThat(bound.push().get().values()).isEmpty();
        Meter meter = bound.meter();
        assertThat(meter.measurements()).isEmpty();
        assertThat(meter.client().authentication()).isEqualTo(Authentication.HIGH_GMAC);
        assertThat(meter.client().clockOffset()).hasToString("+01:00");
    }

    @Test
    void aPushOnlyDeviceTakesNothingPollingNeedsAndNoDefaults() throws Exception {
        GatewayConfig config = load("""
                {%s, "defaults": {"clock": {}, "profiles": [{"obis": "1.0.99.1.0.255"}]},
                 "deviceTypes": {"Push": {"rpc": [{"method": "readNote", "type": "get", "obis": "0.0.96.1.1.255",
                                                   "classId": 1, "attribute": 2}]}},
                 "devices": [{"name": "pusher", "deviceType": "Push", "push": {"wPort": 17}}]}
                """.formatted(LISTENER));
        DeviceConfig device = config.enabledDevices().get(0);
        assertThat(device.clock()).isEmpty();
        assertThat(device.profiles()).isEmpty();
        assertThat(device.rpcMethods()).isEmpty();

        assertThat(pathsAndMessages("{" + LISTENER + ", \"devices\": [" + """
                {"name": "pusher", "port": 4059, "measurements": ["voltage_l1"],
                 "rpc": [], "push": {"wPort": 17}}]}""")).containsExactly(
                tuple("devices[0].port", "only used with host: a device without host only pushes, and nothing"
                        + " polls it"),
                tuple("devices[0].measurements", "only used with host: a device without host only pushes, and"
                        + " nothing polls it"),
                tuple("devices[0].rpc", "only used with host: a device without host only pushes, and nothing"
                        + " polls it"));
    }

    @Test
    void aDeviceWithNeitherHostNorPushIsRefused() {
        assertThat(pathsAndMessages(devices("{\"name\": \"m1\", \"port\": 4059, \"measurements\": [\"frequency\"]}")))
                .containsExactly(tuple("devices[0].host", "required unless the device only pushes (push)"));
    }

    @Test
    void pushProblems() {
        assertThat(pathsAndMessages("{" + LISTENER + ", \"devices\": [" + String.join(",",
                device("m0", "\"push\": {}"),
                device("m1", "\"push\": {\"wPort\": 1, \"hdlcAddress\": 17}"),
                device("m2", "\"push\": {\"systemTitle\": \"4752\"}"),
                device("m3", "\"push\": {\"sourceAddress\": \"meter7.example\"}"),
                device("m4", "\"push\": {\"wPort\": 9, \"values\": [{\"key\": \"a\"}, {\"index\": \"2.x\","
                        + " \"key\": \"b\"}, {\"index\": 1, \"key\": \"c\", \"scaler\": 21},"
                        + " {\"index\": 1, \"key\": \"d\"}, {\"index\": 2, \"key\": \"d\"},"
                        + " {\"index\": \"1.2.3.4.5.6.7.8.9\", \"key\": \"e\"},"
                        + " {\"index\": 1, \"path\": [1], \"key\": \"f\"}, {\"path\": [1, -1], \"key\": \"g\"}]}"),
                device("m5", "\"push\": {\"wPort\": 9}"),
                device("m6", "\"push\": {\"logicalDeviceName\": \"GRX\", \"colour\": 1}")) + "]}"))
                .containsExactly(
                        tuple("devices[0].push", "needs one of systemTitle, logicalDeviceName, wPort, hdlcAddress,"
                                + " sourceAddress to know the device's pushes by"),
                        tuple("devices[1].push.hdlcAddress", "a device is known by one of systemTitle,"
                                + " logicalDeviceName, wPort, hdlcAddress, sourceAddress; this one gives wPort and"
                                + " hdlcAddress"),
                        tuple("devices[2].push.systemTitle", "expected 16 hex digits (8 bytes), got '4752'"),
                        tuple("devices[3].push.sourceAddress", "expected an IP address such as 10.0.0.7 or fd00::7,"
                                + " got 'meter7.example'"),
                        tuple("devices[4].push.values[0].index", "required field is missing (or give path, a list of"
                                + " element indexes)"),
                        tuple("devices[4].push.values[1].index", "expected an element index (2) or a dotted path"
                                + " into nested elements (\"2.1\"), got string \"2.x\""),
                        tuple("devices[4].push.values[2].scaler", "21 is out of range -20..20"),
                        tuple("devices[4].push.values[4].key", "key 'd' is listed twice"),
                        tuple("devices[4].push.values[5].index", "9 levels deep; at most 8"),
                        tuple("devices[4].push.values[6].path", "give index or path, not both"),
                        tuple("devices[4].push.values[7].path", "expected element indexes in 0..65535, got"
                                + " number -1"),
                        tuple("devices[5].push.wPort", "wPort 9 already identifies the device at "
                                + dir.resolve("dlms_connector.json").normalize() + ": devices[4].push.wPort; the"
                                + " listener could not tell them apart"),
                        tuple("devices[6].push.colour", "unknown field; expected one of: systemTitle,"
                                + " logicalDeviceName, wPort, hdlcAddress, sourceAddress, values"));
    }

    @Test
    void aDeviceWithPushNeedsAPushListenerInItsFile() {
        assertThat(pathsAndMessages(devices(device("m0", ""), device("m1", "\"push\": {\"wPort\": 1}"),
                device("m2", "\"push\": {\"wPort\": 2}")))).containsExactly(
                tuple("devices[1].push", "a device with push needs a pushListener in its connector file (2 devices"
                        + " push)"));
    }

    @Test
    void pushListenerProblems() {
        assertThat(pathsAndMessages("""
                {"pushListener": {"host": "", "port": 70000, "framing": "serial", "maxFrameBytes": 10,
                                  "idleTimeout": "10x", "maxConnections": 0, "colour": 1},
                 "devices": [%s]}""".formatted(device("m1", "")))).containsExactly(
                tuple("pushListener.host", "must not be blank"),
                tuple("pushListener.port", "70000 is out of range 0..65535"),
                tuple("pushListener.framing", "unknown framing 'serial'; expected one of: wrapper, hdlc"),
                tuple("pushListener.maxFrameBytes", "10 is out of range 64..16777216"),
                tuple("pushListener.idleTimeout", "expected a duration such as 30s, 15m, 36h or 7d (or whole"
                        + " milliseconds), got string \"10x\""),
                tuple("pushListener.maxConnections", "0 is out of range 1..1000000"),
                tuple("pushListener.colour", "unknown field; expected one of: host, port, framing, maxFrameBytes,"
                        + " idleTimeout, maxConnections, bufferSize"));
    }

    @Test
    void onlyOneEnabledConnectorFileMayHaveAPushListener() throws Exception {
        ConfigFixture fixture = new ConfigFixture(dir);
        String listenerFile = "{" + LISTENER + ", \"devices\": [%s]}";
        fixture.file("second.json", listenerFile.formatted(device("m2", "")));
        fixture.file("off.json", listenerFile.formatted(device("m3", "")));
        Path main = fixture.write(ConfigFixture.MAIN_YAML + """
                  - name: "Second"
                    type: dlms
                    configuration: "second.json"
                  - name: "Off"
                    type: dlms
                    enabled: false
                    configuration: "off.json"
                """, listenerFile.formatted(device("m1", "")));

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigFixture.loader(Map.of()).load(main));

        String first = dir.resolve("dlms_connector.json").normalize().toString();
        assertThat(e.problems()).extracting(ConfigProblem::file, ConfigProblem::path, ConfigProblem::message)
                .containsExactly(tuple(dir.resolve("second.json").normalize().toString(), "pushListener",
                        "the gateway has one push listener, and " + first + " gives it already; move this file's"
                                + " devices with push there"));
    }

    @Test
    void anUnknownDeviceFieldListsTheNewFieldsInTheirDocumentedOrder() {
        assertThat(problems(devices(device("m1", "\"rpcs\": []"))).get(0).message())
                .endsWith("clock, control, rpc, attributeUpdates, push");
    }

    // ---- the shipped example -----------------------------------------------------------------------------------

    @Test
    void theControlAndPushExampleIsValidAndBinds() throws Exception {
        Path example = Path.of("..", "config", "examples", "tb_gateway.yaml");
        assertThat(Files.readString(example)).contains("dlms_connector_control_push.json");

        GatewayConfig config = GatewayConfigLoader.withEnvironment(name -> null).load(example);

        GatewaySettings settings = ConfigBinding.gatewaySettings(config);
        assertThat(settings.pushListener()).contains(PushListenerOptions.of("0.0.0.0", 4059));
        Map<String, GatewayDevice> byName = settings.devices().stream()
                .collect(Collectors.toMap(GatewayDevice::name, d -> d));
        assertThat(byName.get("medidor_principal").rpcMethods()).containsOnlyKeys("setCustomerNote",
                "readCustomerNote", "clearAlarms");
        assertThat(byName.get("medidor_principal").attributeWrites()).containsOnlyKeys("customerNote");
        assertThat(byName.get("medidor_principal").meter().control()).isPresent();
        assertThat(byName.get("medidor_seguro").rpcMethods()).containsOnlyKeys("setTariff");
        assertThat(byName.get("medidor_seguro").meter().control().orElseThrow().keepOpen()).isTrue();
        assertThat(byName.get("medidor_solo_push").polled()).isFalse();
        assertThat(byName.get("medidor_solo_push").push().orElseThrow().match())
                .isEqualTo(PushMatch.logicalDeviceName("GRX0000000000003"));
    }
}
