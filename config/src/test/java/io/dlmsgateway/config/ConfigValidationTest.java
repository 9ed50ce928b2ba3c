package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of mistake is reported with its file, its path inside the file and why. */
class ConfigValidationTest {

    @TempDir
    Path dir;

    private ConfigFixture fixture;

    private List<ConfigProblem> problemsOf(Path main) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigFixture.loader(Map.of()).load(main));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.problems();
    }

    private List<ConfigProblem> problemsOfDevices(String... devices) {
        fixture = new ConfigFixture(dir);
        return problemsOf(fixture.withDevices(devices));
    }

    private ConfigProblem onlyProblemOfDevice(String extra) {
        List<ConfigProblem> problems = problemsOfDevices(ConfigFixture.device("m1", extra));
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).file()).isEqualTo(fixture.connectorFile());
        return problems.get(0);
    }

    @Test
    void unknownField() {
        ConfigProblem p = onlyProblemOfDevice("\"pollingIntervall\": 5000");

        assertThat(p.path()).isEqualTo("devices[0].pollingIntervall");
        assertThat(p.message()).startsWith("unknown field; expected one of: name, deviceType, host, port");
    }

    @Test
    void missingRequiredField() {
        fixture = new ConfigFixture(dir);
        List<ConfigProblem> problems = problemsOf(fixture.withDevices(
                "{\"name\": \"m1\", \"port\": 4059, \"measurements\": [\"frequency\"]}"));

        assertThat(problems).containsExactly(
                new ConfigProblem(fixture.connectorFile(), "devices[0].host",
                        "required unless the device only pushes (push)", 1));
    }

    @Test
    void maxReplyBytesBelowOneLargestApdu() {
        ConfigProblem p = onlyProblemOfDevice("\"maxReplyBytes\": 1000");

        assertThat(p.path()).isEqualTo("devices[0].maxReplyBytes");
        assertThat(p.message()).isEqualTo("1000 is out of range 65599..2147483647");
    }

    @Test
    void wrongType() {
        ConfigProblem p = onlyProblemOfDevice("\"framing\": \"hdlc\", \"logicalAddress\": \"1\"");

        assertThat(p.path()).isEqualTo("devices[0].logicalAddress");
        assertThat(p.message()).isEqualTo("expected a whole number, got string \"1\"");
    }

    @Test
    void duplicateDeviceNames() {
        List<ConfigProblem> problems = problemsOfDevices(ConfigFixture.device("m1", ""),
                ConfigFixture.device("m1", ""));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(fixture.connectorFile());
            assertThat(p.path()).isEqualTo("devices[1].name");
            assertThat(p.message()).isEqualTo("duplicate device name 'm1', first defined at "
                    + fixture.connectorFile() + ": devices[0].name");
        });
    }

    /** A name with a line break would split every log line that carries it: refused, with what and where. */
    @Test
    void controlCharactersInNamesAndHosts() {
        fixture = new ConfigFixture(dir);
        List<ConfigProblem> problems = problemsOf(fixture.withDevices(
                ConfigFixture.device("m1\\n12:00:00.000 ERROR forged", ""),
                "{\"name\": \"m2\", \"deviceType\": \"x\\u001b[2J\", \"host\": \"h\\tost\", \"port\": 4059,"
                        + " \"measurements\": [\"frequency\"]}"));

        assertThat(problems).extracting(ConfigProblem::path, ConfigProblem::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("devices[0].name",
                        "must not contain control characters; found a line break (\\n) at position 3"),
                org.assertj.core.groups.Tuple.tuple("devices[1].deviceType",
                        "must not contain control characters; found the control character U+001B at position 2"),
                org.assertj.core.groups.Tuple.tuple("devices[1].host",
                        "must not contain control characters; found a tab (\\t) at position 2"));
        assertThat(problems.get(0).line()).isEqualTo(2);
    }

    @Test
    void malformedObisCode() {
        ConfigProblem p = onlyProblemOfDevice(
                "\"customMeasurements\": [{\"name\": \"clock\", \"obis\": \"0.0.1.0.0\", \"classId\": 8}]");

        assertThat(p.path()).isEqualTo("devices[0].customMeasurements[0].obis");
        assertThat(p.message()).startsWith("malformed OBIS code '0.0.1.0.0'");
    }

    @Test
    void portOutOfRange() {
        List<ConfigProblem> problems = problemsOfDevices(ConfigFixture.device("m0", ""),
                ConfigFixture.device("m1", ""), ConfigFixture.device("m2", ""),
                ConfigFixture.device("m3", "").replace("3333", "70000"));

        assertThat(problems).extracting(ConfigProblem::toString)
                .containsExactly(fixture.connectorFile() + ": devices[3].port: 70000 is out of range 1..65535 (line 41)");
    }

    @Test
    void unknownMeasurementName() {
        fixture = new ConfigFixture(dir);
        List<ConfigProblem> problems = problemsOf(fixture.withDevices("""
                {"name": "m1", "host": "h", "port": 4059, "measurements": ["frequency", "voltage_l4"]}"""));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("devices[0].measurements[1]");
            assertThat(p.message()).startsWith("unknown measurement 'voltage_l4'; known: voltage_l1, voltage_l2");
        });
    }

    @Test
    void templateReferringToSomethingUnknown() {
        fixture = new ConfigFixture(dir);
        List<ConfigProblem> problems = problemsOf(fixture.withDevices("""
                {"name": "m1", "host": "h", "port": 4059, "measurements": ["frequency"],
                 "attributesMapping": {"where": "${host}:${prot}"}}"""));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("devices[0].attributesMapping.where");
            assertThat(p.message()).isEqualTo("unknown placeholder ${prot}; known: host, port, name, deviceType, "
                    + "frequency");
        });
    }

    @Test
    void duplicateKeyIsReported() {
        fixture = new ConfigFixture(dir);
        Path main = fixture.write(ConfigFixture.MAIN_YAML,
                "{\"devices\": [" + ConfigFixture.device("m1", "\"port\": 4059") + "]}");

        assertThat(problemsOf(main)).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(fixture.connectorFile());
            assertThat(p.message()).startsWith("syntax error at line ").contains("Duplicate field 'port'");
        });
    }

    @Test
    void malformedTemplate() {
        fixture = new ConfigFixture(dir);
        List<ConfigProblem> problems = problemsOf(fixture.withDevices("""
                {"name": "m1", "host": "h", "port": 4059, "measurements": ["frequency"],
                 "timeseriesMapping": {"f": "${frequency", "g": "${}", "voltage": "${voltage_l1}"}}"""));

        assertThat(problems).extracting(ConfigProblem::path).containsExactly("devices[0].timeseriesMapping.f",
                "devices[0].timeseriesMapping.g", "devices[0].timeseriesMapping.voltage");
        assertThat(problems.get(0).message()).contains("is not closed");
        assertThat(problems.get(1).message()).contains("empty placeholder");
        // a catalogue name the device does not read would never have a value
        assertThat(problems.get(2).message()).startsWith("unknown placeholder ${voltage_l1}");
    }

    @Test
    void badHexKey() {
        ConfigProblem p = onlyProblemOfDevice("""
                "authentication": "high-gmac", "blockCipherKey": "00112233445566778899AABBCCDDEEFG",
                "authenticationKey": "00112233445566778899AABBCCDDEEFF\"""");

        assertThat(p.path()).isEqualTo("devices[0].blockCipherKey");
        assertThat(p.message()).isEqualTo("expected 32 hex digits (16 bytes), got a non-hex character");
    }

    @Test
    void qosTwoIsRejectedWithTheReason() {
        fixture = new ConfigFixture(dir);
        Path main = fixture.write(ConfigFixture.MAIN_YAML.replace("qos: 1", "qos: 2"),
                "{\"devices\": [" + ConfigFixture.device("m1", "") + "]}");

        assertThat(problemsOf(main)).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(fixture.mainFile());
            assertThat(p.path()).isEqualTo("thingsboard.qos");
            assertThat(p.message()).contains("ThingsBoard accepts QoS 0 or 1");
        });
    }

    @Test
    void syntaxErrorIsReportedWithLineAndColumn() {
        fixture = new ConfigFixture(dir);
        Path main = fixture.write(ConfigFixture.MAIN_YAML, "{\n  \"devices\": [\n    {\"name\": \"m1\" \"host\": \"h\"}\n]}");

        assertThat(problemsOf(main)).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(fixture.connectorFile());
            assertThat(p.path()).isEmpty();
            assertThat(p.message()).startsWith("syntax error at line 3, column 19: ");
        });
    }

    @Test
    void yamlSyntaxErrorIsReportedWithLineAndColumn() {
        fixture = new ConfigFixture(dir);
        Path main = fixture.write("thingsboard:\n  host: [localhost\n", "{}");

        assertThat(problemsOf(main)).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(fixture.mainFile());
            assertThat(p.message()).startsWith("syntax error at line 2, column 19: while parsing a flow sequence")
                    .contains("expected ',' or ']'");
        });
    }

    @Test
    void missingConnectorFile() {
        fixture = new ConfigFixture(dir);
        Path main = fixture.file("tb_gateway.yaml", ConfigFixture.MAIN_YAML);

        assertThat(problemsOf(main)).containsExactly(
                new ConfigProblem(fixture.connectorFile(), "", "file not found"));
    }

    @Test
    void authenticationNeedsItsSecrets() {
        List<ConfigProblem> problems = problemsOfDevices(
                ConfigFixture.device("low", "\"authentication\": \"low\""),
                ConfigFixture.device("gmac", "\"authentication\": \"high-gmac\""),
                ConfigFixture.device("none", "\"password\": \"secret\", \"framing\": \"serial\""));

        assertThat(problems).extracting(ConfigProblem::path, ConfigProblem::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("devices[0].password", "required for authentication low"),
                org.assertj.core.groups.Tuple.tuple("devices[1].blockCipherKey",
                        "required for authentication high-gmac"),
                org.assertj.core.groups.Tuple.tuple("devices[1].authenticationKey",
                        "required for authentication high-gmac"),
                org.assertj.core.groups.Tuple.tuple("devices[2].framing",
                        "unknown framing 'serial'; expected one of: wrapper, hdlc"),
                org.assertj.core.groups.Tuple.tuple("devices[2].password", "only used with authentication low"));
    }

    @Test
    void everyProblemInBothFilesIsReportedAtOnce() {
        fixture = new ConfigFixture(dir);
        Path main = fixture.write("""
                thingsboard:
                  host: localhost
                  port: 0
                  security: {type: accessToken}
                  qos: "1"
                connectors:
                  - name: "DLMS Connector"
                    type: custom
                    class: DLMSConnector
                    configuration: "dlms_connector.json"
                    colour: blue
                """, "{\"devices\": [" + String.join(",",
                ConfigFixture.device("m1", "\"clientAddress\": 0"),
                ConfigFixture.device("m1", "\"systemTitle\": \"00\""),
                "{\"name\": 7, \"host\": \"h\", \"port\": 1, \"measurements\": \"frequency\"}") + "]}");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigFixture.loader(Map.of()).load(main));

        String yaml = fixture.mainFile();
        String json = fixture.connectorFile();
        assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
                yaml + ": thingsboard.port: 0 is out of range 1..65535 (line 3)",
                yaml + ": thingsboard.qos: expected a whole number, got string \"1\" (line 5)",
                // a missing field gets the line of its enclosing object
                yaml + ": thingsboard.security.accessToken: required field is missing (line 4)",
                yaml + ": connectors[0].colour: unknown field; expected one of: name, type, class, module, enabled, "
                        + "configuration (line 11)",
                json + ": devices[0].clientAddress: 0 is out of range 1..65535 (line 11)",
                json + ": devices[1].name: duplicate device name 'm1', first defined at " + json + ": devices[0].name"
                        + " (line 13)",
                json + ": devices[1].systemTitle: expected 16 hex digits (8 bytes), got 2 digits (line 22)",
                json + ": devices[1].systemTitle: only used with authentication high-gmac (line 22)",
                json + ": devices[2].name: expected a string, got number 7 (line 23)",
                json + ": devices[2].measurements: expected a list, got string \"frequency\" (line 23)");
        assertThat(e.getMessage().lines()).hasSize(10)
                .first().isEqualTo(yaml + ": thingsboard.port: 0 is out of range 1..65535 (line 3)");
    }
}
