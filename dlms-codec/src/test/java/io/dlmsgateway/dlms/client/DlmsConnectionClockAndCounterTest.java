package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeter;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The clock operations and the frame-counter read against simulated meters over loopback TCP: the meters start 90 s
 * ahead of the gateway ({@code --clock-offset 90}) and refuse invocation counters they have seen.
 */
class DlmsConnectionClockAndCounterTest {

    private static final Duration OFFSET = Duration.ofSeconds(90);
    private static EventLoopGroup group;
    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;

    @BeforeAll
    static void start() throws java.io.IOException {
        group = new NioEventLoopGroup(1);
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(4).basePort(0)
                .framing(Framing.WRAPPER).workerThreads(1).clockOffset(OFFSET).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(4).basePort(0)
                .framing(Framing.HDLC).workerThreads(1).clockOffset(OFFSET).build());
    }

    @AfterAll
    static void stop() {
        wrapperMeters.close();
        hdlcMeters.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static MeterSimulator simulator(Framing framing) {
        return framing == Framing.HDLC ? hdlcMeters : wrapperMeters;
    }

    private static DlmsClientSettings.Builder gmac(Framing framing, int meterIndex) {
        MeterAddressing a = simulator(framing).addressing();
        HexFormat hex = HexFormat.of();
        return DlmsClientSettings.builder().framing(framing).logicalAddress(a.logicalAddress())
                .physicalAddress(a.physicalAddress(meterIndex)).authentication(Authentication.HIGH_GMAC)
                .blockCipherKey(hex.formatHex(a.blockCipherKey()))
                .authenticationKey(hex.formatHex(a.authenticationKey()))
                .requestTimeout(Duration.ofSeconds(2));
    }

    private static CompletableFuture<DlmsConnection> open(Framing framing, int meterIndex, DlmsClientSettings s) {
        return DlmsConnection.open(group, simulator(framing).addresses().get(meterIndex), s, "meter-" + meterIndex);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + future.join());
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsTheMetersClockWithItsDeviationThenShiftsAndSetsIt(Framing framing) {
        SimulatedMeter sim = simulator(framing).meter(0);
        DlmsConnection meter = open(framing, 0, gmac(framing, 0).invocationCounter(1).build()).join();
        try {
            ClockReading clock = meter.readClock(Priority.ON_DEMAND).join();
            assertThat(clock.time().trusted()).isTrue();
            assertThat(clock.deviation().orElseThrow().toMillis()).isCloseTo(OFFSET.toMillis(), within(1_000L));
            assertThat(clock.requestSent()).isBeforeOrEqualTo(clock.replyReceived());

            meter.shiftClock(-60, Priority.ON_DEMAND).join();
            assertThat(sim.clockOffset()).isEqualTo(OFFSET.minusSeconds(60));
            assertThat(meter.readClock(Priority.ON_DEMAND).join().deviation().orElseThrow().toMillis())
                    .isCloseTo(30_000L, within(1_000L));

            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            meter.setClock(now, Priority.ON_DEMAND).join();
            assertThat(sim.clockOffset().abs()).isLessThan(Duration.ofSeconds(1));
            assertThat(meter.readClock(Priority.SCHEDULED).join().deviation().orElseThrow().abs())
                    .isLessThan(Duration.ofSeconds(1));

            assertThat(failureOf(meter.shiftClock(901, Priority.ON_DEMAND)))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            meter.release().join();
            sim.clockOffset(OFFSET);
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void thePublicClientMayNotSetTheClockAndSaysWhy(Framing framing) {
        MeterAddressing a = simulator(framing).addressing();
        DlmsConnection meter = open(framing, 1, DlmsClientSettings.builder().framing(framing)
                .logicalAddress(a.logicalAddress()).physicalAddress(a.physicalAddress(1)).build()).join();
        try {
            assertThat(meter.readClock(Priority.ON_DEMAND).join().deviation()).isPresent();
            Throwable refused = failureOf(meter.shiftClock(10, Priority.ON_DEMAND));
            assertThat(refused).isInstanceOf(DlmsAccessException.class).hasMessageContaining("ACTION 0.0.1.0.0.255")
                    .hasMessageContaining("method 6");
            assertThat(failureOf(meter.setClock(Instant.now(), Priority.ON_DEMAND)))
                    .isInstanceOf(DlmsAccessException.class).hasMessageContaining("SET 0.0.1.0.0.255");
            assertThat(simulator(framing).meter(1).clockOffset()).isEqualTo(OFFSET);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void theFrameCounterIsReadThroughThePublicClientBeforeAHighGmacAssociation(Framing framing) {
        SimulatedMeter sim = simulator(framing).meter(2);
        // another client used high counters with this meter
        DlmsConnection other = open(framing, 2, gmac(framing, 2).invocationCounter(3_000_000).build()).join();
        other.read(List.of(MeasurementCatalog.require("frequency"))).join();
        other.release().join();
        long seen = sim.lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT);
        assertThat(seen).isGreaterThan(3_000_000);

        assertThat(failureOf(open(framing, 2, gmac(framing, 2).build())))
                .as("starting from 0 is refused").isInstanceOf(AssociationRejectedException.class);

        DlmsConnection meter = open(framing, 2, gmac(framing, 2)
                .invocationCounterObject(ObisCode.parse("0.0.43.1.0.255")).build()).join();
        try {
            assertThat(meter.read(List.of(MeasurementCatalog.require("frequency"))).join().values()).hasSize(1);
            assertThat(meter.invocationCounter()).isGreaterThan(seen + 1);
        } finally {
            meter.release().join();
        }

        // a configured counter above the meter's wins
        DlmsConnection ahead = open(framing, 2, gmac(framing, 2).invocationCounter(9_000_000)
                .invocationCounterObject(ObisCode.parse("0.0.43.1.0.255")).build()).join();
        ahead.release().join();
        assertThat(sim.lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT)).isGreaterThanOrEqualTo(9_000_000);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void noCipheredApduAboveTheLimitGoesOut(Framing framing) {
        SimulatedMeter sim = simulator(framing).meter(3);
        DlmsConnection meter = open(framing, 3, gmac(framing, 3).invocationCounter(100).build()).join();
        long next = meter.invocationCounter();
        meter.invocationCounterLimit(next + 1); // one more APDU allowed
        meter.read(List.of(MeasurementCatalog.require("frequency"))).join();
        Throwable refused = failureOf(meter.read(List.of(MeasurementCatalog.require("frequency"))));
        assertThat(refused).isInstanceOf(DlmsConnectionException.class).hasMessageContaining("not reserved");
        assertThat(sim.lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT)).isEqualTo(next);
        meter.closeFuture().join();
        assertThat(meter.isActive()).isFalse();
    }
}
