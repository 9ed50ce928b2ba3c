package io.dlmsgateway.fleet;

import static io.dlmsgateway.fleet.MeterFleetFaultIsolationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HIGH_GMAC meters refuse an invocation counter they have seen (the simulator enforces it as real meters do), so a
 * fleet that started each association from the configured counter was locked out after its first reconnect. Here
 * the fleet reconnects HIGH_GMAC meters again and again and every association keeps reading.
 */
class InvocationCounterFleetTest {

    private static final int RECONNECTS = 20;
    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;

    @BeforeAll
    static void startMeters() throws Exception {
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2)
                .framing(Framing.WRAPPER).workerThreads(1).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2)
                .framing(Framing.HDLC).physicalAddress(16, true).workerThreads(1).build());
    }

    @AfterAll
    static void stopMeters() {
        wrapperMeters.close();
        hdlcMeters.close();
    }

    static MeterSimulator simulator(Framing framing) {
        return framing == Framing.HDLC ? hdlcMeters : wrapperMeters;
    }

    /** Meter {@code index} of the simulator as the management client with HIGH_GMAC, starting from counter 0. */
    static Meter gmacDevice(MeterSimulator simulator, int index, Duration interval) {
        MeterAddressing addressing = simulator.addressing();
        HexFormat hex = HexFormat.of();
        Meter device = SimulatedDevices.device(simulator, index, interval, Duration.ofSeconds(2));
        return device.toBuilder().client(SimulatedDevices.client(simulator, index, Duration.ofSeconds(2))
                        .clientAddress(MeterAddressing.MANAGEMENT_CLIENT)
                        .authentication(Authentication.HIGH_GMAC)
                        .blockCipherKey(hex.formatHex(addressing.blockCipherKey()))
                        .authenticationKey(hex.formatHex(addressing.authenticationKey()))
                        .clientSystemTitle("4752580000000001")
                        .build())
                .build();
    }

    private static FleetOptions quick() {
        return FleetOptions.builder().eventLoopThreads(1).reconnectBackoff(Duration.ofMillis(50),
                Duration.ofMillis(200)).releaseTimeout(Duration.ofSeconds(2)).build();
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aHighGmacMeterKeepsReadingAcrossTwentyReconnects(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        Meter device = gmacDevice(simulator, 0, Duration.ofMillis(100));
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(5), () -> !readings.isEmpty());
            for (int i = 1; i <= RECONNECTS; i++) {
                long connects = fleet.deviceStatistics("meter-0").orElseThrow().connects();
                int before = readings.size();
                fleet.reconnect("meter-0").block();
                int round = i;
                awaitTrue(Duration.ofSeconds(5), () -> fleet.deviceStatistics("meter-0").orElseThrow().connects()
                        > connects && readings.size() > before);
                assertThat(fleet.deviceStatistics("meter-0").orElseThrow().state()).as("after reconnect %d", round)
                        .isEqualTo(DeviceState.UP);
            }
            assertThat(fleet.deviceStatistics("meter-0").orElseThrow().connectFailures())
                    .as("no association refused").isZero();
        }
    }
}
