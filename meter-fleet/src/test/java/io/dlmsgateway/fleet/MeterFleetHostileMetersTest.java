package io.dlmsgateway.fleet;

import static io.dlmsgateway.fleet.MeterFleetFaultIsolationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Issue 14, findings 2 and 3: two meters flooding DataNotification frames nobody asked for and one sending data blocks
 * that never end, on the same two event loops as healthy meters. The healthy ones miss no slot; the hostile ones are
 * disconnected as protocol violations with the reason, counted in their statistics, and reconnect after backoff.
 */
class MeterFleetHostileMetersTest {

    private static final Duration INTERVAL = Duration.ofMillis(250);
    private static final Map<Integer, MeterFault> HOSTILE = Map.of(
            0, MeterFault.FLOOD_DATA_NOTIFICATION,
            1, MeterFault.FLOOD_DATA_NOTIFICATION,
            2, MeterFault.NEVER_LAST_BLOCK);
    private static final List<Integer> HEALTHY = List.of(3, 4, 5, 6, 7);

    private MeterSimulator simulator;
    private MeterFleet fleet;
    private Disposable subscription;

    @AfterEach
    void tearDown() {
        if (fleet != null) {
            fleet.close();
        }
        if (subscription != null) {
            subscription.dispose();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void floodingAndEndlessMetersAreCutOffWhileHealthyOnesKeepEverySlot() throws Exception {
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(8).framing(Framing.WRAPPER).workerThreads(2).build());
        HOSTILE.forEach((index, fault) -> simulator.meter(index).fault(fault));
        List<Meter> devices = SimulatedDevices.all(simulator, INTERVAL, Duration.ofMillis(1_000));
        fleet = MeterFleet.create(devices, FleetOptions.builder()
                .eventLoopThreads(2) // hostile and healthy meters share both loops
                .reconnectBackoff(Duration.ofMillis(200), Duration.ofMillis(400))
                .backoffJitter(0.2)
                .releaseTimeout(Duration.ofSeconds(1))
                .build());
        subscription = fleet.readings().subscribe();

        awaitTrue(Duration.ofSeconds(15), () -> HOSTILE.keySet().stream()
                .allMatch(i -> stats(i).protocolViolations() >= 2));
        // from here on the hostile meters are cut off and reconnect again and again: the window that counts
        Map<Integer, DeviceStatistics> before = new HashMap<>();
        HEALTHY.forEach(i -> before.put(i, stats(i)));
        Map<Integer, Long> violationsBefore = new HashMap<>();
        HOSTILE.keySet().forEach(i -> violationsBefore.put(i, stats(i).protocolViolations()));
        Thread.sleep(4_000);

        for (int i : HEALTHY) {
            DeviceStatistics s = stats(i);
            DeviceStatistics b = before.get(i);
            assertThat(s.missed() - b.missed()).as("slots missed by healthy meter-%d", i).isZero();
            assertThat(s.failures() - b.failures()).as("failed polls of healthy meter-%d", i).isZero();
            // 16 slots in the window; one may straddle each edge
            assertThat(s.successes() - b.successes()).as("polls of healthy meter-%d", i).isGreaterThanOrEqualTo(14);
            assertThat(s.protocolViolations()).isZero();
        }
        for (int i : HOSTILE.keySet()) {
            assertThat(stats(i).protocolViolations() - violationsBefore.get(i))
                    .as("meter-%d cut off again after each reconnect", i).isGreaterThanOrEqualTo(2);
        }
        for (int i : HOSTILE.keySet()) {
            DeviceStatistics s = stats(i);
            assertThat(s.lastError().orElseThrow()).as("meter-%d", i)
                    .startsWith("protocol violation: ");
            assertThat(s.connects()).as("meter-%d reconnects after its backoff", i).isGreaterThanOrEqualTo(2);
        }
        assertThat(stats(0).lastError().orElseThrow())
                .containsAnyOf("while no request was outstanding", "bytes (the most this read may need");
        assertThat(stats(2).lastError().orElseThrow()).contains("bytes (the most this read may need");
    }

    /**
     * A flooding meter associates fine every time and breaks the protocol right after: its violations are one run of
     * failures, so its reconnects back off (50, 100, 200, 400, 800 ms... without jitter) instead of starting over at
     * the shortest delay after each association.
     */
    @Test
    void aMeterThatViolatesAfterEveryAssociationBacksOffFurtherEachTime() throws Exception {
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(1).framing(Framing.WRAPPER).build());
        simulator.meter(0).fault(MeterFault.FLOOD_DATA_NOTIFICATION);
        fleet = MeterFleet.create(SimulatedDevices.all(simulator, INTERVAL, Duration.ofMillis(1_000)),
                FleetOptions.builder()
                        .reconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(30))
                        .backoffJitter(0)
                        .releaseTimeout(Duration.ofSeconds(1))
                        .build());
        subscription = fleet.readings().subscribe();

        awaitTrue(Duration.ofSeconds(15), () -> stats(0).protocolViolations() >= 1);
        Thread.sleep(3_000);
        // backing off: at most 50 + 100 + 200 + 400 + 800 + 1600 ms of delays fit in 3 s, so at most 7 connects;
        // starting over each time (the bug) it reconnected every ~50 ms plus an association, dozens of times
        assertThat(stats(0).connects()).as("connects of the flooding meter in ~3 s").isLessThanOrEqualTo(7);
        assertThat(stats(0).protocolViolations()).isGreaterThanOrEqualTo(2);
    }

    private DeviceStatistics stats(int index) {
        return fleet.deviceStatistics("meter-" + index).orElseThrow();
    }
}
