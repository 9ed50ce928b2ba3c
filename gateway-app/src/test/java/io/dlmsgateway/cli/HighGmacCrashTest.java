package io.dlmsgateway.cli;

import static io.dlmsgateway.cli.ChildGateway.freePort;
import static io.dlmsgateway.cli.ChildGateway.javaCommand;
import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.config.ConfigBinding;
import io.dlmsgateway.config.GatewayConfigLoader;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.gateway.DlmsGateway;
import io.dlmsgateway.gateway.GatewayFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HIGH_GMAC meters refuse an invocation counter they have seen (the simulator enforces it, as real meters do). A
 * gateway process polling them is killed with SIGKILL again and again, at random moments: while it reserves its
 * counters and makes its first associations (it reserves before it associates), or while it polls every meter ten
 * times a second; every next process, on the same spool, starts above every counter any earlier one used: no meter
 * ever refuses a counter.
 */
class HighGmacCrashTest {

    private static final int METERS = 10;
    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void killedGatewaysNeverMakeAMeterSeeACounterTwice() throws Exception {
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(METERS).framing(Framing.WRAPPER).workerThreads(1).build())) {
            Path main = writeConfigFiles(simulator);
            Path logback = Files.writeString(dir.resolve("logback-child.xml"), """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.dlmsgateway" level="INFO"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            List<Long> counters = new ArrayList<>();
            for (int kill = 1; kill <= KILLS; kill++) {
                Process gateway = new ProcessBuilder(javaCommand("-Dlogback.configurationFile=" + logback, "run",
                        "--config", main.toString())).redirectErrorStream(true).start();
                ChildOutput output = ChildOutput.of(gateway);
                awaitTrue(Duration.ofSeconds(60), () -> output.lines().stream()
                        .anyMatch(l -> l.contains("Opening DLMS Connector")), "gateway " + kill + " starting");
                if (kill % 2 == 0) {
                    // while it reserves and makes its first associations
                    Thread.sleep(ThreadLocalRandom.current().nextLong(0, 500));
                } else {
                    // once every meter is polled, some hundred polls later
                    awaitTrue(Duration.ofSeconds(30), () -> output.lines().stream()
                            .anyMatch(l -> l.contains("Connected " + METERS + "/" + METERS + " devices")),
                            "gateway polling every meter");
                    Thread.sleep(ThreadLocalRandom.current().nextLong(0, 2_000));
                }
                gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                output.awaitEnd(5_000);
                counters.add(simulator.meter(0).lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT));
                assertThat(output.lines()).as("gateway %d's output", kill)
                        .noneMatch(l -> l.contains("association rejected") || l.contains("PERMANENT_REJECTED"));
            }
            long refused = 0;
            for (int i = 0; i < METERS; i++) {
                refused += simulator.meter(i).replaysRefused();
            }
            assertThat(refused).as("ciphered requests refused as replays after %d kills", KILLS).isZero();

            // and the gateway after the last kill reads every meter at once
            try (DlmsGateway last = DlmsGateway.start(ConfigBinding.gatewaySettings(
                    GatewayConfigLoader.withSystemEnvironment().load(main)), GatewayFixture.quick())) {
                awaitTrue(Duration.ofSeconds(20), () -> last.fleet().statistics().devicesUp() == METERS
                        && last.fleet().statistics().successes() >= METERS, "every meter read after the kills");
                assertThat(last.fleet().deviceStatistics().stream().mapToLong(DeviceStatistics::connectFailures)
                        .sum()).isZero();
            }
            for (int i = 0; i < METERS; i++) {
                assertThat(simulator.meter(i).replaysRefused()).isZero();
            }
            System.out.printf("HIGH_GMAC kill -9 x%d: meter 0's last accepted counter after each kill %s; no counter"
                    + " refused%n", KILLS, counters);
        }
    }

    private Path writeConfigFiles(MeterSimulator simulator) throws IOException {
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < simulator.meterCount(); i++) {
            devices.add("""
                    {"name": "meter-%d", "host": "127.0.0.1", "port": %d, "pollingInterval": 100,
                     "measurements": ["voltage_l1", "frequency"], "authentication": "high-gmac",
                     "blockCipherKey": "000102030405060708090A0B0C0D0E0F",
                     "authenticationKey": "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"}"""
                    .formatted(i, simulator.addresses().get(i).getPort()));
        }
        return ChildGateway.writeConfigFiles(dir, freePort(), devices);
    }


}
