package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.ObisCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void shippedExampleLoadsAsIs() throws Exception {
        // surefire runs in the module directory; the example lives at the repository root
        Path example = Path.of("..", "config", "tb_gateway.yaml");

        GatewayConfig config = GatewayConfigLoader.withEnvironment(name -> null).load(example);

        assertThat(config.thingsBoard().host()).isEqualTo("localhost");
        assertThat(config.thingsBoard().port()).isEqualTo(1883);
        assertThat(config.thingsBoard().qos()).isEqualTo(1);
        assertThat(config.thingsBoard().security())
                .isEqualTo(new ThingsBoardSecurity.AccessToken("YOUR_GATEWAY_TOKEN_HERE"));
        assertThat(config.connectors()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("DLMS Connector");
            assertThat(c.type()).isEqualTo(ConnectorConfig.Type.CUSTOM);
            assertThat(c.enabled()).isTrue();
            assertThat(c.configurationFile().getFileName()).hasToString("dlms_connector.json");
        });
        DeviceConfig device = config.enabledDevices().get(0);
        assertThat(device.name()).isEqualTo("medidor_principal");
        assertThat(device.deviceType()).isEqualTo("DLMS_Energy_Meter");
        assertThat(device.host()).isEqualTo("192.168.1.127");
        assertThat(device.port()).isEqualTo(3333);
        assertThat(device.pollingInterval()).isEqualTo(Duration.ofMillis(5000));
        assertThat(device.measurements()).extracting(Measurement::name)
                .containsExactly("voltage_l1", "current_l1", "active_power", "frequency");
        assertThat(device.attributesMapping()).containsOnlyKeys("host", "port", "meter_type");
        assertThat(device.timeseriesMapping().get("frequency").singlePlaceholder()).isEqualTo("frequency");
        // defaults a real meter needs, chosen so the seed's file stays valid
        assertThat(device.framing()).isEqualTo(Framing.WRAPPER);
        assertThat(device.clientAddress()).isEqualTo(16);
        assertThat(device.logicalAddress()).isEqualTo(1);
        assertThat(device.physicalAddress()).isEmpty();
        assertThat(device.security()).isEqualTo(MeterSecurity.NONE);
        assertThat(device.connectTimeout()).isEqualTo(DeviceConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(device.requestTimeout()).isEqualTo(DeviceConfig.DEFAULT_REQUEST_TIMEOUT);
        assertThat(device.maxReplyBytes()).isEqualTo(1 << 20);
    }

    @Test
    void realMeterFieldsAreRead() throws Exception {
        Path main = new ConfigFixture(dir).withDevices(ConfigFixture.device("m1", """
                "framing": "hdlc", "logicalAddress": 1, "physicalAddress": 17,
                "authentication": "high-gmac",
                "blockCipherKey": "000102030405060708090A0B0C0D0E0F",
                "authenticationKey": "D0 D1 D2 D3 D4 D5 D6 D7 D8 D9 DA DB DC DD DE DF",
                "systemTitle": "4758584142434445",
                "connectTimeout": 3000, "requestTimeout": 2000, "maxReplyBytes": 262144,
                "customMeasurements": [{"name": "clock", "obis": "0.0.1.0.0.255", "classId": 8, "attribute": 2}]
                """));

        DeviceConfig device = ConfigFixture.loader(Map.of()).load(main).enabledDevices().get(0);

        assertThat(device.framing()).isEqualTo(Framing.HDLC);
        assertThat(device.physicalAddress()).isEqualTo(OptionalInt.of(17));
        assertThat(device.clientAddress()).as("management client when authenticating").isEqualTo(1);
        assertThat(device.security().authentication()).isEqualTo(Authentication.HIGH_GMAC);
        assertThat(device.security().blockCipherKey()).hasValueSatisfying(k ->
                assertThat(HexFormat.of().formatHex(k)).isEqualTo("000102030405060708090a0b0c0d0e0f"));
        assertThat(device.security().authenticationKey()).hasValueSatisfying(k -> assertThat(k).hasSize(16));
        assertThat(device.security().systemTitle()).hasValueSatisfying(k -> assertThat(k).hasSize(8));
        assertThat(device.security().toString()).doesNotContain("0001020304");
        assertThat(device.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(device.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(device.maxReplyBytes()).isEqualTo(262_144);
        assertThat(ConfigBinding.clientSettings(device).maxReplyBytes()).as("bound onto the client").isEqualTo(262_144);
        assertThat(device.measurements()).last()
                .isEqualTo(new Measurement("clock", ObisCode.parse("0.0.1.0.0.255"), 8, 2));
    }

    @Test
    void plainDlmsTypeAndOtherSecurityTypesAreAccepted() throws Exception {
        ConfigFixture fixture = new ConfigFixture(dir);
        fixture.file("ca.pem", "ca");
        fixture.file("cert.pem", "cert");
        fixture.file("key.pem", "key");
        Path main = fixture.write("""
                thingsboard:
                  host: tb.example.com
                  security: {type: tls, caCert: ca.pem, cert: cert.pem, privateKey: key.pem}
                connectors:
                  - {name: meters, type: dlms, configuration: dlms_connector.json, enabled: false}
                """, "{\"devices\": [" + ConfigFixture.device("m1", "") + "]}");

        GatewayConfig config = ConfigFixture.loader(Map.of()).load(main);

        assertThat(config.thingsBoard().security()).isInstanceOf(ThingsBoardSecurity.Tls.class);
        assertThat(config.thingsBoard().port()).as("TLS default").isEqualTo(8883);
        assertThat(config.thingsBoard().qos()).isEqualTo(1);
        assertThat(config.connectors().get(0).type()).isEqualTo(ConnectorConfig.Type.DLMS);
        assertThat(config.enabledDevices()).isEmpty();
    }

    @Test
    void usernamePasswordSecurity() throws Exception {
        Path main = new ConfigFixture(dir).write(ConfigFixture.MAIN_YAML.replace(
                        "type: accessToken\n    accessToken: \"TOKEN\"",
                        "type: usernamePassword\n    clientId: gw1\n    username: gateway\n    password: pw"),
                "{\"devices\": [" + ConfigFixture.device("m1", "") + "]}");

        ThingsBoardSecurity security = ConfigFixture.loader(Map.of()).load(main).thingsBoard().security();

        assertThat(security).isEqualTo(new ThingsBoardSecurity.UsernamePassword(Optional.of("gw1"),
                Optional.of("gateway"), Optional.of("pw")));
        assertThat(security.toString()).doesNotContain("pw");
    }
}
