package io.dlmsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check-config} reads a configuration of 150 000 devices (a 46 MB connector file) within the heap the shipped
 * start script gives the JVM ({@code -Xmx} of config/jvm.options), in a JVM of its own started with that option.
 * Before the connector file was streamed device by device and lines were looked up only for problems, this ended in
 * OutOfMemoryError.
 */
class CheckConfigAtScaleTest {

    private static final int DEVICES = 150_000;

    @TempDir
    Path dir;

    @Test
    void aConfigurationOf150000DevicesIsCheckedWithinTheShippedHeap() throws Exception {
        Path main = writeConfiguration(-1);
        Result result = checkConfig(main);
        assertThat(result.output()).as("check-config output").contains("OK: ", DEVICES + " devices");
        assertThat(result.exitCode()).isZero();
    }

    /** A problem in the last device of such a file is reported with its line, found again after the parse. */
    @Test
    void aProblemAmong150000DevicesIsReportedWithItsLine() throws Exception {
        Path main = writeConfiguration(DEVICES - 1);
        Result result = checkConfig(main);
        // the connector file has one device per line after its first line
        assertThat(result.output()).as("check-config output")
                .contains("devices[" + (DEVICES - 1) + "].port: 70000 is out of range 1..65535 (line "
                        + (DEVICES + 1) + ")");
        assertThat(result.exitCode()).isEqualTo(CheckConfigCommand.EXIT_CONFIG_ERROR);
    }

    private record Result(int exitCode, String output) {
    }

    private Result checkConfig(Path main) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(shippedHeapOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.dlmsgateway.cli.DlmsGatewayCommand",
                "check-config", "--config", main.toString()));
        Path output = dir.resolve("output.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        String text = Files.readString(output);
        return new Result(process.exitValue(), text.length() > 4_000 ? text.substring(0, 4_000) : text);
    }

    /** The collector and heap size of config/jvm.options, as ./start_gateway.sh passes them. */
    private static List<String> shippedHeapOptions() throws IOException {
        List<String> options = Files.readAllLines(Path.of("../config/jvm.options")).stream()
                .map(line -> line.replaceAll("#.*", "").strip())
                .filter(line -> line.startsWith("-Xmx") || line.startsWith("-XX:+UseSerialGC"))
                .toList();
        assertThat(options).as("heap options of config/jvm.options").anyMatch(o -> o.startsWith("-Xmx"));
        return options;
    }

    /** The main file and a connector file of {@link #DEVICES} devices, one per line; {@code badPort} gets port 70000. */
    private Path writeConfiguration(int badPort) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("dlms_connector.json"), StandardCharsets.UTF_8)) {
            out.write("{\"devices\": [\n");
            for (int i = 0; i < DEVICES; i++) {
                out.write(("{\"name\": \"medidor_%06d\", \"deviceType\": \"DLMS_Energy_Meter\", \"host\": \"10.%d.%d.%d\","
                        + " \"port\": %d, \"pollingInterval\": 60000, \"measurements\": [\"voltage_l1\", \"current_l1\","
                        + " \"active_power\", \"frequency\", \"active_energy\"], \"timeseriesMapping\": {\"voltage_l1\":"
                        + " \"${voltage_l1}\", \"active_power\": \"${active_power}\"}}%s\n")
                        .formatted(i, i >> 16, (i >> 8) & 255, i & 255, i == badPort ? 70000 : 4059,
                                i == DEVICES - 1 ? "" : ","));
            }
            out.write("]}\n");
        }
        return Files.writeString(dir.resolve("tb_gateway.yaml"), """
                thingsboard:
                  host: 127.0.0.1
                  security:
                    type: accessToken
                    accessToken: "TOKEN"
                connectors:
                  - name: "DLMS Connector"
                    type: dlms
                    configuration: "dlms_connector.json"
                """);
    }
}
