package io.dlmsgateway.cli;

import static io.dlmsgateway.cli.ChildGateway.freePort;
import static io.dlmsgateway.cli.ChildGateway.javaCommand;
import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.config.ConfigBinding;
import io.dlmsgateway.config.GatewayConfigLoader;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.gateway.DlmsGateway;
import io.dlmsgateway.gateway.GatewayFixture;
import io.dlmsgateway.gateway.ThingsBoardStandIn;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, deliverables 3 and 8: load-profile backfill across kill -9. The gateway runs as its CLI runs it
 * ({@code run --config}, profiles from the connector file) and is killed with SIGKILL three times at no particular
 * moment of its reads; a last gateway on the same spool delivers. Each profile row's mark is written in the
 * transaction of its rows, so every row the meters captured since the first start arrives exactly once, with no gap.
 */
class ProfileCrashTest {

    private static final int METERS = 3;
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    void killsLeaveNoGapAndNoDuplicateRow() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(METERS).framing(Framing.WRAPPER).workerThreads(1)
                .profilePeriod(Duration.ofSeconds(1)).profileHistory(Duration.ofMinutes(5)).build())) {
            int brokerPort = freePort();
            Path main = writeConfigFiles(simulator, brokerPort);
            Path logback = Files.writeString(dir.resolve("logback-child.xml"), """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.dlmsgateway" level="INFO"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            Instant firstStart = Instant.now();
            Random random = new Random(11);
            // ThingsBoard unreachable while the gateways are killed: a row at the broker twice could then only
            // come from a row spooled twice, not from a publish whose acknowledgement the kill cut off
            for (int kill = 1; kill <= KILLS; kill++) {
                Process gateway = new ProcessBuilder(javaCommand("-Dlogback.configurationFile=" + logback, "run",
                        "--config", main.toString())).redirectErrorStream(true).start();
                ChildOutput output = ChildOutput.of(gateway);
                awaitTrue(Duration.ofSeconds(60), () -> output.lines().stream()
                        .anyMatch(l -> l.contains("Connected " + METERS + "/" + METERS)), "gateway " + kill);
                Thread.sleep(1_500 + random.nextInt(1_500));
                assertThat(gateway.isAlive()).as("gateway %d running; its output: %s", kill, output.lines()).isTrue();
                gateway.destroyForcibly(); // SIGKILL
                assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
                output.awaitEnd(5_000);
                Thread.sleep(random.nextInt(2_000)); // rows captured while no gateway runs
            }

            try (EmbeddedBroker broker = thingsBoard.start(brokerPort)) {
                Instant lastStart = Instant.now();
                try (DlmsGateway last = DlmsGateway.start(ConfigBinding.gatewaySettings(
                        GatewayConfigLoader.withSystemEnvironment().load(main)), GatewayFixture.quick())) {
                    awaitTrue(Duration.ofSeconds(30), () -> {
                        for (int i = 0; i < METERS; i++) {
                            long newest = rows(thingsBoard, i).stream().mapToLong(ThingsBoardStandIn.Entry::ts)
                                    .max().orElse(0);
                            if (newest < lastStart.plusSeconds(2).toEpochMilli()) {
                                return false;
                            }
                        }
                        return true;
                    }, "rows up to after the last start delivered");
                }
            }

            for (int i = 0; i < METERS; i++) {
                List<ThingsBoardStandIn.Entry> rows = rows(thingsBoard, i);
                TreeSet<Long> ts = new TreeSet<>();
                for (ThingsBoardStandIn.Entry row : rows) {
                    Instant t = Instant.ofEpochMilli(row.ts());
                    assertThat(row.values().get("lp_energy").decimalValue()).as("energy of meter %d at %s", i, t)
                            .isEqualByComparingTo(SimulatedProfiles.energy(i, t));
                    ts.add(row.ts());
                }
                assertThat(rows).as("rows of meter %d: each once", i).hasSize(ts.size());
                // the first gateway reaches its meters within 60 s of its start (seconds on a busy machine): its
                // backfill of 90 s reaches back before its start by at least 30 s
                assertThat(Instant.ofEpochMilli(ts.first())).as("meter %d's first row: the first start's backfill", i)
                        .isBefore(firstStart.minusSeconds(30));
                List<Long> sequence = new ArrayList<>(ts);
                for (int k = 1; k < sequence.size(); k++) {
                    assertThat(sequence.get(k) - sequence.get(k - 1)).as("meter %d after %s", i,
                            Instant.ofEpochMilli(sequence.get(k - 1))).isEqualTo(1_000);
                }
                System.out.printf("profile crash: meter %d, %d rows from %s to %s across %d kills, no gap, no"
                        + " duplicate%n", i, rows.size(), Instant.ofEpochMilli(ts.first()),
                        Instant.ofEpochMilli(ts.last()), KILLS);
            }
        }
    }

    private static List<ThingsBoardStandIn.Entry> rows(ThingsBoardStandIn thingsBoard, int meter) {
        return thingsBoard.telemetry("meter-" + meter).stream().filter(e -> e.values().has("lp_energy")).toList();
    }

    private Path writeConfigFiles(MeterSimulator simulator, int brokerPort) throws IOException {
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < simulator.meterCount(); i++) {
            devices.add("""
                    {"name": "meter-%d", "deviceType": "DLMS_Energy_Meter", "host": "127.0.0.1", "port": %d,
                     "pollingInterval": 1000, "measurements": ["frequency"],
                     "profiles": [{"obis": "1.0.99.1.0.255", "interval": "1s", "backfill": "90s",
                                   "maxRowsPerRead": 7,
                                   "timeseriesMapping": {"lp_energy": "${active_energy}"}}]}"""
                    .formatted(i, simulator.addresses().get(i).getPort()));
        }
        return ChildGateway.writeConfigFiles(dir, brokerPort, devices);
    }


}
