package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeter;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Typed GET, SET and ACTION against simulated meters over loopback TCP, WRAPPER and HDLC: values read as the meter
 * typed them, writes read back, the Disconnect control's relay opened and closed, and every refusal (wrong client,
 * unknown object, wrong type) named by its data-access-result or action-result with the association still usable.
 */
class DlmsConnectionOperationsTest {

    private static final ObisCode NOTE = ObisCode.parse("0.0.96.1.1.255");
    private static final ObisCode PERIOD = ObisCode.parse("1.0.0.8.0.255");
    private static final ObisCode DISCONNECT = ObisCode.parse("0.0.96.3.10.255");
    private static final ObisCode LOAD_PROFILE = ObisCode.parse("1.0.99.1.0.255");
    private static final CosemAttribute NOTE_VALUE = new CosemAttribute(1, NOTE, 2);
    private static final CosemAttribute PERIOD_VALUE = new CosemAttribute(1, PERIOD, 2);
    private static final CosemAttribute OUTPUT_STATE = new CosemAttribute(70, DISCONNECT, 2);
    private static final CosemAttribute CONTROL_STATE = new CosemAttribute(70, DISCONNECT, 3);
    private static final CosemAttribute CONTROL_MODE = new CosemAttribute(70, DISCONNECT, 4);
    private static final CosemMethod REMOTE_DISCONNECT = new CosemMethod(70, DISCONNECT, 1);
    private static final CosemMethod REMOTE_RECONNECT = new CosemMethod(70, DISCONNECT, 2);
    private static final DlmsValue ZERO = DlmsValue.integer(DlmsType.INTEGER, 0);

    private static EventLoopGroup group;
    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;
    private static MeterSimulator smallPduMeters;

    @BeforeAll
    static void start() throws java.io.IOException {
        group = new NioEventLoopGroup(1);
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(8).basePort(0)
                .framing(Framing.WRAPPER).workerThreads(1).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(8).basePort(0)
                .framing(Framing.HDLC).workerThreads(1).build());
        smallPduMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(1).basePort(0)
                .framing(Framing.WRAPPER).workerThreads(1).maxPduSize(64).build());
    }

    @AfterAll
    static void stop() {
        wrapperMeters.close();
        hdlcMeters.close();
        smallPduMeters.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static MeterSimulator simulator(Framing framing) {
        return framing == Framing.HDLC ? hdlcMeters : wrapperMeters;
    }

    private static DlmsClientSettings.Builder publicClient(MeterSimulator sim, Framing framing, int meter) {
        MeterAddressing a = sim.addressing();
        return DlmsClientSettings.builder().framing(framing).logicalAddress(a.logicalAddress())
                .physicalAddress(a.physicalAddress(meter)).requestTimeout(Duration.ofSeconds(2));
    }

    private static DlmsClientSettings.Builder management(MeterSimulator sim, Framing framing, int meter) {
        return publicClient(sim, framing, meter).authentication(Authentication.LOW)
                .password(SimulatorOptions.DEFAULT_PASSWORD);
    }

    private static DlmsClientSettings.Builder gmac(MeterSimulator sim, Framing framing, int meter) {
        HexFormat hex = HexFormat.of();
        return publicClient(sim, framing, meter).authentication(Authentication.HIGH_GMAC)
                .blockCipherKey(hex.formatHex(sim.addressing().blockCipherKey()))
                .authenticationKey(hex.formatHex(sim.addressing().authenticationKey()));
    }

    private static DlmsConnection open(MeterSimulator sim, int meter, DlmsClientSettings settings) {
        return DlmsConnection.open(group, sim.addresses().get(meter), settings, "meter-" + meter).join();
    }

    private static DlmsAccessException refusal(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(DlmsAccessException.class);
            return (DlmsAccessException) e.getCause();
        }
        throw new AssertionError("expected a refusal, got " + future.join());
    }

    private static DlmsValue octets(String text) {
        return DlmsValue.octets(text.getBytes(StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsValuesAsTheMeterTypedThem(Framing framing) {
        DlmsConnection c = open(simulator(framing), 0, publicClient(simulator(framing), framing, 0).build());
        try {
            assertThat(c.get(PERIOD_VALUE, null, Priority.ON_DEMAND).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 900));
            assertThat(c.get(OUTPUT_STATE, null, Priority.ON_DEMAND).join()).isEqualTo(DlmsValue.bool(true));
            assertThat(c.get(CONTROL_STATE, null, Priority.SCHEDULED).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.ENUM, 1));
            assertThat(c.get(CONTROL_MODE, null, Priority.SCHEDULED).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.ENUM, SimulatorOptions.DEFAULT_DISCONNECT_CONTROL_MODE));
            assertThat(c.get(new CosemAttribute(1, ObisCode.parse("0.0.42.0.0.255"), 2), null, Priority.ON_DEMAND)
                    .join()).isEqualTo(octets("GRXSIM0000000000"));
            // a register's scaler_unit: structure {integer, enum}, not two plain numbers
            assertThat(c.get(new CosemAttribute(3, ObisCode.parse("1.0.32.7.0.255"), 3), null, Priority.ON_DEMAND)
                    .join().elements()).extracting(DlmsValue::type)
                    .containsExactly(DlmsType.INTEGER, DlmsType.ENUM);
            assertThat(refusal(c.get(new CosemAttribute(1, ObisCode.parse("0.0.96.99.0.255"), 2), null,
                    Priority.ON_DEMAND)).resultName()).isEqualTo("object-undefined");
        } finally {
            c.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsProfileRowsBySelectiveAccessByEntry(Framing framing) {
        DlmsConnection c = open(simulator(framing), 1, publicClient(simulator(framing), framing, 1).build());
        try {
            DlmsValue byEntry = DlmsValue.structure(List.of(DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 1),
                    DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 3), DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1),
                    DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0)));
            DlmsValue rows = c.get(new CosemAttribute(7, LOAD_PROFILE, 2), new SelectiveAccess(2, byEntry),
                    Priority.ON_DEMAND).join();
            assertThat(rows.type()).isEqualTo(DlmsType.ARRAY);
            assertThat(rows.elements()).hasSize(3).allSatisfy(row -> {
                assertThat(row.type()).isEqualTo(DlmsType.STRUCTURE);
                assertThat(row.elements().get(0).octets()).hasSize(12); // the capture time
            });
            // without selective access: the whole buffer, many GET data blocks
            DlmsValue all = c.get(new CosemAttribute(7, LOAD_PROFILE, 2), null, Priority.ON_DEMAND).join();
            assertThat(all.elements().size()).isGreaterThan(3);
            assertThat(all.elements().subList(0, 3)).isEqualTo(rows.elements());
        } finally {
            c.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void managementClientWritesAndReadsBack(Framing framing) {
        MeterSimulator sim = simulator(framing);
        DlmsConnection c = open(sim, 2, management(sim, framing, 2).build());
        try {
            c.set(NOTE_VALUE, octets("gate code 4711"), Priority.ON_DEMAND).join();
            c.set(PERIOD_VALUE, DlmsValue.integer(DlmsType.LONG_UNSIGNED, 60), Priority.ON_DEMAND).join();
            assertThat(c.get(NOTE_VALUE, null, Priority.ON_DEMAND).join()).isEqualTo(octets("gate code 4711"));
            assertThat(c.get(PERIOD_VALUE, null, Priority.ON_DEMAND).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 60));
            assertThat(new String(sim.meter(2).customerNote(), StandardCharsets.US_ASCII)).isEqualTo("gate code 4711");
            assertThat(sim.meter(2).measurementPeriod()).isEqualTo(60);
        } finally {
            c.release().join();
        }
        // the meter keeps them across associations: the public client reads them
        DlmsConnection reader = open(sim, 2, publicClient(sim, framing, 2).build());
        try {
            assertThat(reader.get(PERIOD_VALUE, null, Priority.ON_DEMAND).join().longValue()).isEqualTo(60);
        } finally {
            reader.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void writesAreRefusedByNameAndTheAssociationGoesOn(Framing framing) {
        MeterSimulator sim = simulator(framing);
        DlmsConnection pub = open(sim, 3, publicClient(sim, framing, 3).build());
        try {
            DlmsAccessException denied = refusal(pub.set(NOTE_VALUE, octets("x"), Priority.ON_DEMAND));
            assertThat(denied.service()).isEqualTo("SET");
            assertThat(denied.resultName()).isEqualTo("read-write-denied");
            assertThat(denied.result()).isEqualTo(3);
            assertThat(denied).hasMessageContaining("SET 0.0.96.1.1.255 class 1 attribute 2 refused: read-write-denied");
            assertThat(pub.get(PERIOD_VALUE, null, Priority.ON_DEMAND).join().longValue()).isEqualTo(900);
        } finally {
            pub.release().join();
        }
        DlmsConnection c = open(sim, 3, management(sim, framing, 3).build());
        try {
            assertThat(refusal(c.set(new CosemAttribute(1, ObisCode.parse("0.0.96.99.0.255"), 2), octets("x"),
                    Priority.ON_DEMAND)).resultName()).isEqualTo("object-undefined");
            // the note is an octet-string and the period a long-unsigned: anything else is type-unmatched
            assertThat(refusal(c.set(NOTE_VALUE, DlmsValue.visible("x"), Priority.ON_DEMAND)).resultName())
                    .isEqualTo("type-unmatched");
            assertThat(refusal(c.set(PERIOD_VALUE, DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 60),
                    Priority.ON_DEMAND)).resultName()).isEqualTo("type-unmatched");
            assertThat(refusal(c.set(PERIOD_VALUE, octets("\u0003\u0084"), Priority.ON_DEMAND)).resultName())
                    .isEqualTo("type-unmatched");
            // read-only for everyone: the logical device name
            assertThat(refusal(c.set(new CosemAttribute(1, ObisCode.parse("0.0.42.0.0.255"), 2), octets("x"),
                    Priority.ON_DEMAND)).resultName()).isEqualTo("read-write-denied");
            assertThat(sim.meter(3).measurementPeriod()).isEqualTo(SimulatedMeter.DEFAULT_MEASUREMENT_PERIOD);
            c.set(PERIOD_VALUE, DlmsValue.integer(DlmsType.LONG_UNSIGNED, 300), Priority.ON_DEMAND).join();
            assertThat(sim.meter(3).measurementPeriod()).isEqualTo(300);
        } finally {
            c.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void remoteDisconnectOpensTheRelayAndRemoteReconnectClosesIt(Framing framing) {
        MeterSimulator sim = simulator(framing);
        SimulatedMeter meter = sim.meter(4);
        DlmsConnection c = open(sim, 4, management(sim, framing, 4).build());
        try {
            assertThat(c.invoke(REMOTE_DISCONNECT, ZERO, Priority.ON_DEMAND).join()).isEmpty();
            assertThat(meter.relayConnected()).isFalse();
            assertThat(meter.controlState()).isEqualTo(SimulatedMeter.ControlState.DISCONNECTED);
            assertThat(c.get(OUTPUT_STATE, null, Priority.ON_DEMAND).join()).isEqualTo(DlmsValue.bool(false));
            assertThat(c.get(CONTROL_STATE, null, Priority.ON_DEMAND).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.ENUM, 0));

            assertThat(c.invoke(REMOTE_RECONNECT, ZERO, Priority.ON_DEMAND).join()).isEmpty();
            assertThat(meter.relayConnected()).isTrue();
            assertThat(c.get(OUTPUT_STATE, null, Priority.ON_DEMAND).join()).isEqualTo(DlmsValue.bool(true));
            assertThat(c.get(CONTROL_STATE, null, Priority.ON_DEMAND).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.ENUM, 1));

            // mode 2: remote_reconnect only makes the meter ready; a person at the meter closes the relay
            c.set(CONTROL_MODE, DlmsValue.integer(DlmsType.ENUM, 2), Priority.ON_DEMAND).join();
            c.invoke(REMOTE_DISCONNECT, ZERO, Priority.ON_DEMAND).join();
            c.invoke(REMOTE_RECONNECT, ZERO, Priority.ON_DEMAND).join();
            assertThat(meter.controlState()).isEqualTo(SimulatedMeter.ControlState.READY_FOR_RECONNECTION);
            assertThat(c.get(OUTPUT_STATE, null, Priority.ON_DEMAND).join()).isEqualTo(DlmsValue.bool(false));
            meter.manualReconnect();
            assertThat(c.get(CONTROL_STATE, null, Priority.ON_DEMAND).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.ENUM, 1));
        } finally {
            meter.controlMode(SimulatorOptions.DEFAULT_DISCONNECT_CONTROL_MODE);
            c.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void actionsAreRefusedWithActionResultNames(Framing framing) {
        MeterSimulator sim = simulator(framing);
        SimulatedMeter meter = sim.meter(5);
        DlmsConnection pub = open(sim, 5, publicClient(sim, framing, 5).build());
        try {
            DlmsAccessException denied = refusal(pub.invoke(REMOTE_DISCONNECT, ZERO, Priority.ON_DEMAND));
            assertThat(denied.service()).isEqualTo("ACTION");
            assertThat(denied.resultName()).isEqualTo("read-write-denied");
            assertThat(denied).hasMessageContaining("ACTION 0.0.96.3.10.255 class 70 method 1 refused: "
                    + "read-write-denied (action-result 3)");
            assertThat(meter.relayConnected()).isTrue();
            assertThat(pub.get(OUTPUT_STATE, null, Priority.ON_DEMAND).join()).isEqualTo(DlmsValue.bool(true));
        } finally {
            pub.release().join();
        }
        DlmsConnection c = open(sim, 5, management(sim, framing, 5).build());
        try {
            assertThat(refusal(c.invoke(REMOTE_DISCONNECT, DlmsValue.integer(DlmsType.UNSIGNED, 0),
                    Priority.ON_DEMAND)).resultName()).isEqualTo("type-unmatched");
            assertThat(refusal(c.invoke(REMOTE_DISCONNECT, null, Priority.ON_DEMAND)).resultName())
                    .isEqualTo("type-unmatched");
            assertThat(refusal(c.invoke(new CosemMethod(70, ObisCode.parse("0.0.96.3.11.255"), 1), ZERO,
                    Priority.ON_DEMAND)).resultName()).isEqualTo("object-undefined");
            assertThat(meter.relayConnected()).isTrue();
            assertThat(c.invoke(REMOTE_DISCONNECT, ZERO, Priority.ON_DEMAND).join()).isEmpty();
            assertThat(meter.relayConnected()).isFalse();
        } finally {
            c.invoke(REMOTE_RECONNECT, ZERO, Priority.ON_DEMAND).join();
            c.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void highGmacManagementClientActsCiphered(Framing framing) {
        MeterSimulator sim = simulator(framing);
        SimulatedMeter meter = sim.meter(6);
        DlmsConnection c = open(sim, 6, gmac(sim, framing, 6).invocationCounter(1).build());
        try {
            c.set(NOTE_VALUE, octets("ciphered"), Priority.ON_DEMAND).join();
            assertThat(c.get(NOTE_VALUE, null, Priority.ON_DEMAND).join()).isEqualTo(octets("ciphered"));
            c.invoke(REMOTE_DISCONNECT, ZERO, Priority.ON_DEMAND).join();
            assertThat(meter.relayConnected()).isFalse();
            assertThat(c.get(CONTROL_STATE, null, Priority.ON_DEMAND).join())
                    .isEqualTo(DlmsValue.integer(DlmsType.ENUM, 0));
            assertThat(refusal(c.set(PERIOD_VALUE, DlmsValue.visible("60"), Priority.ON_DEMAND)).resultName())
                    .isEqualTo("type-unmatched");
            c.invoke(REMOTE_RECONNECT, ZERO, Priority.ON_DEMAND).join();
            assertThat(meter.relayConnected()).isTrue();
        } finally {
            c.release().join();
        }
    }

    @Test
    void aValueLongerThanThePduIsRefusedWhenTheMeterTakesNoBlocksForSet() {
        // the simulated meters offer block transfer for GET and ACTION, not for SET (see SimulatedCosemServer)
        String note = "a customer note of a hundred octets, longer than the meter's PDU of 64 octets: ".repeat(2)
                .substring(0, 100);
        DlmsConnection c = open(smallPduMeters, 0, management(smallPduMeters, Framing.WRAPPER, 0).maxPduSize(64)
                .build());
        try {
            assertThat(c.negotiatedConformance()).contains("BLOCK_TRANSFER_WITH_GET_OR_READ")
                    .doesNotContain("BLOCK_TRANSFER_WITH_SET_OR_WRITE");
            long sentBefore = c.bytesSent();
            CompletableFuture<Void> set = c.set(NOTE_VALUE, octets(note), Priority.ON_DEMAND);
            assertThat(set).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(
                    java.util.concurrent.ExecutionException.class).havingCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .withMessageContaining("102 bytes does not fit the meter's PDU of 64 bytes")
                    .withMessageContaining("did not agree to block transfer");
            assertThat(c.bytesSent()).isEqualTo(sentBefore);
            // a note that fits goes, and a long reply comes back by GET blocks
            c.set(NOTE_VALUE, octets("short"), Priority.ON_DEMAND).join();
            assertThat(c.get(NOTE_VALUE, null, Priority.ON_DEMAND).join()).isEqualTo(octets("short"));
            assertThat(c.get(new CosemAttribute(7, LOAD_PROFILE, 3), null, Priority.ON_DEMAND).join().elements())
                    .hasSize(3);
        } finally {
            c.release().join();
        }
    }

    // ---- the bytes on the wire ---------------------------------------------------------------------------------

    /** A connection on an embedded channel: what it writes is read back as the WRAPPER frames it sent. */
    private static EmbeddedChannel wire() {
        return new EmbeddedChannel(new WrapperFrameDecoder());
    }

    private static String sent(EmbeddedChannel channel) {
        ByteBuf out = channel.readOutbound();
        try {
            return ByteBufUtil.hexDump(out).toUpperCase(java.util.Locale.ROOT);
        } finally {
            out.release();
        }
    }

    @Test
    void aSetCarriesTheValueExactlyAsEncodedByHand() {
        EmbeddedChannel channel = wire();
        DlmsConnection c = DlmsConnection.unassociated(channel, DlmsClientSettings.builder().build(), "wire");
        c.set(PERIOD_VALUE, DlmsValue.integer(DlmsType.LONG_UNSIGNED, 900), Priority.ON_DEMAND);
        channel.runPendingTasks();
        // WRAPPER header (version 1, client wPort 16, server wPort 1, length 22), then set-request-normal: C1 01,
        // invoke-id-and-priority C1, class 1, 1.0.0.8.0.255, attribute 2, no access selection, long-unsigned 900
        assertThat(sent(channel)).isEqualTo("0001001000010010" + "C101C1" + "0001" + "0100000800FF" + "02" + "00"
                + "120384");
        channel.finishAndReleaseAll();
    }

    @Test
    void anActionCarriesItsParameterExactlyAsEncodedByHand() {
        EmbeddedChannel channel = wire();
        DlmsConnection c = DlmsConnection.unassociated(channel, DlmsClientSettings.builder().build(), "wire");
        c.invoke(REMOTE_DISCONNECT, ZERO, Priority.ON_DEMAND);
        channel.runPendingTasks();
        // action-request-normal C3 01, C1, class 70, 0.0.96.3.10.255, method 1, parameters present, integer 0
        assertThat(sent(channel)).isEqualTo("000100100001000F" + "C301C1" + "0046" + "000060030AFF" + "01" + "01" + "0F00");
        channel.finishAndReleaseAll();
    }

    @Test
    void aGetWithSelectiveAccessCarriesSelectorAndParametersExactly() {
        EmbeddedChannel channel = wire();
        DlmsConnection c = DlmsConnection.unassociated(channel, DlmsClientSettings.builder().build(), "wire");
        DlmsValue byEntry = DlmsValue.structure(List.of(DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 1),
                DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 2), DlmsValue.integer(DlmsType.LONG_UNSIGNED, 1),
                DlmsValue.integer(DlmsType.LONG_UNSIGNED, 0)));
        c.get(new CosemAttribute(7, LOAD_PROFILE, 2), new SelectiveAccess(2, byEntry), Priority.ON_DEMAND);
        channel.runPendingTasks();
        // get-request-normal C0 01, C1, class 7, 1.0.99.1.0.255, attribute 2, access selection present, selector 2,
        // structure of 4 {double-long-unsigned 1, double-long-unsigned 2, long-unsigned 1, long-unsigned 0}
        assertThat(sent(channel)).isEqualTo("0001001000010020" + "C001C1" + "0007" + "0100630100FF" + "02" + "01"
                + "02" + "0204" + "0600000001" + "0600000002" + "120001" + "120000");
        channel.finishAndReleaseAll();
    }

    @Test
    void aClassGuruxCannotNameIsRefusedBeforeSending() {
        EmbeddedChannel channel = wire();
        DlmsConnection c = DlmsConnection.unassociated(channel, DlmsClientSettings.builder().build(), "wire");
        CompletableFuture<DlmsValue> get = c.get(new CosemAttribute(9999, NOTE, 2), null, Priority.ON_DEMAND);
        channel.runPendingTasks();
        assertThat(get).isCompletedExceptionally();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(get.handle((v, e) -> e).join()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("COSEM class 9999 is not supported");
        channel.finishAndReleaseAll();
    }

    @Test
    void actionResultsHaveTheirOwnNames() {
        DlmsAccessException action = new DlmsAccessException("m", "ACTION", DISCONNECT, 70, 1, 15);
        DlmsAccessException get = new DlmsAccessException("m", "GET", DISCONNECT, 70, 2, 15);
        assertThat(action.resultName()).isEqualTo("long-action-aborted");
        assertThat(get.resultName()).isEqualTo("long-get-aborted");
        assertThat(new DlmsAccessException("m", "ACTION", DISCONNECT, 70, 1, 16).resultName())
                .isEqualTo("no-long-action-in-progress");
        assertThat(action).hasMessageContaining("long-action-aborted (action-result 15)");
    }
}
