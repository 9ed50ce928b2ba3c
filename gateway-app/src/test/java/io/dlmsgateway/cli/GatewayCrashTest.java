package io.dlmsgateway.cli;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.config.ConfigBinding;
import io.dlmsgateway.config.GatewayConfigLoader;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.gateway.DlmsGateway;
import io.dlmsgateway.gateway.GatewayFixture;
import io.dlmsgateway.gateway.ThingsBoardStandIn;
import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is lost when the gateway process, run as its CLI runs it, is killed with SIGKILL. */
class GatewayCrashTest {

    @TempDir
    Path dir;

    /**
     * A gateway process with readings on disk (ThingsBoard unreachable) is killed with SIGKILL; a new one started on
     * the same spool delivers them.
     */
    @Test
    void aKilledGatewaysBacklogIsDeliveredByTheNextOne() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(20).framing(Framing.WRAPPER).workerThreads(1).build())) {
            int brokerPort = freePort();
            Path main = writeConfigFiles(simulator, brokerPort);

            // the child would log at WARN (the test classpath's logback-test.xml): give it INFO, to see it polling
            Path logback = Files.writeString(dir.resolve("logback-child.xml"), """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.dlmsgateway" level="INFO"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            Process first = new ProcessBuilder(javaCommand("-Dlogback.configurationFile=" + logback, "run",
                    "--config", main.toString())).redirectErrorStream(true).start();
            List<String> output = new ArrayList<>();
            Thread reader = drain(first, output);
            awaitTrue(Duration.ofSeconds(60), () -> snapshot(output).stream()
                    .anyMatch(l -> l.contains("Connected 20/20 devices")), "first gateway polling every meter");
            // two polls a second per meter go to disk while ThingsBoard is unreachable
            Thread.sleep(3_000);
            assertThat(first.isAlive()).as("first gateway running; its output: %s", snapshot(output)).isTrue();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            reader.join(5_000);

            long onDisk;
            try (Spool spool = Spool.open(SpoolOptions.file(dir.resolve("data/spool")))) {
                onDisk = spool.statistics().backlogRecords();
            }
            // at least one reading of every meter, whatever the machine's load
            assertThat(onDisk).as("readings the killed gateway left on disk").isGreaterThanOrEqualTo(20);

            EmbeddedBroker broker = thingsBoard.start(brokerPort);
            try {
                try (DlmsGateway second = DlmsGateway.start(ConfigBinding.gatewaySettings(
                        GatewayConfigLoader.withSystemEnvironment().load(main)), GatewayFixture.quick())) {
                    awaitTrue(Duration.ofSeconds(30), () -> thingsBoard.telemetry().size() >= onDisk,
                            "the killed gateway's backlog delivered");
                }
            } finally {
                broker.close();
            }
            System.out.printf("crash: %d readings on disk after SIGKILL, %d delivered by the next gateway%n", onDisk,
                    thingsBoard.telemetry().size());
        }
    }

    private Path writeConfigFiles(MeterSimulator simulator, int brokerPort) throws IOException {
        StringBuilder devices = new StringBuilder();
        for (int i = 0; i < simulator.meterCount(); i++) {
            devices.append(i == 0 ? "" : ",\n").append("""
                    {"name": "meter-%d", "deviceType": "DLMS_Energy_Meter", "host": "127.0.0.1", "port": %d,
                     "pollingInterval": 500, "measurements": ["voltage_l1", "current_l1", "active_power", "frequency"],
                     "timeseriesMapping": {"voltage_l1": "${voltage_l1}", "frequency": "${frequency}"}}"""
                    .formatted(i, simulator.addresses().get(i).getPort()));
        }
        Files.writeString(dir.resolve("dlms_connector.json"), "{\"devices\": [" + devices + "]}");
        return Files.writeString(dir.resolve("tb_gateway.yaml"), """
                thingsboard:
                  host: 127.0.0.1
                  port: %d
                  security:
                    type: accessToken
                    accessToken: "GATEWAY_TOKEN"
                  qos: 1
                connectors:
                  - name: "DLMS Connector"
                    type: dlms
                    configuration: "dlms_connector.json"
                storage:
                  type: file
                  path: data/spool
                """.formatted(brokerPort));
    }

    /** A JVM on the test classpath: one system property, then the gateway's command line. */
    private static List<String> javaCommand(String property, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), property, "-cp", System.getProperty("java.class.path"),
                "io.dlmsgateway.cli.DlmsGatewayCommand"));
        command.addAll(List.of(args));
        return command;
    }

    private static List<String> snapshot(List<String> lines) {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private static Thread drain(Process process, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
