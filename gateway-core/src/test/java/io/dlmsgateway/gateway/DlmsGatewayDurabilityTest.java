package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is lost when ThingsBoard goes away for a while (the killed process: gateway-app's GatewayCrashTest). */
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
            List<GatewayDevice> devices = GatewayFixture.devices(simulator, Duration.ofSeconds(1), Duration.ofSeconds(2));
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
}
