package io.dlmsgateway.cli;

import static io.dlmsgateway.cli.ChildGateway.freePort;
import static io.dlmsgateway.cli.ChildGateway.javaCommand;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is lost when the gateway process, run as its CLI runs it, is killed with SIGKILL. */
class GatewayCrashTest {

    private static final int KILLS = 5;
    private static final int METERS_UNDER_LOAD = 20;
    /** A reading logged this long before a kill must survive it: well below the old 200 ms pack delay. */
    private static final long RECEIVED_WINDOW_MS = 50;
    /** The gateway's TRACE line for a reading reaching its pipeline, after the log's time stamp. */
    private static final Pattern RECEIVED = Pattern.compile(
            "(\\S+) \\[DLMSConnector\\] Received reading of '([^']+)' taken at (\\d+)");

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
            ChildOutput output = ChildOutput.of(first);
            awaitTrue(Duration.ofSeconds(60), () -> output.lines().stream()
                    .anyMatch(l -> l.contains("Connected 20/20 devices")), "first gateway polling every meter");
            // two polls a second per meter go to disk while ThingsBoard is unreachable
            Thread.sleep(3_000);
            assertThat(first.isAlive()).as("first gateway running; its output: %s", output.lines()).isTrue();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            output.awaitEnd(5_000);

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

    /**
     * Five SIGKILLs under load, with ThingsBoard up: every reading the gateway had received more than
     * {@link #RECEIVED_WINDOW_MS} before a kill is delivered in the end (by the next gateway, from the spool).
     *
     * <p>"Had received" is what the gateway itself logged at TRACE as each reading reached its pipeline, with the
     * log's own clock: a reading is written to the spool as it arrives (group commit, at most one commit per
     * {@code commitIntervalMs}, 10 ms), so within a few milliseconds it is on disk. Before issue 14 readings waited up to {@code minPackSendDelayMS} (200 ms) in
     * memory first, and each kill lost those of its last moments.
     */
    @Test
    void fiveKillsUnderLoadLoseNoReadingTheGatewayHadReceived() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(METERS_UNDER_LOAD).framing(Framing.WRAPPER).workerThreads(1).build());
             EmbeddedBroker broker = thingsBoard.start(freePort())) {
            Path main = writeConfigFiles(simulator, broker.port(), 100);
            // the reading's arrival at TRACE, synchronously, with the time it was logged
            Path logback = Files.writeString(dir.resolve("logback-received.xml"), """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.dlmsgateway" level="INFO"/>
                      <logger name="io.dlmsgateway.gateway.DLMSConnector" level="TRACE"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            Map<String, Long> required = new HashMap<>();   // device@ts -> the kill it preceded
            Map<String, Long> received = new HashMap<>();   // every reading logged, device@ts -> kill
            List<Long> kills = new ArrayList<>();
            java.util.Random random = new java.util.Random(14);
            for (int kill = 1; kill <= KILLS; kill++) {
                Process gateway = new ProcessBuilder(javaCommand("-Dlogback.configurationFile=" + logback, "run",
                        "--config", main.toString())).redirectErrorStream(true).start();
                ChildOutput output = ChildOutput.of(gateway);
                awaitTrue(Duration.ofSeconds(60), () -> output.lines().stream()
                        .anyMatch(l -> l.contains("Connected " + METERS_UNDER_LOAD + "/" + METERS_UNDER_LOAD)),
                        "gateway " + kill + " polling every meter");
                // under load for a while, the kill at no particular moment of the pack delay or the polls
                Thread.sleep(1_000 + random.nextInt(1_000));
                assertThat(gateway.isAlive()).as("gateway %d running; its output: %s", kill, output.lines())
                        .isTrue();
                long killedAt = System.currentTimeMillis();
                gateway.destroyForcibly(); // SIGKILL
                assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
                output.awaitEnd(5_000);
                kills.add(killedAt);
                for (String line : output.lines()) {
                    Matcher m = RECEIVED.matcher(line);
                    if (m.matches()) {
                        long loggedAt = OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli();
                        String reading = m.group(2) + "@" + m.group(3);
                        received.put(reading, (long) kill);
                        if (loggedAt < killedAt - RECEIVED_WINDOW_MS) {
                            required.put(reading, (long) kill);
                        }
                    }
                }
            }
            assertThat(required).as("readings received before the kills").hasSizeGreaterThan(KILLS * 100);

            // the next gateway delivers what the killed ones left on disk
            try (DlmsGateway last = DlmsGateway.start(ConfigBinding.gatewaySettings(
                    GatewayConfigLoader.withSystemEnvironment().load(main)), GatewayFixture.quick())) {
                try {
                    awaitTrue(Duration.ofSeconds(60), () -> delivered(thingsBoard).containsAll(required.keySet()),
                            "every reading received before a kill delivered");
                } catch (AssertionError notAll) {
                    // fall through to the assertion below, which names what is missing
                }
            }
            Set<String> delivered = delivered(thingsBoard);
            long[] lostPerKill = new long[KILLS + 1];
            long[] lostOfAllReceivedPerKill = new long[KILLS + 1];
            required.forEach((reading, kill) -> lostPerKill[kill.intValue()] += delivered.contains(reading) ? 0 : 1);
            received.forEach((reading, kill) -> lostOfAllReceivedPerKill[kill.intValue()] +=
                    delivered.contains(reading) ? 0 : 1);
            System.out.printf("kill -9 x%d under load (%d meters every 100 ms): %d readings received more than %d ms"
                            + " before a kill, lost per kill %s; of all %d received, lost per kill %s%n", KILLS,
                    METERS_UNDER_LOAD, required.size(), RECEIVED_WINDOW_MS,
                    Arrays.toString(Arrays.copyOfRange(lostPerKill, 1, KILLS + 1)), received.size(),
                    Arrays.toString(Arrays.copyOfRange(lostOfAllReceivedPerKill, 1, KILLS + 1)));
            assertThat(required.keySet()).as("readings received more than %d ms before a kill and never delivered",
                    RECEIVED_WINDOW_MS).allMatch(delivered::contains);
        }
    }

    private static Set<String> delivered(ThingsBoardStandIn thingsBoard) {
        return thingsBoard.telemetry().stream().map(e -> e.device() + "@" + e.ts()).collect(Collectors.toSet());
    }

    private Path writeConfigFiles(MeterSimulator simulator, int brokerPort) throws IOException {
        return writeConfigFiles(simulator, brokerPort, 500);
    }

    private Path writeConfigFiles(MeterSimulator simulator, int brokerPort, int pollingMillis) throws IOException {
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < simulator.meterCount(); i++) {
            devices.add("""
                    {"name": "meter-%d", "deviceType": "DLMS_Energy_Meter", "host": "127.0.0.1", "port": %d,
                     "pollingInterval": %d, "measurements": ["voltage_l1", "current_l1", "active_power", "frequency"],
                     "timeseriesMapping": {"voltage_l1": "${voltage_l1}", "frequency": "${frequency}"}}"""
                    .formatted(i, simulator.addresses().get(i).getPort(), pollingMillis));
        }
        return ChildGateway.writeConfigFiles(dir, brokerPort, devices);
    }


}
