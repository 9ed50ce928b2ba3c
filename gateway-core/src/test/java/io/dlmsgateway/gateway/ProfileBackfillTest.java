package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.ProfileSchedule;
import io.dlmsgateway.gateway.internal.SpoolProfileStore;
import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11, deliverables 2, 3 and 8: load-profile rows from simulated meters (real loopback TCP, Gurux's server
 * classes) through the gateway's spool to a real in-process broker, each row published in ThingsBoard's gateway
 * format with its capture time as {@code ts}. Every test checks each meter's whole row sequence at the broker:
 * consecutive timestamps exactly one capture period apart (no gap), each timestamp once (no duplicate row), every
 * value as {@link SimulatedProfiles} computes it.
 */
class ProfileBackfillTest {

    private static final Duration PERIOD = Duration.ofSeconds(1);
    private static final Duration BACKFILL = Duration.ofSeconds(20);
    private static final ObisCode LOAD = SimulatedProfiles.LOAD_PROFILE;

    @TempDir
    Path dir;

    private final ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();

    /**
     * First contact: the backfill window then every row as it is captured, by range or (meters that refuse it) by
     * entry; rows of a compressed profile (null clocks) and of meters keeping local time with either deviation sign
     * arrive with the same UTC timestamps.
     */
    @ParameterizedTest(name = "{0}, range access {1}, compressed {2}, deviation {3} at {4}")
    @CsvSource({"WRAPPER, true, false, STANDARD, Z", "WRAPPER, false, false, STANDARD, Z",
            "HDLC, true, false, STANDARD, Z", "HDLC, false, false, STANDARD, Z",
            "WRAPPER, true, true, INVERTED, +01:00", "HDLC, false, true, STANDARD, -05:30"})
    void backfillThenEveryNewRowWithTheMetersTimestamps(Framing framing, boolean rangeAccess, boolean compressed,
            DeviationSign sign, String offset) throws Exception {
        ZoneOffset utcOffset = ZoneOffset.of(offset);
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(3).framing(framing).workerThreads(1).profilePeriod(PERIOD)
                .profileHistory(Duration.ofMinutes(2)).rangeAccess(rangeAccess).compressedProfile(compressed)
                .deviationSign(sign).utcOffset(utcOffset).build());
             EmbeddedBroker broker = thingsBoard.start()) {
            Instant start = Instant.now();
            DlmsGateway gateway = start(simulator, broker.port(), b -> b.deviationSign(sign).clockOffset(utcOffset));
            Thread.sleep(5_000);
            gateway.close();
            Instant end = Instant.now();
            // the broker acknowledged every row before close returned; the subscriber may still be receiving
            awaitTrue(Duration.ofSeconds(10), () -> rowsAtBroker() >= gateway.statistics().profileRowsSpooled(),
                    "every row spooled at the broker");

            for (int i = 0; i < simulator.meterCount(); i++) {
                List<Long> ts = checkedSequence(i, true);
                assertThat(Instant.ofEpochMilli(ts.get(0))).as("first row of meter %d: the backfill window", i)
                        .isBetween(start.minus(BACKFILL).minusSeconds(1), start.minus(BACKFILL).plusSeconds(2));
                assertThat(Instant.ofEpochMilli(ts.get(ts.size() - 1))).as("last row of meter %d", i)
                        .isAfter(end.minusSeconds(4));
            }
            assertThat(gateway.statistics().profileRowsSpooled()).isEqualTo(rowsAtBroker());
        }
    }

    /** The gateway stops and starts again on the same spool: the second run resumes exactly after the first's last row. */
    @Test
    void aRestartResumesAfterTheLastRowSpooled() throws Exception {
        try (MeterSimulator simulator = simulator(2, Framing.WRAPPER, true);
             EmbeddedBroker broker = thingsBoard.start()) {
            DlmsGateway first = start(simulator, broker.port());
            awaitTrue(Duration.ofSeconds(15), () -> first.statistics().profileRowsSpooled() >= 2 * 20, "backfill");
            first.close();
            Map<String, Long> marks = marksIn(dir.resolve("spool"));
            Thread.sleep(3_000); // rows the meters capture while the gateway is down

            DlmsGateway second = start(simulator, broker.port());
            Thread.sleep(3_000);
            second.close();

            for (int i = 0; i < simulator.meterCount(); i++) {
                List<Long> ts = checkedSequence(i, true);
                long mark = marks.get(SpoolProfileStore.markKey("meter-" + i, LOAD));
                assertThat(ts).as("rows of meter %d on both sides of the restart", i)
                        .contains(mark, mark + PERIOD.toMillis(), mark + 4 * PERIOD.toMillis());
            }
        }
    }

    /** A meter that stops answering for several capture periods: its rows of the outage come once it answers again. */
    @Test
    void aMeterOutageLeavesNoGap() throws Exception {
        try (MeterSimulator simulator = simulator(2, Framing.WRAPPER, true);
             EmbeddedBroker broker = thingsBoard.start()) {
            DlmsGateway gateway = start(simulator, broker.port());
            awaitTrue(Duration.ofSeconds(15), () -> gateway.statistics().profileRowsSpooled() >= 2 * 20, "backfill");
            simulator.meter(0).fault(MeterFault.STOP_ANSWERING);
            Instant down = Instant.now();
            Thread.sleep(4_000);
            simulator.meter(0).heal();
            awaitTrue(Duration.ofSeconds(20), () -> thingsBoard.telemetry("meter-0").stream()
                    .anyMatch(e -> e.values().has("lp_energy") && e.ts() > down.plusSeconds(5).toEpochMilli()),
                    "rows after the outage");
            gateway.close();
            awaitTrue(Duration.ofSeconds(10), () -> rowsAtBroker() >= gateway.statistics().profileRowsSpooled(),
                    "every row spooled at the broker");

            List<Long> ts = checkedSequence(0, true);
            assertThat(ts).as("rows captured while the meter did not answer")
                    .contains(down.plusSeconds(1).toEpochMilli() / 1000 * 1000,
                            down.plusSeconds(3).toEpochMilli() / 1000 * 1000);
            checkedSequence(1, true);
        }
    }

    /**
     * ThingsBoard is away for several capture periods: rows wait in the spool and arrive afterwards. Delivery is at
     * least once (a batch published but not acknowledged when the connection dropped goes again), so the broker may
     * see a row twice; the gateway spooled each row once, and the sequence has no gap.
     */
    @Test
    void aThingsBoardOutageLeavesNoGap() throws Exception {
        try (MeterSimulator simulator = simulator(2, Framing.WRAPPER, true);
             EmbeddedBroker broker = thingsBoard.start()) {
            DlmsGateway gateway = start(simulator, broker.port());
            awaitTrue(Duration.ofSeconds(15), () -> gateway.statistics().profileRowsSpooled() >= 2 * 20, "backfill");
            broker.stop();
            Instant down = Instant.now();
            Thread.sleep(4_000);
            broker.restart();
            awaitTrue(Duration.ofSeconds(20), () -> thingsBoard.telemetry("meter-0").stream()
                    .anyMatch(e -> e.values().has("lp_energy") && e.ts() > down.plusSeconds(6).toEpochMilli()),
                    "rows after the outage");
            gateway.close();
            // at least once: a row may come twice after the outage, so wait for every one of them, not for a count
            awaitTrue(Duration.ofSeconds(10), () -> uniqueRowsAtBroker() >= gateway.statistics()
                    .profileRowsSpooled(), "every row spooled at the broker");

            for (int i = 0; i < simulator.meterCount(); i++) {
                List<Long> ts = checkedSequence(i, false);
                assertThat(ts).contains(down.plusSeconds(2).toEpochMilli() / 1000 * 1000);
            }
            assertThat(gateway.statistics().profileRowsSpooled()).as("rows spooled, each once")
                    .isEqualTo(uniqueRowsAtBroker());
        }
    }

    // ---- fixture --------------------------------------------------------------------------------------------

    private MeterSimulator simulator(int meters, Framing framing, boolean rangeAccess) throws Exception {
        return MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(meters)
                .framing(framing).workerThreads(1).profilePeriod(PERIOD).profileHistory(Duration.ofMinutes(2))
                .rangeAccess(rangeAccess).build());
    }

    /** Meters {@code meter-<i>} polling frequency every second, and reading the load profile every second. */
    private DlmsGateway start(MeterSimulator simulator, int brokerPort) {
        return start(simulator, brokerPort, b -> { });
    }

    /** As {@link #start(MeterSimulator, int)}, with the meters' client settings changed by {@code client}. */
    private DlmsGateway start(MeterSimulator simulator, int brokerPort, Consumer<DlmsClientSettings.Builder> clientSettings) {
        Map<String, ValueTemplate> mapping = new LinkedHashMap<>();
        mapping.put("lp_energy", ValueTemplate.parse("${active_energy}"));
        mapping.put("lp_voltage", ValueTemplate.parse("${voltage_l1}"));
        List<GatewayDevice> devices = new ArrayList<>();
        for (int i = 0; i < simulator.meterCount(); i++) {
            DlmsClientSettings.Builder client = DlmsClientSettings.builder().framing(simulator.options().framing())
                    .requestTimeout(Duration.ofSeconds(2));
            if (simulator.options().framing() == Framing.HDLC) {
                client.physicalAddress(simulator.addressing().physicalAddress(i));
            }
            clientSettings.accept(client);
            Meter meter = Meter.builder("meter-" + i, "127.0.0.1", simulator.addresses().get(i).getPort())
                    .client(client.build())
                    .pollingInterval(Duration.ofSeconds(1))
                    .measurements("frequency")
                    // 7 rows per read: a backfill of 20 rows takes several chunks
                    .profiles(List.of(ProfileSchedule.of(LOAD).withInterval(Duration.ofSeconds(1))
                            .withBackfill(BACKFILL).withMaxRowsPerRead(7)))
                    .build();
            devices.add(new GatewayDevice(meter, "DLMS_Energy_Meter", Map.of(), Map.of(), Map.of(LOAD, mapping)));
        }
        return DlmsGateway.start(GatewayFixture.config(devices, brokerPort, dir, 65_536, null), GatewayFixture.quick());
    }

    /**
     * Meter {@code i}'s profile rows at the broker, in timestamp order, after checking that each lies on the
     * period's grid one period after the one before, with exactly the simulated meter's values; with
     * {@code exactlyOnce}, that no row arrived twice.
     */
    private List<Long> checkedSequence(int i, boolean exactlyOnce) {
        List<ThingsBoardStandIn.Entry> rows = thingsBoard.telemetry("meter-" + i).stream()
                .filter(e -> e.values().has("lp_energy")).toList();
        assertThat(rows).as("profile rows of meter %d", i).isNotEmpty();
        TreeSet<Long> unique = new TreeSet<>();
        for (ThingsBoardStandIn.Entry row : rows) {
            Instant t = Instant.ofEpochMilli(row.ts());
            assertThat(row.values().get("lp_energy").decimalValue()).as("energy of meter %d at %s", i, t)
                    .isEqualByComparingTo(SimulatedProfiles.energy(i, t));
            assertThat(row.values().get("lp_voltage").decimalValue()).as("voltage of meter %d at %s", i, t)
                    .isEqualByComparingTo(SimulatedProfiles.voltage(i, t));
            assertThat(row.values().has("clockStatus")).isFalse();
            assertThat(row.values().size()).isEqualTo(2);
            unique.add(row.ts());
        }
        if (exactlyOnce) {
            assertThat(rows).as("rows of meter %d: each once", i).hasSize(unique.size());
        }
        List<Long> ts = new ArrayList<>(unique);
        for (int k = 1; k < ts.size(); k++) {
            assertThat(ts.get(k) - ts.get(k - 1)).as("meter %d: from %s to the next row", i,
                    Instant.ofEpochMilli(ts.get(k - 1))).isEqualTo(PERIOD.toMillis());
        }
        return ts;
    }

    private long rowsAtBroker() {
        return thingsBoard.telemetry().stream().filter(e -> e.values().has("lp_energy")).count();
    }

    private long uniqueRowsAtBroker() {
        return thingsBoard.telemetry().stream().filter(e -> e.values().has("lp_energy"))
                .map(e -> e.device() + "@" + e.ts()).distinct().count();
    }

    private static Map<String, Long> marksIn(Path spoolDirectory) {
        try (Spool spool = Spool.open(SpoolOptions.file(spoolDirectory))) {
            return spool.marks(SpoolProfileStore.MARK_PREFIX);
        }
    }
}
