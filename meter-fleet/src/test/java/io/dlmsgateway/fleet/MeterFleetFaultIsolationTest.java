package io.dlmsgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;

/**
 * Misbehaving meters (hung, closing after the association, sending garbage, rejecting the association) share one
 * event-loop thread with healthy ones: the healthy ones keep their cadence, the faulty ones are down with a reason,
 * and each comes back once healed.
 */
class MeterFleetFaultIsolationTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Map<Integer, MeterFault> FAULTS = Map.of(
            1, MeterFault.STOP_ANSWERING,
            2, MeterFault.CLOSE_AFTER_ASSOCIATION,
            3, MeterFault.SEND_GARBAGE,
            4, MeterFault.REJECT_ASSOCIATION,
            5, MeterFault.CLOSE_CONNECTION);
    private static final List<Integer> HEALTHY = List.of(0, 6);

    private final Map<String, ConcurrentLinkedQueue<MeterReading>> readings = new ConcurrentHashMap<>();
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

    @ParameterizedTest
    @EnumSource(Framing.class)
    void faultyMetersAreIsolatedAndRecoverOnceHealed(Framing framing) throws Exception {
        start(framing, 7);
        FAULTS.forEach((index, fault) -> simulator.meter(index).fault(fault));
        startFleet();

        Thread.sleep(2_000);
        Instant windowStart = Instant.now();
        Thread.sleep(2_000);
        Instant windowEnd = Instant.now();

        for (int healthy : HEALTHY) {
            // ten slots in the window; allow one at each edge
            assertThat(readingsBetween("meter-" + healthy, windowStart, windowEnd))
                    .as("readings of healthy meter-%d while its neighbours misbehave", healthy)
                    .isGreaterThanOrEqualTo(8);
        }
        for (int faulty : FAULTS.keySet()) {
            DeviceStatistics s = stats(faulty);
            assertThat(readingsBetween("meter-" + faulty, windowStart, windowEnd)).as("meter-%d", faulty).isZero();
            assertThat(s.state()).as("meter-%d", faulty).isNotEqualTo(DeviceState.UP);
            assertThat(s.lastError()).as("meter-%d", faulty).isPresent();
        }
        assertThat(stats(1).lastError().orElseThrow()).contains("no reply");
        assertThat(stats(4).lastError().orElseThrow()).contains("rejected");

        FAULTS.keySet().forEach(index -> simulator.meter(index).heal());
        Instant healed = Instant.now();
        awaitTrue(Duration.ofSeconds(10), () -> FAULTS.keySet().stream()
                .allMatch(i -> readingsBetween("meter-" + i, healed, Instant.MAX) >= 3));
        assertThat(FAULTS.keySet()).allSatisfy(i -> assertThat(stats(i).state()).isEqualTo(DeviceState.UP));
    }

    @Test
    void aMeterThatHangsMidRunIsDetectedByTheRequestTimeoutAndRecovers() throws Exception {
        start(Framing.WRAPPER, 2);
        startFleet();
        awaitTrue(Duration.ofSeconds(5), () -> readingsBetween("meter-1", Instant.EPOCH, Instant.MAX) >= 2);

        simulator.meter(1).fault(MeterFault.STOP_ANSWERING);
        awaitTrue(Duration.ofSeconds(5), () -> stats(1).state() == DeviceState.DOWN);
        assertThat(stats(1).failures()).isPositive();
        assertThat(stats(1).lastError().orElseThrow()).contains("no reply");
        Instant hung = Instant.now();
        Thread.sleep(1_000);
        assertThat(readingsBetween("meter-0", hung, Instant.MAX)).isGreaterThanOrEqualTo(4);

        simulator.meter(1).heal();
        Instant healed = Instant.now();
        awaitTrue(Duration.ofSeconds(5), () -> readingsBetween("meter-1", healed, Instant.MAX) >= 2);
        assertThat(stats(1).connects()).isGreaterThanOrEqualTo(2);
    }

    private void start(Framing framing, int meters) throws Exception {
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(meters).framing(framing).workerThreads(1).build());
    }

    private void startFleet() {
        List<Meter> devices = SimulatedDevices.all(simulator, INTERVAL, Duration.ofMillis(300));
        fleet = MeterFleet.create(devices, FleetOptions.builder()
                .eventLoopThreads(1) // every meter on one thread: a hung one must not hold up the others
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .backoffJitter(0.2)
                .releaseTimeout(Duration.ofSeconds(1))
                .build());
        subscription = fleet.readings().subscribe(r ->
                readings.computeIfAbsent(r.meter(), k -> new ConcurrentLinkedQueue<>()).add(r));
    }

    private long readingsBetween(String device, Instant from, Instant to) {
        return readings.getOrDefault(device, new ConcurrentLinkedQueue<>()).stream()
                .filter(r -> !r.timestamp().isBefore(from) && r.timestamp().isBefore(to))
                .count();
    }

    private DeviceStatistics stats(int index) {
        return fleet.deviceStatistics("meter-" + index).orElseThrow();
    }

    static void awaitTrue(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
