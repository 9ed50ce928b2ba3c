package io.dlmsgateway.fleet;

import static io.dlmsgateway.fleet.MeterFleetFaultIsolationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.AssociationRejectedException;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.dlms.client.SelectiveAccess;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeter;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;

/**
 * {@link MeterFleet#get}, {@link MeterFleet#set} and {@link MeterFleet#execute} against simulated meters over
 * loopback: on the poll association when a meter has no control client, and through a control association (the
 * management client) beside a public-client poll that keeps its slots. Each test uses meters of its own (the relay,
 * the note and the invocation counters outlive associations).
 */
class MeterFleetControlTest {

    private static final ObisCode DISCONNECT = ObisCode.parse("0.0.96.3.10.255");
    private static final CosemAttribute NOTE = new CosemAttribute(1, ObisCode.parse("0.0.96.1.1.255"), 2);
    private static final CosemAttribute OUTPUT_STATE = new CosemAttribute(70, DISCONNECT, 2);
    private static final CosemAttribute CONTROL_STATE = new CosemAttribute(70, DISCONNECT, 3);
    private static final CosemMethod REMOTE_DISCONNECT = new CosemMethod(70, DISCONNECT, 1);
    private static final CosemMethod REMOTE_RECONNECT = new CosemMethod(70, DISCONNECT, 2);
    private static final DlmsValue ZERO = DlmsValue.integer(DlmsType.INTEGER, 0);
    private static final Duration POLL = Duration.ofMillis(500);

    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;

    @BeforeAll
    static void startMeters() throws Exception {
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(10)
                .framing(Framing.WRAPPER).workerThreads(1).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(10)
                .framing(Framing.HDLC).physicalAddress(16, true).workerThreads(1).build());
    }

    @AfterAll
    static void stopMeters() {
        wrapperMeters.close();
        hdlcMeters.close();
    }

    private static MeterSimulator simulator(Framing framing) {
        return framing == Framing.HDLC ? hdlcMeters : wrapperMeters;
    }

    private static FleetOptions quick() {
        return FleetOptions.builder().eventLoopThreads(1).reconnectBackoff(Duration.ofMillis(50),
                Duration.ofMillis(200)).releaseTimeout(Duration.ofSeconds(2)).build();
    }

    /** The public client polling meter {@code index} every 500 ms. */
    private static Meter.Builder publicPoll(MeterSimulator simulator, int index) {
        return SimulatedDevices.device(simulator, index, POLL, Duration.ofSeconds(2)).toBuilder();
    }

    private static ControlClient lowManagement(String password, boolean keepOpen) {
        return new ControlClient(io.dlmsgateway.dlms.client.DlmsClientSettings.builder()
                .clientAddress(MeterAddressing.MANAGEMENT_CLIENT).authentication(Authentication.LOW)
                .password(password).build(), keepOpen);
    }

    private static DlmsValue note(String text) {
        return DlmsValue.octets(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String note(SimulatedMeter meter) {
        return new String(meter.customerNote(), StandardCharsets.US_ASCII);
    }

    private static Throwable failure(reactor.core.publisher.Mono<?> mono) {
        try {
            mono.block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            return reactor.core.Exceptions.unwrap(e);
        }
        throw new AssertionError("expected a failure");
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void withoutControlClientWritesAndActionsGoOnThePollAssociation(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        SimulatedMeter meter = simulator.meter(0);
        // the poll client is the management client itself
        Meter device = publicPoll(simulator, 0).client(SimulatedDevices.client(simulator, 0, Duration.ofSeconds(2))
                .clientAddress(MeterAddressing.MANAGEMENT_CLIENT).authentication(Authentication.LOW)
                .password(SimulatorOptions.DEFAULT_PASSWORD).build()).build();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            fleet.readings().subscribe();
            awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 1
                    && fleet.deviceStatistics("meter-0").orElseThrow().state() == DeviceState.UP);
            fleet.set("meter-0", NOTE, note("on the poll association")).block(Duration.ofSeconds(5));
            assertThat(fleet.get("meter-0", NOTE, null).block(Duration.ofSeconds(5)))
                    .isEqualTo(note("on the poll association"));
            assertThat(fleet.execute("meter-0", REMOTE_DISCONNECT, ZERO).blockOptional(Duration.ofSeconds(5)))
                    .isEmpty();
            assertThat(meter.relayConnected()).isFalse();
            assertThat(fleet.get("meter-0", CONTROL_STATE, null).block(Duration.ofSeconds(5)))
                    .isEqualTo(DlmsValue.integer(DlmsType.ENUM, 0));
            fleet.execute("meter-0", REMOTE_RECONNECT, ZERO).block(Duration.ofSeconds(5));
            assertThat(meter.relayConnected()).isTrue();
            assertThat(meter.openConnections()).as("no second association").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aPublicPollAloneIsRefusedByNameAndGetsWithSelectiveAccess(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        try (MeterFleet fleet = MeterFleet.create(List.of(publicPoll(simulator, 1).build()), quick())) {
            fleet.readings().subscribe();
            awaitTrue(Duration.ofSeconds(5),
                    () -> fleet.deviceStatistics("meter-1").orElseThrow().state() == DeviceState.UP);
            Throwable denied = failure(fleet.execute("meter-1", REMOTE_DISCONNECT, ZERO));
            assertThat(denied).isInstanceOf(DlmsAccessException.class);
            assertThat(((DlmsAccessException) denied).resultName()).isEqualTo("read-write-denied");
            assertThat(((DlmsAccessException) denied).service()).isEqualTo("ACTION");
            assertThat(((DlmsAccessException) failure(fleet.set("meter-1", NOTE, note("x")))).resultName())
                    .isEqualTo("read-write-denied");
            assertThat(simulator.meter(1).relayConnected()).isTrue();
            DlmsValue lastTwo = fleet.get("meter-1", new CosemAttribute(7, ObisCode.parse("1.0.99.1.0.255"), 2),
                    new SelectiveAccess(2, DlmsValue.structure(List.of(
                            DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 1),
                            DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 2),
                            DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1),
                            DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0))))).block(Duration.ofSeconds(5));
            assertThat(lastTwo.elements()).hasSize(2);
            assertThat(fleet.get("meter-1", OUTPUT_STATE, null).block(Duration.ofSeconds(5)))
                    .isEqualTo(DlmsValue.bool(true));
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void theControlAssociationActsBesideThePollAndIsReleasedAfterUse(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        SimulatedMeter meter = simulator.meter(2);
        Meter device = publicPoll(simulator, 2).control(lowManagement(SimulatorOptions.DEFAULT_PASSWORD, false))
                .build();
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(5), () -> readings.size() >= 2);
            assertThat(meter.openConnections()).isEqualTo(1);
            // a cold JVM may miss the very first slot; what counts is what happens while the control acts
            long missedBefore = fleet.deviceStatistics("meter-2").orElseThrow().missed();

            fleet.execute("meter-2", REMOTE_DISCONNECT, ZERO).block(Duration.ofSeconds(5));
            assertThat(meter.relayConnected()).isFalse();
            // the public poll association reads what the control association did
            assertThat(fleet.get("meter-2", OUTPUT_STATE, null).block(Duration.ofSeconds(5)))
                    .isEqualTo(DlmsValue.bool(false));
            awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 1); // released: the meter saw it close

            fleet.set("meter-2", NOTE, note("through control")).block(Duration.ofSeconds(5));
            fleet.execute("meter-2", REMOTE_RECONNECT, ZERO).block(Duration.ofSeconds(5));
            assertThat(meter.relayConnected()).isTrue();
            assertThat(note(meter)).isEqualTo("through control");
            awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 1);

            int before = readings.size();
            awaitTrue(Duration.ofSeconds(5), () -> readings.size() >= before + 3);
            DeviceStatistics s = fleet.deviceStatistics("meter-2").orElseThrow();
            assertThat(s.missed()).as("no poll slot missed").isEqualTo(missedBefore);
            assertThat(s.failures()).isZero();
            assertThat(s.connects()).as("the poll association was never dropped").isEqualTo(1);
        }
        awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 0);
    }

    @Test
    void aKeptControlAssociationStaysOpenUntilTheFleetCloses() throws Exception {
        MeterSimulator simulator = wrapperMeters;
        SimulatedMeter meter = simulator.meter(3);
        Meter device = publicPoll(simulator, 3).control(lowManagement(SimulatorOptions.DEFAULT_PASSWORD, true))
                .build();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            fleet.readings().subscribe();
            awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 1
                    && fleet.deviceStatistics("meter-3").orElseThrow().state() == DeviceState.UP);
            fleet.set("meter-3", NOTE, note("one")).block(Duration.ofSeconds(5));
            fleet.set("meter-3", NOTE, note("two")).block(Duration.ofSeconds(5));
            fleet.execute("meter-3", REMOTE_DISCONNECT, ZERO).block(Duration.ofSeconds(5));
            fleet.execute("meter-3", REMOTE_RECONNECT, ZERO).block(Duration.ofSeconds(5));
            assertThat(note(meter)).isEqualTo("two");
            Thread.sleep(300);
            assertThat(meter.openConnections()).as("poll and control association").isEqualTo(2);
        }
        awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 0);
    }

    @Test
    void aCancelledOperationIsDequeued() throws Exception {
        MeterSimulator simulator = wrapperMeters;
        SimulatedMeter meter = simulator.meter(4);
        Meter device = publicPoll(simulator, 4).control(lowManagement(SimulatorOptions.DEFAULT_PASSWORD, false))
                .build();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            fleet.readings().subscribe();
            awaitTrue(Duration.ofSeconds(5),
                    () -> fleet.deviceStatistics("meter-4").orElseThrow().state() == DeviceState.UP);
            meter.latency(Duration.ofMillis(150)); // the first write takes a while: the second waits in the queue
            reactor.core.publisher.Mono<Void> first = fleet.set("meter-4", NOTE, note("first")).cache();
            first.subscribe(null, e -> { });
            Disposable second = fleet.set("meter-4", NOTE, note("second")).subscribe(null, e -> { });
            Thread.sleep(50);
            second.dispose();
            first.block(Duration.ofSeconds(10));
            Thread.sleep(500);
            assertThat(note(meter)).isEqualTo("first");
            // the queue goes on after a cancel
            fleet.set("meter-4", NOTE, note("third")).block(Duration.ofSeconds(10));
            assertThat(note(meter)).isEqualTo("third");
        } finally {
            meter.latency(Duration.ZERO);
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aControlAssociationThatCannotOpenFailsTheOperationAndLeavesThePollAlone(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        SimulatedMeter meter = simulator.meter(5);
        Meter device = publicPoll(simulator, 5).control(lowManagement("wrong password", false)).build();
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(5), () -> !readings.isEmpty());
            long missedBefore = fleet.deviceStatistics("meter-5").orElseThrow().missed();
            Throwable rejected = failure(fleet.execute("meter-5", REMOTE_DISCONNECT, ZERO));
            assertThat(rejected).isInstanceOf(AssociationRejectedException.class)
                    .hasMessageContaining("meter-5");
            assertThat(meter.relayConnected()).isTrue();
            // tried again for the next operation, and refused again
            assertThat(failure(fleet.set("meter-5", NOTE, note("x")))).isInstanceOf(AssociationRejectedException.class);
            int before = readings.size();
            awaitTrue(Duration.ofSeconds(5), () -> readings.size() >= before + 3);
            DeviceStatistics s = fleet.deviceStatistics("meter-5").orElseThrow();
            assertThat(s.state()).isEqualTo(DeviceState.UP);
            assertThat(s.missed()).isEqualTo(missedBefore);
            assertThat(s.failures()).isZero();
            assertThat(s.connects()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aHighGmacControlClientActsAcrossAssociationsWithItsOwnCounters(Framing framing) throws Exception {
        MeterSimulator simulator = simulator(framing);
        SimulatedMeter meter = simulator.meter(6);
        HexFormat hex = HexFormat.of();
        ControlClient gmac = new ControlClient(io.dlmsgateway.dlms.client.DlmsClientSettings.builder()
                .clientAddress(MeterAddressing.MANAGEMENT_CLIENT).authentication(Authentication.HIGH_GMAC)
                .blockCipherKey(hex.formatHex(simulator.addressing().blockCipherKey()))
                .authenticationKey(hex.formatHex(simulator.addressing().authenticationKey()))
                .clientSystemTitle("4752580000000001").build(), false);
        InvocationCounterStore store = InvocationCounterStore.inMemory();
        Meter device = publicPoll(simulator, 6).control(gmac).build();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick().toBuilder().invocationCounterStore(store)
                .build())) {
            fleet.readings().subscribe();
            awaitTrue(Duration.ofSeconds(5),
                    () -> fleet.deviceStatistics("meter-6").orElseThrow().state() == DeviceState.UP);
            // three associations one after the other: each starts above the counters the meter has seen
            fleet.execute("meter-6", REMOTE_DISCONNECT, ZERO).block(Duration.ofSeconds(5));
            awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 1);
            fleet.set("meter-6", NOTE, note("ciphered")).block(Duration.ofSeconds(5));
            awaitTrue(Duration.ofSeconds(5), () -> meter.openConnections() == 1);
            fleet.execute("meter-6", REMOTE_RECONNECT, ZERO).block(Duration.ofSeconds(5));
            assertThat(meter.relayConnected()).isTrue();
            assertThat(note(meter)).isEqualTo("ciphered");
            assertThat(meter.replaysRefused()).isZero();
            assertThat(store.reservedEnd("meter-6", MeterAddressing.MANAGEMENT_CLIENT))
                    .isGreaterThan(meter.lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT));
        }
    }

    @Test
    void syncClockGoesThroughTheControlAssociation() throws Exception {
        MeterSimulator simulator = wrapperMeters;
        SimulatedMeter meter = simulator.meter(7);
        meter.clockOffset(Duration.ofSeconds(120));
        try (MeterFleet fleet = MeterFleet.create(List.of(publicPoll(simulator, 7)
                .control(lowManagement(SimulatorOptions.DEFAULT_PASSWORD, false)).build()), quick())) {
            fleet.readings().subscribe();
            awaitTrue(Duration.ofSeconds(5),
                    () -> fleet.deviceStatistics("meter-7").orElseThrow().state() == DeviceState.UP);
            fleet.syncClock("meter-7").block(Duration.ofSeconds(5));
            assertThat(meter.clockOffset().abs()).isLessThan(Duration.ofSeconds(2));
        } finally {
            meter.clockOffset(Duration.ZERO);
        }
        // the public poll client alone may not correct it
        meter.clockOffset(Duration.ofSeconds(120));
        try (MeterFleet fleet = MeterFleet.create(List.of(publicPoll(simulator, 7).build()), quick())) {
            fleet.readings().subscribe();
            awaitTrue(Duration.ofSeconds(5),
                    () -> fleet.deviceStatistics("meter-7").orElseThrow().state() == DeviceState.UP);
            assertThatThrownBy(() -> fleet.syncClock("meter-7").block(Duration.ofSeconds(5)))
                    .isInstanceOf(DlmsAccessException.class);
        } finally {
            meter.clockOffset(Duration.ZERO);
        }
    }
}
