package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets written as ${env:NAME} or ${file:path} instead of inline. */
class SecretReferenceTest {

    @TempDir
    Path dir;

    @Test
    void meterSecretsComeFromEnvironmentAndFiles() throws Exception {
        ConfigFixture fixture = new ConfigFixture(dir);
        Files.createDirectories(dir.resolve("secrets"));
        fixture.file("secrets/meter.akey", "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n");
        Path main = fixture.withDevices(
                ConfigFixture.device("gmac", """
                        "authentication": "high-gmac", "blockCipherKey": "${env:METER_EK}",
                        "authenticationKey": "${file:secrets/meter.akey}\""""),
                ConfigFixture.device("low", "\"authentication\": \"low\", \"password\": \"${env:METER_PASSWORD}\""));

        GatewayConfig config = ConfigFixture.loader(Map.of(
                "METER_EK", "000102030405060708090A0B0C0D0E0F", "METER_PASSWORD", "12345678")).load(main);

        MeterSecurity gmac = config.enabledDevices().get(0).security();
        assertThat(gmac.blockCipherKey().map(HexFormat.of()::formatHex))
                .contains("000102030405060708090a0b0c0d0e0f");
        assertThat(gmac.authenticationKey().map(HexFormat.of()::formatHex))
                .as("file content with its trailing newline stripped")
                .contains("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf");
        assertThat(config.enabledDevices().get(1).security().password()).contains("12345678");
    }

    @Test
    void thingsBoardTokenFromEnvironment() throws Exception {
        ConfigFixture fixture = new ConfigFixture(dir);
        Path main = fixture.write(ConfigFixture.MAIN_YAML.replace("\"TOKEN\"", "\"${env:TB_TOKEN}\""),
                "{\"devices\": [" + ConfigFixture.device("m1", "") + "]}");

        GatewayConfig config = ConfigFixture.loader(Map.of("TB_TOKEN", "s3cret")).load(main);

        assertThat(config.thingsBoard().security()).isEqualTo(new ThingsBoardSecurity.AccessToken("s3cret"));
        assertThat(config.thingsBoard().security().toString()).doesNotContain("s3cret");
    }

    @Test
    void unresolvableReferencesAreReported() {
        ConfigFixture fixture = new ConfigFixture(dir);
        Path main = fixture.withDevices(ConfigFixture.device("gmac", """
                "authentication": "high-gmac", "blockCipherKey": "${env:UNSET}",
                "authenticationKey": "${file:missing.key}", "systemTitle": "${vault:x}\""""));

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigFixture.loader(Map.of()).load(main));

        assertThat(e.problems()).extracting(ConfigProblem::path)
                .containsExactly("devices[0].blockCipherKey", "devices[0].authenticationKey", "devices[0].systemTitle");
        assertThat(e.problems().get(0).message()).isEqualTo("environment variable UNSET is not set");
        assertThat(e.problems().get(1).message()).startsWith("cannot read secret file ")
                .contains("missing.key");
        assertThat(e.problems().get(2).message())
                .isEqualTo("unknown reference ${vault:x}; use ${env:NAME} or ${file:path}");
    }
}
