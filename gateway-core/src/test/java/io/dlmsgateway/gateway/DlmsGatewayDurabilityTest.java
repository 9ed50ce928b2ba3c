package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.config.DeviceConfig;
import io.dlmsgateway.config.GatewayConfig;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.spool.Spool;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is lost when ThingsBoard goes away for a while, nor when the gateway process is killed. */
class DlmsGatewayDurabilityTest {

    @TempDir
    Path dir;

    /**
     * 100 meters every second; the broker is stopped for 20 s and started again. Every reading made, before, during
     * and after the outage, arrives. Delivery is at least once: duplicates are possible (a batch published just
     * before the connection dropped and not acknowledged goes again) and are counted, not hidden.
     */
    @Test
    void aTwentySecondBrokerOutageLosesNoReading() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(100).framing(Framing.WRAPPER).workerThreads(1).build());
             EmbeddedBroker broker = thingsBoard.start()) {
            List<DeviceConfig> devices = GatewayFixture.devices(simulator, Duration.ofSeconds(1), Duration.ofSeconds(2));
            DlmsGateway gateway = DlmsGateway.start(GatewayFixture.config(devices, broker.port(), dir, 65_536, null),
                    GatewayFixture.quick());
            awaitTrue(Duration.ofSeconds(15), () -> thingsBoard.telemetry().size() >= 300, "readings before");

            broker.stop();
            long stoppedAt = System.currentTimeMillis();
            Thread.sleep(20_000);
            long backlog = gateway.statistics().spool().backlogRecords();
            assertThat(backlog).as("readings waiting on disk during the outage").isGreaterThanOrEqualTo(1_500);
            assertThat(gateway.statistics().connected()).isFalse();
            broker.restart();

            awaitTrue(Duration.ofSeconds(30), () -> gateway.statistics().spool().backlogRecords() < 200,
                    "backlog published after the outage");
            Thread.sleep(2_000);
            gateway.close();

            long made = gateway.fleet().statistics().successes();
            List<ThingsBoardStandIn.Entry> entries = thingsBoard.telemetry();
            Set<String> unique = entries.stream().map(e -> e.device() + "@" + e.ts()).collect(Collectors.toSet());
            long duringOutage = entries.stream().filter(e -> e.ts() >= stoppedAt && e.ts() < stoppedAt + 20_000)
                    .map(e -> e.device() + "@" + e.ts()).distinct().count();
            System.out.printf("outage: %d readings made, %d arrived (%d unique, %d duplicates), %d made during the"
                            + " 20 s outage arrived afterwards; backlog at its peak %d%n", made, entries.size(),
                    unique.size(), entries.size() - unique.size(), duringOutage, backlog);
            assertThat(unique).hasSize((int) made);
            assertThat(duringOutage).isGreaterThanOrEqualTo(1_800);
            assertThat(gateway.statistics().spool().dropped()).isZero();
        }
    }

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
            try (Spool spool = Spool.open(io.dlmsgateway.spool.SpoolOptions.file(dir.resolve("data/spool")))) {
                onDisk = spool.statistics().backlogRecords();
            }
            // at least one reading of every meter, whatever the machine's load
            assertThat(onDisk).as("readings the killed gateway left on disk").isGreaterThanOrEqualTo(20);

            EmbeddedBroker broker = EmbeddedBroker.builder().host("127.0.0.1").port(brokerPort).listener(thingsBoard)
                    .start();
            thingsBoard.broker = broker;
            try {
                GatewayConfig config = io.dlmsgateway.config.GatewayConfigLoader.withSystemEnvironment().load(main);
                try (DlmsGateway second = DlmsGateway.start(config, GatewayFixture.quick())) {
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
