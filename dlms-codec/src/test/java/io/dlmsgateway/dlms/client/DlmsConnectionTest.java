package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeasurements;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client against simulated meters, over real loopback TCP, for both framings and every authentication. */
class DlmsConnectionTest {

    private static final String PASSWORD = "Gurux";

    private static EventLoopGroup group;
    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;

    @BeforeAll
    static void start() throws java.io.IOException {
        group = new NioEventLoopGroup(2);
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(3).basePort(0)
                .framing(Framing.WRAPPER).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(3).basePort(0)
                .framing(Framing.HDLC).build());
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

    private static DlmsClientSettings.Builder settings(Framing framing, int meterIndex, Authentication auth) {
        MeterSimulator sim = simulator(framing);
        DlmsClientSettings.Builder b = DlmsClientSettings.builder()
                .framing(framing)
                .logicalAddress(sim.addressing().logicalAddress())
                .physicalAddress(sim.addressing().physicalAddress(meterIndex))
                .authentication(auth)
                .clientAddress(sim.addressing().clientAddress(auth))
                .requestTimeout(Duration.ofSeconds(2));
        if (auth == Authentication.LOW) {
            b.password(PASSWORD);
        }
        return b;
    }

    private static DlmsConnection open(Framing framing, int meterIndex, DlmsClientSettings settings) {
        InetSocketAddress address = simulator(framing).addresses().get(meterIndex);
        return DlmsConnection.open(group, address, settings, "meter-" + meterIndex).join();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + future.join());
    }

    static List<Object[]> framingsAndAuthentications() {
        List<Object[]> cases = new ArrayList<>();
        for (Framing f : Framing.values()) {
            for (Authentication a : Authentication.values()) {
                cases.add(new Object[] {f, a});
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.MethodSource("framingsAndAuthentications")
    void readsAllTwelveMeasurementsScaledWithUnits(Framing framing, Authentication auth) {
        DlmsConnection meter = open(framing, 1, settings(framing, 1, auth).build());
        try {
            assertThat(meter.usesGetWithList()).as("meter offers GET-with-list").isTrue();
            ReadResult result = meter.read(List.copyOf(MeasurementCatalog.standard())).join();

            assertThat(result.refusals()).isEmpty();
            assertThat(result.values()).extracting(MeasuredValue::name)
                    .containsExactlyElementsOf(MeasurementCatalog.standard().stream().map(Measurement::name).toList());
            for (MeasuredValue v : result.values()) {
                assertThat(v.value()).as(v.name()).isInstanceOf(BigDecimal.class);
                assertThat(v.unit()).as(v.name()).isEqualTo(SimulatedMeasurements.unitSymbol(v.name()));
                assertThat(SimulatedMeasurements.range(v.name()).contains(v.asDouble()))
                        .as("%s = %s within %s", v.name(), v.value(), SimulatedMeasurements.range(v.name()))
                        .isTrue();
                // the scaler is applied exactly: no binary fraction noise such as 230.10000000000002
                assertThat(((BigDecimal) v.value()).scale())
                        .isLessThanOrEqualTo(-SimulatedMeasurements.scaler(v.name()));
            }
            // a second read uses the cached scaler_unit and still agrees
            MeasuredValue voltage = meter.read(MeasurementCatalog.require("voltage_l1")).join();
            assertThat(voltage.unit()).isEqualTo("V");
            assertThat(voltage.asDouble()).isBetween(220.0, 240.0);
        } finally {
            meter.release().join();
        }
        assertThat(meter.isActive()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void fallsBackToSingleGetsWhenOneListItemFails(Framing framing) {
        DlmsConnection meter = open(framing, 0, settings(framing, 0, Authentication.NONE).build());
        try {
            Measurement missing = Measurement.register("no_such_register", "1.0.99.99.0.255");
            List<Measurement> asked = List.of(MeasurementCatalog.require("voltage_l1"), missing,
                    MeasurementCatalog.require("frequency"));
            ReadResult result = meter.read(asked).join();

            assertThat(result.values()).extracting(MeasuredValue::name).containsExactly("voltage_l1", "frequency");
            assertThat(result.refusals()).singleElement().satisfies(r -> {
                assertThat(r.measurement()).isSameAs(missing);
                assertThat(r.measurement().obis()).isEqualTo(ObisCode.parse("1.0.99.99.0.255"));
                assertThat(r.attributeIndex()).isEqualTo(2);
                assertThat(r.isScalerUnit()).isFalse();
                assertThat(r.result()).isEqualTo(4);
                assertThat(r.resultName()).isEqualTo("object-undefined");
            });
            assertThat(result.refusal("no_such_register")).isEqualTo(result.refusals().get(0));
            assertThat(meter.isActive()).as("a refused attribute leaves the association usable").isTrue();
        } finally {
            meter.release().join();
        }
    }

    @Test
    void askingForExactlyOneRefusedAttributeFailsWithAnAccessException() {
        DlmsConnection meter = open(Framing.WRAPPER, 0, settings(Framing.WRAPPER, 0, Authentication.NONE).build());
        try {
            // a data object: the simulator's Gurux server garbles a GET-with-list whose every item is refused, as
            // scaler_unit and value of a missing register would be
            Measurement missing = new Measurement("no_such_data", ObisCode.parse("0.0.96.99.0.255"),
                    Measurement.CLASS_DATA, 2);
            Throwable failure = failureOf(meter.read(missing));
            assertThat(failure).isInstanceOf(DlmsAccessException.class)
                    .hasMessageContaining("meter-0").hasMessageContaining("object-undefined");
            DlmsAccessException refused = (DlmsAccessException) failure;
            assertThat(refused.result()).isEqualTo(4);
            assertThat(refused.isConnectionLost()).isFalse();
            assertThat(meter.read(MeasurementCatalog.require("frequency")).join().unit()).isEqualTo("Hz");
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsTheObjectListByBlockTransfer(Framing framing) {
        // a small PDU makes the association's object list (well over 1 KB) arrive in blocks
        DlmsConnection meter = open(framing, 2, settings(framing, 2, Authentication.NONE).maxPduSize(128).build());
        try {
            Object objectList = meter.readAttribute(ObisCode.parse("0.0.40.0.0.255"), 15, 2).join();
            assertThat(objectList).isInstanceOf(List.class);
            List<?> entries = (List<?>) objectList;
            assertThat(entries.size()).isGreaterThanOrEqualTo(15);
            // each entry: {class_id, version, logical_name, access_rights}; the register 1.0.32.7.0.255 is listed
            assertThat(entries).anySatisfy(e -> assertThat(((List<?>) e).get(2)).isEqualTo("01002007 00FF"
                    .replace(" ", "")));
            assertThat(objectList.toString().length()).isGreaterThan(128);
        } finally {
            meter.release().join();
        }
    }

    @Test
    void readsTheClockAsIsoDateTime() {
        DlmsConnection meter = open(Framing.WRAPPER, 0, settings(Framing.WRAPPER, 0, Authentication.NONE).build());
        try {
            Measurement clock = new Measurement("clock", MeasurementCatalog.CLOCK, Measurement.CLASS_CLOCK, 2);
            MeasuredValue time = meter.read(clock).join();
            assertThat(time.value()).asString().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}.*");
        } finally {
            meter.release().join();
        }
    }

    @Test
    void wrongPasswordIsAnAssociationRejectionNamingTheMeter() {
        DlmsClientSettings bad = settings(Framing.WRAPPER, 0, Authentication.LOW).password("wrong").build();
        InetSocketAddress address = wrapperMeters.addresses().get(0);
        Throwable failure = failureOf(DlmsConnection.open(group, address, bad, "meter-0"));
        assertThat(failure).isInstanceOf(AssociationRejectedException.class)
                .hasMessageContaining("meter-0").hasMessageContaining("rejected");
    }

    @Test
    void wrongKeyFailsHighLevelAuthentication() {
        DlmsClientSettings bad = settings(Framing.HDLC, 0, Authentication.HIGH_GMAC)
                .authenticationKey("00112233445566778899AABBCCDDEEFF").build();
        InetSocketAddress address = hdlcMeters.addresses().get(0);
        Throwable failure = failureOf(DlmsConnection.open(group, address, bad, "meter-0"));
        assertThat(failure).isInstanceOf(DlmsException.class).hasMessageContaining("meter-0");
    }

    @Test
    void refusedConnectionSaysSo() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Throwable failure = failureOf(DlmsConnection.open(group, new InetSocketAddress("127.0.0.1", closedPort),
                DlmsClientSettings.builder().build(), "nowhere"));
        assertThat(failure).isInstanceOf(DlmsConnectionException.class)
                .hasMessageContaining("connection refused").hasMessageContaining(String.valueOf(closedPort));
    }

    @Test
    void silentMeterTimesOutAndRecoversOnceHealed() {
        DlmsConnection meter = open(Framing.WRAPPER, 2, settings(Framing.WRAPPER, 2, Authentication.NONE).build());
        wrapperMeters.meter(2).fault(MeterFault.STOP_ANSWERING);
        try {
            Throwable failure = failureOf(meter.read(List.copyOf(MeasurementCatalog.standard())));
            assertThat(failure).isInstanceOf(DlmsTimeoutException.class).hasMessageContaining("meter-2");
            assertThat(meter.isActive()).as("a timed-out association is closed").isFalse();
        } finally {
            wrapperMeters.meter(2).fault(MeterFault.NONE);
        }
        DlmsConnection again = open(Framing.WRAPPER, 2, settings(Framing.WRAPPER, 2, Authentication.NONE).build());
        assertThat(again.read(MeasurementCatalog.require("frequency")).join().unit()).isEqualTo("Hz");
        again.release().join();
    }

    @Test
    void garbageClosesOnlyThatConnection() {
        DlmsConnection healthy = open(Framing.HDLC, 0, settings(Framing.HDLC, 0, Authentication.NONE).build());
        DlmsConnection sick = open(Framing.HDLC, 1, settings(Framing.HDLC, 1, Authentication.NONE).build());
        hdlcMeters.meter(1).fault(MeterFault.SEND_GARBAGE);
        try {
            Throwable failure = failureOf(sick.read(MeasurementCatalog.require("voltage_l1")));
            assertThat(failure).isInstanceOf(DlmsException.class).hasMessageContaining("meter-1");
            assertThat(((DlmsException) failure).isConnectionLost()).isTrue();
            assertThat(healthy.read(MeasurementCatalog.require("voltage_l1")).join().unit()).isEqualTo("V");
        } finally {
            hdlcMeters.meter(1).fault(MeterFault.NONE);
            healthy.release().join();
            sick.close();
        }
    }
}
