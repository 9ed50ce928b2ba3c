package io.dlmsgateway.dlms.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeasurements;
import io.dlmsgateway.dlms.sim.SimulatorOptions;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Acceptance: the simulated meters can be read by a DLMS client that shares no code with Gurux
 * ({@link IndependentDlmsClient}, written from the standards), over both framings.
 *
 * <p>Values are checked three ways: against physical plausibility bounds derived from the simulator's documented
 * formulas, against each other (S = sum V*I, P = S*pf, Q = S*sqrt(1-pf^2)), and exactly against
 * {@link SimulatedMeasurements} at the simulators' fixed clock. Units are checked against the COSEM unit codes the
 * DESIGN table names, not against the simulator's own tables.
 *
 * <p>A known deviation of the simulator (the Gurux 4.0.47 server underneath) from the standard is tolerated, named
 * and printed, unless the tests run with {@code -Dinterop.strict=true}, which turns it into a failure:
 * {@link #KNOWN_RLRE_DEFECT}: the RLRE's BER lengths are too small ({@code 63 11 80 01 00 BE 0F 04 0E <14 bytes of
 * InitiateResponse>} where {@code 63 15 ... BE 10} is due).
 */
@Timeout(20)
class IndependentClientInteropTest {

    /** Turns the tolerated known deviations into failures. */
    private static final boolean STRICT = Boolean.getBoolean("interop.strict");
    static final String KNOWN_RLRE_DEFECT = "RLRE with inconsistent BER lengths (Gurux 4.0.47 handleReleaseRequest)";

    private static final Instant NOW = Instant.parse("2025-06-15T10:20:30.400Z");
    private static final Map<Framing, MeterSimulator> SIMULATORS = new EnumMap<>(Framing.class);

    /** The unit each standard measurement must carry (COSEM unit enumeration), from DESIGN.md section 4. */
    private static final Map<String, Integer> EXPECTED_UNIT_CODES = new LinkedHashMap<>();

    static {
        for (String p : List.of("l1", "l2", "l3")) {
            EXPECTED_UNIT_CODES.put("voltage_" + p, 35);
            EXPECTED_UNIT_CODES.put("current_" + p, 33);
        }
        EXPECTED_UNIT_CODES.put("active_power", 27);
        EXPECTED_UNIT_CODES.put("reactive_power", 29);
        EXPECTED_UNIT_CODES.put("apparent_power", 28);
        EXPECTED_UNIT_CODES.put("power_factor", 255);
        EXPECTED_UNIT_CODES.put("frequency", 44);
        EXPECTED_UNIT_CODES.put("active_energy", 30);
    }

    @BeforeAll
    static void startSimulators() throws Exception {
        for (Framing f : Framing.values()) {
            SIMULATORS.put(f, MeterSimulator.start(SimulatorOptions.builder()
                    .host("127.0.0.1").basePort(0).meterCount(3).framing(f).workerThreads(1)
                    .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()));
        }
    }

    @AfterAll
    static void stopSimulators() {
        SIMULATORS.values().forEach(MeterSimulator::close);
        SIMULATORS.clear();
    }

    private static IndependentDlmsClient.Settings settings(MeterSimulator sim, int meter) {
        InetSocketAddress a = sim.addresses().get(meter);
        if (sim.options().framing() == Framing.WRAPPER) {
            return IndependentDlmsClient.Settings.wrapper(a.getHostString(), a.getPort());
        }
        return IndependentDlmsClient.Settings.hdlc(a.getHostString(), a.getPort(),
                sim.addressing().physicalAddress(meter));
    }

    @FunctionalInterface
    private interface Session<T> {
        T run(IndependentDlmsClient client) throws Exception;
    }

    /** Runs a session; any failure is rethrown with the complete frame trace, which is what an interop report needs. */
    private static <T> T session(IndependentDlmsClient.Settings settings, Session<T> body) throws Exception {
        IndependentDlmsClient client = new IndependentDlmsClient(settings);
        try (client) {
            return body.run(client);
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e + "\nframes:\n  " + String.join("\n  ", client.trace()) + "\nnotes: "
                    + client.notes(), e);
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsAllTwelveStandardMeasurements(Framing framing) throws Exception {
        MeterSimulator sim = SIMULATORS.get(framing);
        int meter = 1;
        Map<String, IndependentDlmsClient.RegisterReading> readings = session(settings(sim, meter), c -> {
            Hdlc.Parameters hdlc = c.connect();
            if (framing == Framing.HDLC) {
                assertThat(hdlc.maxInfoTransmit()).isBetween(32, 2030);
                assertThat(hdlc.maxInfoReceive()).isBetween(32, 2030);
            }
            Apdu.Aare aare = c.associate();
            int granted = aare.initiateResponse().conformance();
            assertThat(granted & Apdu.CONF_GET).as("get granted").isNotZero();
            assertThat(granted & Apdu.CONF_BLOCK_TRANSFER_WITH_GET).as("block-transfer-with-get granted").isNotZero();
            assertThat(granted & Apdu.CONF_MULTIPLE_REFERENCES).as("multiple-references granted").isNotZero();
            assertThat(granted & ~IndependentDlmsClient.DEFAULT_CONFORMANCE).as("only what was proposed").isZero();
            assertThat(aare.initiateResponse().serverMaxReceivePduSize()).isGreaterThanOrEqualTo(64);

            Map<String, IndependentDlmsClient.RegisterReading> out = new LinkedHashMap<>();
            for (Measurement m : MeasurementCatalog.standard()) {
                out.put(m.name(), c.readRegister(m.obis()));
            }
            Apdu.Rlre rlre = c.release();
            assertThat(rlre.reason()).as("RLRE reason").isIn(null, 0);
            if (framing == Framing.HDLC) {
                assertThat(c.disconnect()).as("DISC answered with UA").isEqualTo(Hdlc.UA);
            }
            assertNoUnexpectedNotes(c);
            return out;
        });

        assertThat(readings).hasSize(12);
        assertPlausible(readings);
        assertExactlyTheSimulatedValues(readings, meter);
    }

    /** Fails on any note the client made, except the known RLRE defect outside strict mode. */
    private static void assertNoUnexpectedNotes(IndependentDlmsClient c) {
        List<String> unexpected = new ArrayList<>();
        for (String note : c.notes()) {
            if (!STRICT && note.startsWith(IndependentDlmsClient.MALFORMED_RLRE)) {
                tolerated(KNOWN_RLRE_DEFECT, note);
            } else {
                unexpected.add(note);
            }
        }
        assertThat(unexpected).as("deviations from the standard noticed by the independent client").isEmpty();
    }

    private static void tolerated(String deviation, String detail) {
        System.out.println("[interop] tolerated known deviation: " + deviation + ": " + detail);
    }

    private static void assertPlausible(Map<String, IndependentDlmsClient.RegisterReading> r) {
        for (var e : r.entrySet()) {
            assertThat(e.getValue().unitCode()).as(e.getKey() + " unit")
                    .isEqualTo(EXPECTED_UNIT_CODES.get(e.getKey()));
        }
        for (String p : List.of("l1", "l2", "l3")) {
            assertThat(r.get("voltage_" + p).unit()).isEqualTo("V");
            assertThat(d(r, "voltage_" + p)).as("voltage_" + p).isBetween(226.0, 234.0);
            assertThat(r.get("current_" + p).unit()).isEqualTo("A");
            assertThat(d(r, "current_" + p)).as("current_" + p).isBetween(3.0, 8.5);
        }
        assertThat(r.get("frequency").unit()).isEqualTo("Hz");
        assertThat(d(r, "frequency")).isBetween(49.95, 50.05);
        assertThat(r.get("power_factor").unit()).isEmpty();
        double pf = d(r, "power_factor");
        assertThat(pf).isBetween(0.92, 0.98);

        double s = d(r, "apparent_power");
        double sumVi = 0;
        for (String p : List.of("l1", "l2", "l3")) {
            sumVi += d(r, "voltage_" + p) * d(r, "current_" + p);
        }
        assertThat(r.get("apparent_power").unit()).isEqualTo("VA");
        assertThat(s).as("S = sum V*I").isCloseTo(sumVi, within(0.5 + 1e-9));
        assertThat(r.get("active_power").unit()).isEqualTo("W");
        assertThat(d(r, "active_power")).as("P = S*pf").isCloseTo(s * pf, within(1.5));
        assertThat(r.get("reactive_power").unit()).isEqualTo("var");
        assertThat(d(r, "reactive_power")).as("Q = S*sqrt(1-pf^2)").isCloseTo(s * Math.sqrt(1 - pf * pf),
                within(s * 0.0015 + 1.5));
        assertThat(r.get("active_energy").unit()).isEqualTo("Wh");
        assertThat(d(r, "active_energy")).isGreaterThanOrEqualTo(1_000_000.0);
    }

    private static void assertExactlyTheSimulatedValues(Map<String, IndependentDlmsClient.RegisterReading> r,
            int meter) {
        for (var e : r.entrySet()) {
            String name = e.getKey();
            IndependentDlmsClient.RegisterReading reading = e.getValue();
            long raw = SimulatedMeasurements.raw(name, meter, NOW.toEpochMilli());
            assertThat(reading.raw().toBigDecimal()).as(name + " raw").isEqualByComparingTo(BigDecimal.valueOf(raw));
            assertThat(reading.scaler()).as(name + " scaler").isEqualTo(SimulatedMeasurements.scaler(name));
            assertThat(reading.unit()).as(name + " unit").isEqualTo(SimulatedMeasurements.unitSymbol(name));
            assertThat(reading.value()).as(name + " value")
                    .isEqualByComparingTo(BigDecimal.valueOf(raw).scaleByPowerOfTen(reading.scaler()));
        }
    }

    private static double d(Map<String, IndependentDlmsClient.RegisterReading> r, String name) {
        return r.get(name).value().doubleValue();
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void bothFramingsServeTheSameValues(Framing framing) throws Exception {
        // meter 2 over this framing against meter 2 over the other: same fixed clock, same values
        Framing other = framing == Framing.WRAPPER ? Framing.HDLC : Framing.WRAPPER;
        ObisCode energy = MeasurementCatalog.require("active_energy").obis();
        BigDecimal a = session(settings(SIMULATORS.get(framing), 2), c -> {
            c.connect();
            c.associate();
            return c.readRegister(energy).value();
        });
        BigDecimal b = session(settings(SIMULATORS.get(other), 2), c -> {
            c.connect();
            c.associate();
            return c.readRegister(energy).value();
        });
        assertThat(a).isEqualByComparingTo(b);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsEverythingWithOneGetRequestWithList(Framing framing) throws Exception {
        int meter = 0;
        session(settings(SIMULATORS.get(framing), meter), c -> {
            c.connect();
            c.associate();
            List<Apdu.AttributeDescriptor> attributes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Measurement m : MeasurementCatalog.standard()) {
                attributes.add(new Apdu.AttributeDescriptor(3, m.obis().toBytes(), 3));
                attributes.add(new Apdu.AttributeDescriptor(3, m.obis().toBytes(), 2));
                names.add(m.name());
            }
            List<Apdu.GetResult> results = c.getWithList(attributes);
            assertThat(results).hasSize(24).allMatch(Apdu.GetResult::ok);
            Map<String, IndependentDlmsClient.RegisterReading> readings = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                readings.put(names.get(i), IndependentDlmsClient.scale(MeasurementCatalog.require(names.get(i)).obis(),
                        results.get(2 * i + 1).data(), results.get(2 * i).data()));
            }
            assertPlausible(readings);
            assertExactlyTheSimulatedValues(readings, meter);
            c.release();
            c.disconnect();
            assertNoUnexpectedNotes(c);
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsTheObjectListInBlocksWhenTheClientPduIsSmall(Framing framing) throws Exception {
        session(settings(SIMULATORS.get(framing), 0).withMaxReceivePduSize(128), c -> {
            c.connect();
            c.associate();
            Apdu.GetResult list = c.get(15, ObisCode.parse("0.0.40.0.0.255"), 2);
            assertThat(list.ok()).as(list.toString()).isTrue();
            assertThat(c.blocksReceived()).as("GET-Response-With-Datablock blocks").isGreaterThan(1);
            // object_list: array of structure {class-id long-unsigned, version unsigned, logical-name octet-string,
            // access_rights structure}
            List<String> registers = new ArrayList<>();
            for (DlmsData entry : list.data().elements()) {
                List<DlmsData> f = entry.elements();
                assertThat(f).hasSize(4);
                assertThat(f.get(0).tag()).isEqualTo(DlmsData.LONG_UNSIGNED);
                assertThat(f.get(1).tag()).isEqualTo(DlmsData.UNSIGNED);
                assertThat(f.get(2).tag()).isEqualTo(DlmsData.OCTET_STRING);
                if (f.get(0).toLong() == 3) {
                    registers.add(ObisCode.ofBytes((byte[]) f.get(2).value()).toString());
                }
            }
            assertThat(registers).containsAll(MeasurementCatalog.standard().stream()
                    .map(m -> m.obis().toString()).toList());
            c.release();
            c.disconnect();
            assertNoUnexpectedNotes(c);
            return null;
        });
    }

    @Test
    void hdlcSegmentsFramesWhenTheInformationFieldIsSmall() throws Exception {
        MeterSimulator sim = SIMULATORS.get(Framing.HDLC);
        session(settings(sim, 2).withHdlcMaxInfo(32), c -> {
            Hdlc.Parameters p = c.connect();
            assertThat(p.maxInfoTransmit()).as("server transmit limit").isLessThanOrEqualTo(32);
            c.associate(); // the AARE (~46 bytes with LLC) must come in segments
            IndependentDlmsClient.RegisterReading v = c.readRegister(MeasurementCatalog.require("voltage_l3").obis());
            assertThat(v.unit()).isEqualTo("V");
            assertThat(v.value().doubleValue()).isCloseTo(SimulatedMeasurements.value("voltage_l3", 2,
                    NOW.toEpochMilli()), within(1e-9));
            Apdu.GetResult list = c.get(15, ObisCode.parse("0.0.40.0.0.255"), 2);
            assertThat(list.ok()).isTrue();
            c.release();
            assertThat(c.disconnect()).isEqualTo(Hdlc.UA);
            assertNoUnexpectedNotes(c);
            long segmented = c.trace().stream().filter(l -> l.startsWith("<- 7E A8")).count();
            assertThat(segmented).as("segmented frames received").isGreaterThan(1);
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(Apdu.ReleaseForm.class)
    void acceptsEveryFormOfReleaseRequest(Apdu.ReleaseForm form) throws Exception {
        for (Framing framing : Framing.values()) {
            session(settings(SIMULATORS.get(framing), 0).withReleaseForm(form), c -> {
                c.connect();
                c.associate();
                Apdu.Rlre rlre = c.release();
                assertThat(rlre.reason()).isIn(null, 0);
                c.disconnect();
                assertNoUnexpectedNotes(c);
                return null;
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsTheClockAndReportsUndefinedObjects(Framing framing) throws Exception {
        session(settings(SIMULATORS.get(framing), 0), c -> {
            c.connect();
            c.associate();
            Apdu.GetResult time = c.get(8, MeasurementCatalog.CLOCK, 2);
            assertThat(time.ok()).as(time.toString()).isTrue();
            // date-time as octet-string(12): year(2) month day weekday hour minute second hundredths deviation(2)
            // status; Blue Book class 8 attribute 2 is an octet-string, some servers send the date-time tag 25
            assertThat(time.data().tag()).isIn(DlmsData.OCTET_STRING, DlmsData.DATE_TIME);
            byte[] t = (byte[]) time.data().value();
            assertThat(t).hasSize(12);
            int year = ((t[0] & 0xFF) << 8) | (t[1] & 0xFF);
            assertThat(year).isEqualTo(2025);
            assertThat(t[2]).isEqualTo((byte) 6);
            assertThat(t[3]).isEqualTo((byte) 15);

            Apdu.GetResult missing = c.get(3, ObisCode.parse("1.0.99.99.0.255"), 2);
            assertThat(missing.ok()).isFalse();
            assertThat(missing.dataAccessResult()).as(missing.toString()).isEqualTo(4); // object-undefined
            c.release();
            c.disconnect();
            assertNoUnexpectedNotes(c);
            return null;
        });
    }

    /**
     * Reads a meter outside the test, e.g. the {@code simulate} command or a real meter:
     * {@code -Dinterop.external=host:port:wrapper} or {@code host:port:hdlc:physicalAddress}. Checks units and
     * plausibility only (the meter's clock is not the test's).
     */
    @Test
    @EnabledIfSystemProperty(named = "interop.external", matches = ".+")
    void readsAnExternalMeter() throws Exception {
        String[] p = System.getProperty("interop.external").split(":");
        IndependentDlmsClient.Settings s = "hdlc".equalsIgnoreCase(p[2])
                ? IndependentDlmsClient.Settings.hdlc(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[3]))
                : IndependentDlmsClient.Settings.wrapper(p[0], Integer.parseInt(p[1]));
        Map<String, IndependentDlmsClient.RegisterReading> readings = session(s, c -> {
            c.connect();
            System.out.println("[interop] " + c.associate());
            Map<String, IndependentDlmsClient.RegisterReading> out = new LinkedHashMap<>();
            for (Measurement m : MeasurementCatalog.standard()) {
                out.put(m.name(), c.readRegister(m.obis()));
            }
            c.release();
            c.disconnect();
            out.forEach((k, v) -> System.out.println("[interop] " + k + " = " + v));
            c.trace().forEach(l -> System.out.println("[interop]   " + l));
            assertNoUnexpectedNotes(c);
            return out;
        });
        assertPlausible(readings);
    }

    @Test
    void hdlcFourByteServerAddress() throws Exception {
        try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder()
                .host("127.0.0.1").basePort(0).meterCount(1).framing(Framing.HDLC).workerThreads(1)
                .physicalAddress(0x1234, true).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build())) {
            session(settings(sim, 0), c -> {
                c.connect();
                assertThat(c.trace().get(0)).startsWith("-> 7E A0 0A 00 02 48 69 21 93");
                c.associate();
                assertThat(c.readRegister(MeasurementCatalog.require("frequency").obis()).unit()).isEqualTo("Hz");
                c.release();
                c.disconnect();
                assertNoUnexpectedNotes(c);
                return null;
            });
        }
    }

}
