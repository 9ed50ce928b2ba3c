package io.dlmsgateway.dlms.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The simulated profiles read by the independent client (no Gurux code on this side): selective access by entry and
 * by range encoded by hand from the Blue Book (IEC 62056-6-2, class 7 attribute 2), rows decoded by hand, compared
 * with {@link SimulatedProfiles}. The meters keep local time at +01:00 and sign the deviation as the standard says
 * (UTC = local + deviation: -60).
 */
class IndependentClientProfileTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:07:30Z");
    private static final ZoneOffset LOCAL = ZoneOffset.ofHours(1);
    private static final int METER = 2;
    private static final List<MeterSimulator> SIMULATORS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        for (Framing f : Framing.values()) {
            SIMULATORS.add(MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(3).framing(f)
                    .workerThreads(1).clock(Clock.fixed(NOW, ZoneOffset.UTC)).utcOffset(LOCAL).build()));
        }
    }

    @AfterAll
    static void stop() {
        SIMULATORS.forEach(MeterSimulator::close);
    }

    private static IndependentDlmsClient client(Framing framing) {
        MeterSimulator sim = SIMULATORS.get(framing.ordinal());
        InetSocketAddress a = sim.addresses().get(METER);
        return new IndependentDlmsClient(framing == Framing.WRAPPER
                ? IndependentDlmsClient.Settings.wrapper(a.getHostString(), a.getPort())
                : IndependentDlmsClient.Settings.hdlc(a.getHostString(), a.getPort(),
                        sim.addressing().physicalAddress(METER)));
    }

    /** date-time as octet-string: the meter's local time, deviation -60 (standard sign), status 00. */
    private static byte[] dateTime(Instant t) {
        LocalDateTime l = LocalDateTime.ofInstant(t, LOCAL);
        return new byte[] {(byte) (l.getYear() >> 8), (byte) l.getYear(), (byte) l.getMonthValue(),
            (byte) l.getDayOfMonth(), (byte) l.getDayOfWeek().getValue(), (byte) l.getHour(), (byte) l.getMinute(),
            (byte) l.getSecond(), 0, (byte) 0xFF, (byte) 0xC4, 0};
    }

    /** Entry descriptor: structure {from_entry u32, to_entry u32, from_selected_value u16, to_selected_value u16}. */
    private static byte[] entries(long from, long to, int fromColumn, int toColumn) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x02, 0x04, 0x06});
        out.writeBytes(u32(from));
        out.write(0x06);
        out.writeBytes(u32(to));
        out.writeBytes(new byte[] {0x12, (byte) (fromColumn >> 8), (byte) fromColumn, 0x12, (byte) (toColumn >> 8),
            (byte) toColumn});
        return out.toByteArray();
    }

    /** Range descriptor: {restricting_object {8, 0.0.1.0.0.255, 2, 0}, from_value, to_value, selected_values []}. */
    private static byte[] range(Instant from, Instant to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x02, 0x04, 0x02, 0x04, 0x12, 0x00, 0x08, 0x09, 0x06});
        out.writeBytes(MeasurementCatalog.CLOCK.toBytes());
        out.writeBytes(new byte[] {0x0F, 0x02, 0x12, 0x00, 0x00, 0x09, 0x0C});
        out.writeBytes(dateTime(from));
        out.writeBytes(new byte[] {0x09, 0x0C});
        out.writeBytes(dateTime(to));
        out.writeBytes(new byte[] {0x01, 0x00});
        return out.toByteArray();
    }

    private static byte[] u32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    @SuppressWarnings("unchecked")
    private static List<DlmsData> rows(Apdu.GetResult result) {
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.data().tag()).isEqualTo(DlmsData.ARRAY);
        return (List<DlmsData>) result.data().value();
    }

    @SuppressWarnings("unchecked")
    private static void assertRow(DlmsData row, Instant t) {
        assertThat(row.tag()).isEqualTo(DlmsData.STRUCTURE);
        List<DlmsData> fields = (List<DlmsData>) row.value();
        assertThat(fields).hasSize(3);
        assertThat(fields.get(0).tag()).isEqualTo(DlmsData.OCTET_STRING);
        assertThat((byte[]) fields.get(0).value()).as("clock of the row at %s", t).isEqualTo(dateTime(t));
        assertThat(fields.get(1).tag()).isEqualTo(DlmsData.DOUBLE_LONG_UNSIGNED);
        assertThat(((Number) fields.get(1).value()).longValue()).isEqualTo(SimulatedProfiles.energyRaw(METER, t));
        assertThat(fields.get(2).tag()).isEqualTo(DlmsData.LONG_UNSIGNED);
        assertThat(((Number) fields.get(2).value()).longValue()).isEqualTo(SimulatedProfiles.voltageRaw(METER, t));
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void entriesAndRangesAsTheBlueBookDefinesThem(Framing framing) throws Exception {
        List<Instant> all = SimulatedProfiles.captureTimes(NOW, SimulatedProfiles.DEFAULT_PERIOD,
                SimulatedProfiles.DEFAULT_HISTORY);
        IndependentDlmsClient c = client(framing);
        try (c) {
            c.connect();
            c.associate();
            Apdu.GetResult inUse = c.get(7, SimulatedProfiles.LOAD_PROFILE, 7);
            assertThat(((Number) inUse.data().value()).longValue()).isEqualTo(672);

            // entries 1..0: every row, oldest first, in blocks
            List<DlmsData> every = rows(c.get(7, SimulatedProfiles.LOAD_PROFILE, 2, 2, entries(1, 0, 1, 0)));
            assertThat(every).hasSize(672);
            for (int i = 0; i < 672; i++) {
                assertRow(every.get(i), all.get(i));
            }
            // entries 10..12
            List<DlmsData> three = rows(c.get(7, SimulatedProfiles.LOAD_PROFILE, 2, 2, entries(10, 12, 1, 0)));
            assertThat(three).hasSize(3);
            assertRow(three.get(0), all.get(9));
            assertRow(three.get(2), all.get(11));
            // columns 2..3 of the last entry: energy and voltage only
            @SuppressWarnings("unchecked")
            List<DlmsData> columns = (List<DlmsData>) rows(c.get(7, SimulatedProfiles.LOAD_PROFILE, 2, 2,
                    entries(672, 672, 2, 3))).get(0).value();
            assertThat(columns).extracting(DlmsData::tag).containsExactly(DlmsData.DOUBLE_LONG_UNSIGNED,
                    DlmsData.LONG_UNSIGNED);

            // a range between two captures, both ends inclusive: 10:00 .. 11:00 UTC is five rows
            Instant from = Instant.parse("2026-11-30T10:00:00Z");
            List<DlmsData> hour = rows(c.get(7, SimulatedProfiles.LOAD_PROFILE, 2, 1,
                    range(from, Instant.parse("2026-11-30T11:00:00Z"))));
            assertThat(hour).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertRow(hour.get(i), from.plusSeconds(900L * i));
            }
            // a range between grid points: 10:01 .. 10:14 holds none
            assertThat(rows(c.get(7, SimulatedProfiles.LOAD_PROFILE, 2, 1,
                    range(from.plusSeconds(60), from.plusSeconds(840))))).isEmpty();
            c.release();
            if (framing == Framing.HDLC) {
                c.disconnect();
            }
        }
    }
}
