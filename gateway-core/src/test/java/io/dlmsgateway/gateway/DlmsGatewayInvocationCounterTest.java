package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.gateway.internal.SpoolInvocationCounterStore;
import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HIGH_GMAC meters (the simulator refuses a counter it has seen, as real meters do) keep reading across gateway
 * restarts: the invocation counters are reserved in the spool's database before they are used.
 */
class DlmsGatewayInvocationCounterTest {

    @TempDir
    Path dir;

    /** The simulator's meters as the management client with HIGH_GMAC, configured counter 0. */
    private static List<GatewayDevice> gmacDevices(MeterSimulator simulator, ObisCode frameCounter) {
        MeterAddressing addressing = simulator.addressing();
        HexFormat hex = HexFormat.of();
        return GatewayFixture.devices(simulator, Duration.ofMillis(200), Duration.ofSeconds(2)).stream()
                .map(d -> {
                    int index = Integer.parseInt(d.name().substring("meter-".length()));
                    DlmsClientSettings.Builder client = DlmsClientSettings.builder()
                            .framing(simulator.options().framing())
                            .clientAddress(MeterAddressing.MANAGEMENT_CLIENT)
                            .authentication(Authentication.HIGH_GMAC)
                            .blockCipherKey(hex.formatHex(addressing.blockCipherKey()))
                            .authenticationKey(hex.formatHex(addressing.authenticationKey()))
                            .requestTimeout(Duration.ofSeconds(2))
                            .invocationCounterObject(frameCounter);
                    if (simulator.options().framing() == Framing.HDLC) {
                        client.physicalAddress(addressing.physicalAddress(index));
                    }
                    Meter meter = d.meter().toBuilder().client(client.build()).build();
                    return new GatewayDevice(meter, d.deviceType(), d.attributesMapping(), d.timeseriesMapping());
                })
                .toList();
    }

    private static long connectFailures(DlmsGateway gateway) {
        return gateway.fleet().deviceStatistics().stream().mapToLong(DeviceStatistics::connectFailures).sum();
    }

    @Test
    void aRestartedGatewayStartsAboveEveryCounterTheOldOneUsed() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2)
                .framing(Framing.HDLC).workerThreads(1).build());
             EmbeddedBroker broker = thingsBoard.start()) {
            GatewaySettings config = GatewayFixture.config(gmacDevices(simulator, null), broker.port(), dir, 65_536,
                    null);
            for (int run = 1; run <= 3; run++) {
                DlmsGateway gateway = DlmsGateway.start(config, GatewayFixture.quick());
                int before = thingsBoard.telemetry().size();
                awaitTrue(Duration.ofSeconds(10), () -> thingsBoard.telemetry("meter-0").size() >= 3 * 1
                        && thingsBoard.telemetry().size() >= before + 6, "readings of run " + run);
                gateway.fleet().reconnect("meter-0").block();
                int afterReconnect = thingsBoard.telemetry("meter-0").size();
                awaitTrue(Duration.ofSeconds(10), () -> thingsBoard.telemetry("meter-0").size() > afterReconnect + 2,
                        "readings after a reconnect in run " + run);
                assertThat(connectFailures(gateway)).as("associations refused in run %d", run).isZero();
                gateway.close();
                for (int i = 0; i < 2; i++) {
                    long used = simulator.meter(i).lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT);
                    assertThat(reservedEnd("meter-" + i)).as("the reservation is above every counter used")
                            .isGreaterThan(used);
                }
            }
        }
    }

    private long reservedEnd(String meter) {
        AtomicReference<Long> end = new AtomicReference<>();
        try (Spool spool = Spool.open(SpoolOptions.file(dir.resolve("spool")))) {
            end.set(new SpoolInvocationCounterStore(spool).reservedEnd(meter, MeterAddressing.MANAGEMENT_CLIENT));
        }
        return end.get();
    }

    @Test
    void aFreshSpoolReadsTheMetersFrameCounterFirst() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2)
                .framing(Framing.WRAPPER).workerThreads(1).build());
             EmbeddedBroker broker = thingsBoard.start()) {
            // another head-end (here: a gateway on another spool, configured far ahead) used high counters
            List<GatewayDevice> ahead = gmacDevices(simulator, null).stream().map(d -> new GatewayDevice(
                    d.meter().toBuilder().client(d.meter().client().toBuilder().invocationCounter(5_000_000).build())
                            .build(), d.deviceType(), d.attributesMapping(), d.timeseriesMapping())).toList();
            DlmsGateway other = DlmsGateway.start(GatewayFixture.config(ahead, broker.port(), dir.resolve("other"),
                    65_536, null), GatewayFixture.quick());
            awaitTrue(Duration.ofSeconds(10), () -> thingsBoard.telemetry().size() >= 4, "the other's readings");
            other.close();
            assertThat(simulator.meter(0).lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT))
                    .isGreaterThan(5_000_000);

            // a gateway with no stored counter and no frame-counter object is locked out
            DlmsGateway blind = DlmsGateway.start(GatewayFixture.config(gmacDevices(simulator, null), broker.port(),
                    dir.resolve("blind"), 65_536, null), GatewayFixture.quick());
            awaitTrue(Duration.ofSeconds(10), () -> connectFailures(blind) >= 2, "refused associations");
            blind.close();

            // with the frame-counter object it starts above what the meter has seen
            int before = thingsBoard.telemetry().size();
            DlmsGateway gateway = DlmsGateway.start(GatewayFixture.config(
                    gmacDevices(simulator, ObisCode.parse("0.0.43.1.0.255")), broker.port(), dir.resolve("fresh"),
                    65_536, null), GatewayFixture.quick());
            awaitTrue(Duration.ofSeconds(10), () -> thingsBoard.telemetry("meter-0").size() >= 2 + 2
                    && thingsBoard.telemetry().size() >= before + 6, "readings with the frame counter read first");
            assertThat(connectFailures(gateway)).isZero();
            gateway.close();
        }
    }
}
