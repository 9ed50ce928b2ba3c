package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXDLMSException;
import gurux.dlms.GXDateTime;
import gurux.dlms.enums.Unit;
import gurux.dlms.objects.GXDLMSClock;
import gurux.dlms.objects.GXDLMSObject;
import gurux.dlms.objects.GXDLMSObjectCollection;
import gurux.dlms.objects.GXDLMSRegister;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;


class MeterSimulatorTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:07.250Z");
    private static final int TIMEOUT_MS = 2000;
    private static final Map<Framing, MeterSimulator> SIMULATORS = new EnumMap<>(Framing.class);

    @BeforeAll
    static void start() throws Exception {
        for (Framing f : Framing.values()) {
            SIMULATORS.put(f, MeterSimulator.start(SimulatorOptions.builder()
                    .basePort(0).meterCount(3).framing(f).workerThreads(2)
                    .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()));
        }
    }

    @AfterAll
    static void stop() {
        SIMULATORS.values().forEach(MeterSimulator::close);
    }

    static Stream<Arguments> framingsAndAuthentications() {
        List<Arguments> args = new ArrayList<>();
        for (Framing f : Framing.values()) {
            for (Authentication a : Authentication.values()) {
                args.add(Arguments.of(f, a));
            }
        }
        return args.stream();
    }

    private static BlockingTestClient client(Framing framing, int meter, Authentication auth) throws Exception {
        MeterSimulator sim = SIMULATORS.get(framing);
        return new BlockingTestClient(sim.addresses().get(meter), sim.addressing(), meter, auth, TIMEOUT_MS);
    }

    /**
     * Gurux's server starts a capturing thread for every profile with a capture period when it initializes, and a
     * simulated meter initializes one server per connection: without care a simulator would keep one thread per
     * connection ever made, which at 10 000 meters reached the machine's pid_max. The period still reads as set.
     */
    @Test
    void connectionsLeaveNoProfileCaptureThreadsBehindAndTheCapturePeriodStillReads() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int meter = 0; meter < 3; meter++) {
                try (BlockingTestClient c = client(Framing.WRAPPER, meter, Authentication.NONE).associate()) {
                    gurux.dlms.objects.GXDLMSProfileGeneric profile = new gurux.dlms.objects.GXDLMSProfileGeneric(
                            SimulatedProfiles.LOAD_PROFILE.toString());
                    assertThat(((Number) c.read(profile, 4)).longValue())
                            .isEqualTo(SimulatedProfiles.DEFAULT_PERIOD.getSeconds());
                    c.release();
                }
            }
        }
        List<String> capturing = Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Stream.of(e.getValue()).anyMatch(frame -> frame.getClassName()
                        .equals("gurux.dlms.objects.GXProfileGenericUpdater")))
                .map(e -> e.getKey().getName())
                .toList();
        assertThat(capturing).as("threads running Gurux's profile capture").isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("framingsAndAuthentications")
    void readsVoltageWithScalerAndUnit(Framing framing, Authentication auth) throws Exception {
        int meter = 2;
        try (BlockingTestClient c = client(framing, meter, auth).associate()) {
            GXDLMSRegister voltage = new GXDLMSRegister(MeasurementCatalog.require("voltage_l1").obis().toString());
            c.read(voltage, 3);
            Object raw = c.read(voltage, 2);
            double volts = ((Number) raw).doubleValue() * voltage.getScaler();

            assertThat(voltage.getUnit()).isEqualTo(Unit.VOLTAGE);
            assertThat(voltage.getScaler()).isCloseTo(0.1, within(1e-12));
            assertThat(SimulatedMeasurements.unitSymbol("voltage_l1")).isEqualTo("V");
            assertThat(volts).isBetween(220.0, 240.0)
                    .isCloseTo(SimulatedMeasurements.value("voltage_l1", meter, NOW.toEpochMilli()), within(1e-9));
            c.release();
        }
    }

    @Test
    void readsEveryRegisterWithGetWithListAndTheClock() throws Exception {
        int meter = 1;
        try (BlockingTestClient c = client(Framing.WRAPPER, meter, Authentication.LOW).associate()) {
            List<Map.Entry<GXDLMSObject, Integer>> scalers = new ArrayList<>();
            List<Map.Entry<GXDLMSObject, Integer>> values = new ArrayList<>();
            Map<String, GXDLMSRegister> registers = new java.util.LinkedHashMap<>();
            for (Measurement m : MeasurementCatalog.standard()) {
                GXDLMSRegister r = new GXDLMSRegister(m.obis().toString());
                registers.put(m.name(), r);
                scalers.add(new AbstractMap.SimpleEntry<>(r, 3));
                values.add(new AbstractMap.SimpleEntry<>(r, 2));
            }
            c.readList(scalers);
            c.readList(values);
            for (var e : registers.entrySet()) {
                String name = e.getKey();
                GXDLMSRegister r = e.getValue();
                assertThat(r.getUnit()).as(name).isEqualTo(SimulatedMeasurements.unit(name));
                // the client applies the scaler it read before
                double value = ((Number) r.getValue()).doubleValue();
                assertThat(value).as(name)
                        .isCloseTo(SimulatedMeasurements.value(name, meter, NOW.toEpochMilli()), within(1e-6));
                assertThat(SimulatedMeasurements.range(name).contains(value)).as(name + " = " + value).isTrue();
            }
            GXDLMSClock clock = new GXDLMSClock(MeasurementCatalog.CLOCK.toString());
            c.read(clock, 2);
            GXDateTime time = clock.getTime();
            assertThat(time.getMeterCalendar().getTimeInMillis() / 1000).isEqualTo(NOW.getEpochSecond());
        }
    }

    @Test
    void objectListNeedsBlockTransferAtSmallPdu() throws Exception {
        try (BlockingTestClient c = client(Framing.HDLC, 0, Authentication.NONE)) {
            c.gurux.setMaxReceivePDUSize(256);
            c.associate();
            int before = c.requestsSent;
            GXDLMSObjectCollection objects = c.readObjectList();
            assertThat(c.requestsSent - before).as("requests for the object list").isGreaterThan(4);
            assertThat(objects.size()).isGreaterThanOrEqualTo(30);
            assertThat(objects.findByLN(gurux.dlms.enums.ObjectType.REGISTER, "1.0.32.7.0.255")).isNotNull();
            assertThat(objects.findByLN(gurux.dlms.enums.ObjectType.DATA, "0.0.42.0.0.255")).isNotNull();
        }
    }

    @Test
    void wrongPasswordIsRejected() throws Exception {
        MeterSimulator sim = SIMULATORS.get(Framing.WRAPPER);
        try (BlockingTestClient c = new BlockingTestClient(sim.addresses().get(0),
                new MeterAddressing(SimulatorOptions.builder().password("wrong").build()), 0, Authentication.LOW,
                TIMEOUT_MS)) {
            assertThatThrownBy(c::associate).isInstanceOf(GXDLMSException.class);
        }
    }

    @Test
    void faultsAffectOnlyTheirMeterAndHeal() throws Exception {
        MeterSimulator sim = SIMULATORS.get(Framing.HDLC);
        SimulatedMeter faulty = sim.meter(0);
        GXDLMSRegister voltage = new GXDLMSRegister("1.0.32.7.0.255");
        try {
            // STOP_ANSWERING: the next read times out, other meters keep answering
            try (BlockingTestClient c = client(Framing.HDLC, 0, Authentication.NONE).associate();
                 BlockingTestClient other = client(Framing.HDLC, 1, Authentication.NONE).associate()) {
                faulty.fault(MeterFault.STOP_ANSWERING);
                c.timeout(300);
                assertThatThrownBy(() -> c.read(voltage, 2)).isInstanceOf(SocketTimeoutException.class);
                assertThat(other.read(voltage, 2)).isNotNull();
            }
            faulty.heal();
            try (BlockingTestClient c = client(Framing.HDLC, 0, Authentication.NONE).associate()) {
                assertThat(c.read(voltage, 2)).isNotNull();
                // CLOSE_CONNECTION: the meter hangs up on the next request
                faulty.fault(MeterFault.CLOSE_CONNECTION);
                assertThatThrownBy(() -> c.read(voltage, 2)).isInstanceOf(EOFException.class);
            }
            faulty.fault(MeterFault.REJECT_ASSOCIATION);
            try (BlockingTestClient c = client(Framing.HDLC, 0, Authentication.NONE)) {
                assertThatThrownBy(c::associate).isInstanceOf(GXDLMSException.class);
            }
            faulty.fault(MeterFault.CLOSE_AFTER_ASSOCIATION);
            try (BlockingTestClient c = client(Framing.HDLC, 0, Authentication.NONE).associate()) {
                assertThatThrownBy(() -> c.read(voltage, 2)).isInstanceOf(EOFException.class);
            }
            faulty.fault(MeterFault.SEND_GARBAGE);
            try (BlockingTestClient c = client(Framing.HDLC, 0, Authentication.NONE)) {
                c.timeout(300);
                assertThatThrownBy(c::associate).isInstanceOf(Exception.class);
            }
        } finally {
            faulty.heal();
        }
        try (BlockingTestClient c = client(Framing.HDLC, 0, Authentication.NONE).associate()) {
            assertThat(c.read(voltage, 2)).isNotNull();
        }
    }

    @Test
    void latencyDelaysReplies() throws Exception {
        SimulatedMeter meter = SIMULATORS.get(Framing.WRAPPER).meter(1);
        try (BlockingTestClient c = client(Framing.WRAPPER, 1, Authentication.NONE).associate()) {
            meter.latency(Duration.ofMillis(150));
            long start = System.nanoTime();
            c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
        } finally {
            meter.latency(Duration.ZERO);
        }
    }

    @Test
    void everyMeterListensOnItsOwnPortAndHdlcAddress() throws Exception {
        try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder()
                .basePort(0).meterCount(200).framing(Framing.HDLC).workerThreads(1).build())) {
            assertThat(sim.addresses()).hasSize(200).doesNotHaveDuplicates();
            // physical address 16 + 199 = 215 needs Gurux's 4-byte HDLC address
            assertThat(sim.addressing().physicalAddress(199)).isEqualTo(215);
            assertThat(sim.addressing().serverAddress(199))
                    .isEqualTo(gurux.dlms.GXDLMSClient.getServerAddress(1, 215)).isEqualTo((1 << 14) | 215);
            assertThat(sim.addressing().serverAddress(0)).isEqualTo(gurux.dlms.GXDLMSClient.getServerAddress(1, 16))
                    .isEqualTo(0x90);
            try (BlockingTestClient c = new BlockingTestClient(sim.addresses().get(199), sim.addressing(), 199,
                    Authentication.NONE, TIMEOUT_MS).associate()) {
                assertThat(c.read(new GXDLMSRegister("1.0.1.8.0.255"), 2)).isNotNull();
                assertThat(sim.meter(199).openConnections()).isEqualTo(1);
            }
        }
    }

    @Test
    void refusesMechanismsTheClientAddressDoesNotHave() throws Exception {
        MeterSimulator sim = SIMULATORS.get(Framing.WRAPPER);
        GXDLMSClientFactory none1 = () -> new BlockingTestClient(sim.addresses().get(0), sim.addressing(), 0,
                Authentication.NONE, TIMEOUT_MS);
        try (BlockingTestClient c = none1.create()) {
            // client 16 address but management mechanism: build it by hand
            c.gurux.setClientAddress(MeterAddressing.MANAGEMENT_CLIENT);
            assertThatThrownBy(c::associate).isInstanceOf(GXDLMSException.class);
        }
        try (BlockingTestClient c = new BlockingTestClient(sim.addresses().get(0), sim.addressing(), 0,
                Authentication.LOW, TIMEOUT_MS)) {
            c.gurux.setClientAddress(MeterAddressing.PUBLIC_CLIENT);
            assertThatThrownBy(c::associate).isInstanceOf(GXDLMSException.class);
        }
    }

    @Test
    void ignoresFramesForAnotherHdlcAddress() throws Exception {
        MeterSimulator sim = SIMULATORS.get(Framing.HDLC);
        try (BlockingTestClient c = client(Framing.HDLC, 1, Authentication.NONE)) {
            c.gurux.setServerAddress(gurux.dlms.GXDLMSClient.getServerAddress(1, 99));
            c.timeout(300);
            assertThatThrownBy(c::associate).isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(sim.meter(1).fault()).isEqualTo(MeterFault.NONE);
    }

    @Test
    void runsOnTheCallersEventLoops() throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        try {
            try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder()
                    .basePort(0).meterCount(2).eventLoopGroup(group).build());
                 BlockingTestClient c = new BlockingTestClient(sim.addresses().get(1), sim.addressing(), 1,
                         Authentication.HIGH_GMAC, TIMEOUT_MS).associate()) {
                assertThat(c.read(new GXDLMSRegister("1.0.13.7.0.255"), 2)).isNotNull();
            }
            assertThat(group.isShuttingDown()).as("the caller's group is left running").isFalse();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @FunctionalInterface
    private interface GXDLMSClientFactory {
        BlockingTestClient create() throws Exception;
    }

    @Test
    void managementClientCanSetAndAct() throws Exception {
        try (BlockingTestClient c = client(Framing.HDLC, 1, Authentication.HIGH_GMAC).associate()) {
            gurux.dlms.objects.GXDLMSData parameter = new gurux.dlms.objects.GXDLMSData("0.128.96.50.3.255");
            c.read(parameter, 2);
            parameter.setValue(4242L);
            c.write(parameter, 2);
            assertThat(((Number) c.read(parameter, 2)).longValue()).isEqualTo(4242L);
            c.action(new GXDLMSRegister("1.0.1.8.0.255"), 1); // register reset: accepted, values stay simulated
        }
        try (BlockingTestClient c = client(Framing.HDLC, 1, Authentication.NONE).associate()) {
            gurux.dlms.objects.GXDLMSData parameter = new gurux.dlms.objects.GXDLMSData("0.128.96.50.3.255");
            c.read(parameter, 2);
            parameter.setValue(1L);
            assertThatThrownBy(() -> c.write(parameter, 2)).as("the public client only reads")
                    .isInstanceOf(GXDLMSException.class);
        }
    }

    @Test
    void cipheredRepliesKeepCountingAcrossConnections() throws Exception {
        SimulatedMeter meter = SIMULATORS.get(Framing.WRAPPER).meter(2);
        try (BlockingTestClient c = client(Framing.WRAPPER, 2, Authentication.HIGH_GMAC).associate()) {
            c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2);
        }
        long first = meter.invocationCounter();
        assertThat(first).isPositive();
        try (BlockingTestClient c = client(Framing.WRAPPER, 2, Authentication.HIGH_GMAC).associate()) {
            c.read(new GXDLMSRegister("1.0.14.7.0.255"), 2);
        }
        assertThat(meter.invocationCounter()).isGreaterThan(first);
    }
}
