package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXDLMSException;
import gurux.dlms.objects.GXDLMSClock;
import gurux.dlms.objects.GXDLMSData;
import gurux.dlms.objects.GXDLMSRegister;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.EOFException;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulated meters as a real HIGH_GMAC meter behaves: replay protection per client across connections, the
 * frame-counter object for the public client, and a clock that can be read, set and shifted.
 */
class SimulatedMeterSecurityAndClockTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:07Z");
    private static final int TIMEOUT_MS = 2000;
    private static final Map<Framing, MeterSimulator> SIMULATORS = new EnumMap<>(Framing.class);

    @BeforeAll
    static void start() throws Exception {
        for (Framing f : Framing.values()) {
            SIMULATORS.put(f, MeterSimulator.start(SimulatorOptions.builder()
                    .basePort(0).meterCount(6).framing(f).workerThreads(1)
                    .clock(Clock.fixed(NOW, ZoneOffset.UTC)).clockOffset(Duration.ofSeconds(-42)).build()));
        }
    }

    @AfterAll
    static void stop() {
        SIMULATORS.values().forEach(MeterSimulator::close);
    }

    private static BlockingTestClient client(Framing framing, int meter, Authentication auth) throws Exception {
        MeterSimulator sim = SIMULATORS.get(framing);
        return new BlockingTestClient(sim.addresses().get(meter), sim.addressing(), meter, auth, TIMEOUT_MS);
    }

    private static BlockingTestClient gmac(Framing framing, int meter, long counter) throws Exception {
        BlockingTestClient c = client(framing, meter, Authentication.HIGH_GMAC);
        c.gurux.getCiphering().setInvocationCounter(counter);
        return c;
    }

    private static long frameCounter(Framing framing, int meter) throws Exception {
        try (BlockingTestClient c = client(framing, meter, Authentication.NONE).associate()) {
            return ((Number) c.read(new GXDLMSData("0.0.43.1.0.255"), 2)).longValue();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void anAssociationReusingACounterIsRejectedAcrossConnections(Framing framing) throws Exception {
        try (BlockingTestClient c = gmac(framing, 0, 500).associate()) {
            c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2);
        }
        // the same start again: the AARQ's counter is one the meter has accepted
        try (BlockingTestClient c = gmac(framing, 0, 500)) {
            assertThatThrownBy(c::associate).isInstanceOf(GXDLMSException.class)
                    .hasMessageContaining("rejected");
        }
        // below it too
        try (BlockingTestClient c = gmac(framing, 0, 10)) {
            assertThatThrownBy(c::associate).isInstanceOf(GXDLMSException.class);
        }
        // above every counter used so far: accepted
        try (BlockingTestClient c = gmac(framing, 0, frameCounter(framing, 0) + 1).associate()) {
            assertThat(c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2)).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aRequestReusingACounterInsideAnAssociationFails(Framing framing) throws Exception {
        try (BlockingTestClient c = gmac(framing, 1, 1_000).associate()) {
            c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2);
            long next = c.gurux.getCiphering().getInvocationCounter();
            c.gurux.getCiphering().setInvocationCounter(next - 1); // the counter of the read just made
            assertThatThrownBy(() -> c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2))
                    .isInstanceOfAny(EOFException.class, SocketException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void theFrameCounterObjectShowsTheLastCounterAcceptedFromTheManagementClient(Framing framing) throws Exception {
        assertThat(frameCounter(framing, 2)).as("no ciphered request yet").isZero();
        long last;
        try (BlockingTestClient c = gmac(framing, 2, 7_000).associate()) {
            c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2);
            last = c.gurux.getCiphering().getInvocationCounter() - 1;
        }
        assertThat(frameCounter(framing, 2)).isEqualTo(last)
                .isEqualTo(SIMULATORS.get(framing).meter(2).lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT));
        // Gurux's reader starts at value + 1, which the meter accepts
        try (BlockingTestClient c = gmac(framing, 2, last + 1).associate()) {
            assertThat(c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2)).isNotNull();
        }
    }

    private static byte[] readClockOctets(BlockingTestClient c) throws Exception {
        return (byte[]) c.read(new GXDLMSClock("0.0.1.0.0.255"), 2, true);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void theClockServesTheMetersOwnTimeAndCanBeSetAndShifted(Framing framing) throws Exception {
        SimulatedMeter meter = SIMULATORS.get(framing).meter(3);
        try (BlockingTestClient c = gmac(framing, 3, frameCounter(framing, 3) + 1).associate()) {
            assertThat(instant(readClockOctets(c))).as("--clock-offset -42 s").isEqualTo(NOW.minusSeconds(42));

            c.writeRaw(new GXDLMSClock("0.0.1.0.0.255"), 2,
                    CosemDateTime.of(NOW.plusSeconds(3600), ZoneOffset.ofHours(2), DeviationSign.STANDARD, 0).encode());
            assertThat(meter.now()).isEqualTo(NOW.plusSeconds(3600));
            assertThat(instant(readClockOctets(c))).isEqualTo(NOW.plusSeconds(3600));

            c.actionLong(new GXDLMSClock("0.0.1.0.0.255"), 6, -900);
            assertThat(meter.now()).isEqualTo(NOW.plusSeconds(2700));

            assertThatThrownBy(() -> c.actionLong(new GXDLMSClock("0.0.1.0.0.255"), 6, 901))
                    .as("shift_time takes -900..900 s").isInstanceOf(GXDLMSException.class);
            assertThat(meter.now()).isEqualTo(NOW.plusSeconds(2700));
        } finally {
            meter.clockOffset(Duration.ofSeconds(-42));
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void thePublicClientCanReadTheClockButNotSetIt(Framing framing) throws Exception {
        SimulatedMeter meter = SIMULATORS.get(framing).meter(4);
        try (BlockingTestClient c = client(framing, 4, Authentication.NONE).associate()) {
            assertThat(instant(readClockOctets(c))).isEqualTo(NOW.minusSeconds(42));
            assertThatThrownBy(() -> c.actionLong(new GXDLMSClock("0.0.1.0.0.255"), 6, 10))
                    .isInstanceOf(GXDLMSException.class);
        }
        assertThat(meter.now()).isEqualTo(NOW.minusSeconds(42));
    }

    private static Instant instant(byte[] octets) {
        return CosemDateTime.decode(octets).toInstant(DeviationSign.STANDARD, ZoneOffset.UTC).orElseThrow();
    }
}
