package io.dlmsgateway.fleet;

import static io.dlmsgateway.fleet.MeterFleetFaultIsolationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeter;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;

/**
 * Clock checks on simulated meters whose clocks run ahead ({@code simulate --clock-offset}): the deviation is
 * published as a reading, and corrected (by shift_time or by setting the time) when configured to.
 */
class ClockCheckFleetTest {

    private static final Duration OFFSET = Duration.ofSeconds(90);
    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;

    @BeforeAll
    static void startMeters() throws Exception {
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(3)
                .framing(Framing.WRAPPER).workerThreads(1).clockOffset(OFFSET).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(3)
                .framing(Framing.HDLC).physicalAddress(16, true).workerThreads(1).clockOffset(OFFSET).build());
    }

    @AfterAll
    static void stopMeters() {
        wrapperMeters.close();
        hdlcMeters.close();
    }

    @BeforeEach
    void resetClocks() {
        for (MeterSimulator sim : List.of(wrapperMeters, hdlcMeters)) {
            for (int i = 0; i < sim.meterCount(); i++) {
                sim.meter(i).clockOffset(OFFSET);
            }
        }
    }

    private static MeterSimulator simulator(Framing framing) {
        return framing == Framing.HDLC ? hdlcMeters : wrapperMeters;
    }

    /** The management client with LOW authentication (the public client may read the clock, not set it). */
    private static Meter device(MeterSimulator simulator, int index, ClockCheck check) {
        Meter plain = SimulatedDevices.device(simulator, index, Duration.ofMinutes(10), Duration.ofSeconds(2));
        return plain.toBuilder()
                .client(SimulatedDevices.client(simulator, index, Duration.ofSeconds(2))
                        .clientAddress(MeterAddressing.MANAGEMENT_CLIENT).authentication(Authentication.LOW)
                        .password(simulator.addressing().password()).build())
                .clockCheck(check)
                .build();
    }

    private static FleetOptions quick() {
        return FleetOptions.builder().eventLoopThreads(1).reconnectBackoff(Duration.ofMillis(100),
                Duration.ofMillis(500)).releaseTimeout(Duration.ofSeconds(2)).build();
    }

    private static List<Long> deviations(ConcurrentLinkedQueue<MeterReading> readings) {
        return readings.stream().filter(r -> r.value(ClockCheck.DEVIATION_KEY) != null)
                .map(r -> ((Number) r.value(ClockCheck.DEVIATION_KEY).value()).longValue()).toList();
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void theDeviationIsPublishedAsAReadingAndLeftAloneWithoutAutoCorrection(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        ClockCheck check = ClockCheck.defaults().withInterval(Duration.ofMillis(200));
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(device(simulator, 0, check)), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(10), () -> deviations(readings).size() >= 3);
        }
        assertThat(deviations(readings)).allSatisfy(ms -> assertThat(ms).isCloseTo(OFFSET.toMillis(),
                within(1_000L)));
        MeterReading first = readings.stream().filter(r -> r.value(ClockCheck.DEVIATION_KEY) != null).findFirst()
                .orElseThrow();
        assertThat(first.value(ClockCheck.DEVIATION_KEY).unit()).isEqualTo("ms");
        assertThat(first.values()).containsOnlyKeys(ClockCheck.DEVIATION_KEY);
        assertThat(simulator.meter(0).clockOffset()).isEqualTo(OFFSET);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void autoCorrectionShiftsASmallDeviationAway(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        SimulatedMeter meter = simulator.meter(1);
        ClockCheck check = ClockCheck.defaults().withInterval(Duration.ofMillis(200)).withAutoCorrect(true);
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(device(simulator, 1, check)), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(10), () -> deviations(readings).size() >= 3);
        }
        List<Long> published = deviations(readings);
        assertThat(published.get(0)).isCloseTo(OFFSET.toMillis(), within(1_000L));
        assertThat(published.subList(1, published.size())).allSatisfy(ms -> assertThat(Math.abs(ms))
                .isLessThan(1_000L));
        assertThat(meter.clockOffset().abs()).isLessThan(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void autoCorrectionSetsTheTimeWhenTheClockIsFarOff(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        SimulatedMeter meter = simulator.meter(2);
        meter.clockOffset(Duration.ofHours(-2));
        ClockCheck check = ClockCheck.defaults().withInterval(Duration.ofMillis(200)).withAutoCorrect(true);
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(device(simulator, 2, check)), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(10), () -> deviations(readings).size() >= 2);
        }
        List<Long> published = deviations(readings);
        assertThat(published.get(0)).isCloseTo(-7_200_000L, within(1_000L));
        assertThat(Math.abs(published.get(1))).isLessThan(1_000L);
        assertThat(meter.clockOffset().abs()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void readClockAndSyncClockOnDemand() throws Exception {
        SimulatedMeter meter = wrapperMeters.meter(0);
        try (MeterFleet fleet = MeterFleet.create(List.of(device(wrapperMeters, 0, null)), quick())) {
            awaitTrue(Duration.ofSeconds(5), () -> fleet.deviceStatistics("meter-0").orElseThrow().state()
                    == DeviceState.UP);
            ClockReading clock = fleet.readClock("meter-0").block(Duration.ofSeconds(5));
            assertThat(clock.deviation().orElseThrow().toMillis()).isCloseTo(OFFSET.toMillis(), within(1_000L));

            ClockSync sync = fleet.syncClock("meter-0").block(Duration.ofSeconds(5));
            assertThat(sync.method()).isEqualTo(ClockSync.Method.SHIFT_TIME);
            assertThat(sync.shiftedSeconds()).isEqualTo(-90);
            assertThat(sync.after().orElseThrow().deviation().orElseThrow().abs()).isLessThan(Duration.ofSeconds(1));
            assertThat(meter.clockOffset().abs()).isLessThan(Duration.ofSeconds(1));

            assertThat(fleet.syncClock("meter-0").block(Duration.ofSeconds(5)).method())
                    .as("nothing left to correct").isEqualTo(ClockSync.Method.NONE);
        }
    }

    @Test
    void aMeterThatRefusesTheCorrectionSaysSo() throws Exception {
        // the public client may read the clock but not change it
        Meter publicClient = SimulatedDevices.device(wrapperMeters, 1, Duration.ofMinutes(10), Duration.ofSeconds(2));
        try (MeterFleet fleet = MeterFleet.create(List.of(publicClient), quick())) {
            awaitTrue(Duration.ofSeconds(5), () -> fleet.deviceStatistics("meter-1").orElseThrow().state()
                    == DeviceState.UP);
            StepVerifier.create(fleet.syncClock("meter-1"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DlmsAccessException.class)
                            .hasMessageContaining("ACTION 0.0.1.0.0.255 class 8 method 6 refused"))
                    .verify(Duration.ofSeconds(5));
            assertThat(fleet.deviceStatistics("meter-1").orElseThrow().state()).isEqualTo(DeviceState.UP);
        }
        assertThat(wrapperMeters.meter(1).clockOffset()).isEqualTo(OFFSET);
    }
}
