package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 11, deliverables 2 and 6: profiles read from simulated meters over real loopback TCP, WRAPPER and HDLC, by
 * range and by entry, every row and timestamp compared exactly with {@link SimulatedProfiles}. The meters' clock is
 * fixed, so the buffer they hold is known.
 */
class ProfileReadingTest {

    /** The meters' time: 7 min 30 s after a capture, so a range's end falls between two. */
    private static final Instant NOW = Instant.parse("2026-11-30T12:07:30Z");
    private static final Duration PERIOD = SimulatedProfiles.DEFAULT_PERIOD;
    private static final Duration HISTORY = SimulatedProfiles.DEFAULT_HISTORY;
    private static final int METER = 1;

    private static EventLoopGroup group;
    private static final List<MeterSimulator> simulators = new ArrayList<>();

    @BeforeAll
    static void start() {
        group = new NioEventLoopGroup(2);
    }

    @AfterAll
    static void stop() {
        simulators.forEach(MeterSimulator::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static MeterSimulator simulator(Framing framing, UnaryOperator<SimulatorOptions.Builder> options) {
        try {
            MeterSimulator sim = MeterSimulator.start(options.apply(SimulatorOptions.builder().meterCount(2)
                    .basePort(0).framing(framing).clock(Clock.fixed(NOW, ZoneOffset.UTC))).build());
            simulators.add(sim);
            return sim;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static DlmsConnection open(MeterSimulator sim, Framing framing,
            UnaryOperator<DlmsClientSettings.Builder> settings) {
        DlmsClientSettings s = settings.apply(DlmsClientSettings.builder()
                .framing(framing)
                .logicalAddress(sim.addressing().logicalAddress())
                .physicalAddress(sim.addressing().physicalAddress(METER))
                .clientAddress(sim.addressing().clientAddress(Authentication.NONE))
                .requestTimeout(Duration.ofSeconds(5))).build();
        return DlmsConnection.open(group, sim.addresses().get(METER), s, "meter-" + METER).join();
    }

    private static List<Instant> expectedTimes(Instant from, Instant to) {
        return SimulatedProfiles.captureTimes(NOW, PERIOD, HISTORY).stream()
                .filter(t -> !t.isBefore(from) && !t.isAfter(to)).toList();
    }

    /** Every row: its time, its clock column, energy in Wh and voltage in V exactly as the meter's functions say. */
    private static void assertExactRows(List<ProfileRow> rows, List<Instant> times, boolean derivedAfterFirst) {
        assertThat(rows).extracting(ProfileRow::time).containsExactlyElementsOf(times);
        for (int i = 0; i < rows.size(); i++) {
            ProfileRow row = rows.get(i);
            Instant t = times.get(i);
            assertThat(row.timeDerived()).as("row %d derived", i).isEqualTo(derivedAfterFirst && i > 0);
            assertThat(row.values()).as("row %d at %s", i, t).containsExactly(t.toString(),
                    SimulatedProfiles.energy(METER, t), SimulatedProfiles.voltage(METER, t));
        }
    }

    private static void assertLoadProfileShape(ProfileShape shape) {
        assertThat(shape.profile()).isEqualTo(SimulatedProfiles.LOAD_PROFILE);
        assertThat(shape.columns()).containsExactly(
                new ProfileColumn(new CaptureObject(8, MeasurementCatalog.CLOCK, 2, 0), false, 0, ""),
                new ProfileColumn(new CaptureObject(3, SimulatedProfiles.ENERGY, 2, 0), true, 0, "Wh"),
                new ProfileColumn(new CaptureObject(3, SimulatedProfiles.VOLTAGE, 2, 0), true, -1, "V"));
        assertThat(shape.capturePeriodSeconds()).isEqualTo(900);
        assertThat(shape.clockColumn()).isZero();
        assertThat(shape.entriesInUse()).isEqualTo(672);
        assertThat(shape.profileEntries()).isEqualTo(672);
    }

    private static Throwable failureOf(java.util.concurrent.CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + future.join());
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aDayByRangeGivesEveryRowWithTheMetersTimestampsAndScaledValues(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b);
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            Instant from = NOW.minus(Duration.ofDays(1));
            ProfileRows read = meter.readProfileRange(SimulatedProfiles.LOAD_PROFILE, from, NOW, Priority.SCHEDULED)
                    .join();

            assertLoadProfileShape(read.shape());
            List<Instant> times = expectedTimes(from, NOW);
            assertThat(times).hasSize(96).startsWith(Instant.parse("2026-11-29T12:15:00Z"))
                    .endsWith(Instant.parse("2026-11-30T12:00:00Z"));
            assertExactRows(read.rows(), times, false);
            assertThat(read.rows()).allSatisfy(r -> assertThat(r.clockUntrusted()).isFalse());
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void bothEndsOfARangeAreInclusive(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b);
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            Instant from = Instant.parse("2026-11-30T10:00:00Z");
            Instant to = Instant.parse("2026-11-30T11:00:00Z");
            ProfileRows read = meter.readProfileRange(SimulatedProfiles.LOAD_PROFILE, from, to, Priority.SCHEDULED)
                    .join();

            assertExactRows(read.rows(), List.of(from, from.plus(PERIOD), from.plus(PERIOD.multipliedBy(2)),
                    from.plus(PERIOD.multipliedBy(3)), to), false);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void sevenDaysByRangeComeInManyBlocks(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b.maxPduSize(512));
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            Instant from = NOW.minus(HISTORY);
            long before = meter.bytesReceived();
            ProfileRows read = meter.readProfileRange(SimulatedProfiles.LOAD_PROFILE, from, NOW, Priority.SCHEDULED)
                    .join();

            assertExactRows(read.rows(), SimulatedProfiles.captureTimes(NOW, PERIOD, HISTORY), false);
            assertThat(read.rows()).hasSize(672);
            // 672 rows of 24 bytes cannot come in one PDU of 512: the reply came in data blocks
            assertThat(meter.bytesReceived() - before).isGreaterThan(672L * 24);
            assertThat(meter.negotiatedMaxPduSize()).isLessThanOrEqualTo(512);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void entriesAreOneBasedWithZeroForTheLast(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b);
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            List<Instant> all = SimulatedProfiles.captureTimes(NOW, PERIOD, HISTORY);
            ProfileRows everything = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 1, 0,
                    Priority.SCHEDULED).join();
            assertLoadProfileShape(everything.shape());
            assertExactRows(everything.rows(), all, false);

            ProfileRows lastThree = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 670, 672,
                    Priority.SCHEDULED).join();
            assertExactRows(lastThree.rows(), all.subList(669, 672), false);

            ProfileRows first = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 1, 1,
                    Priority.SCHEDULED).join();
            assertExactRows(first.rows(), all.subList(0, 1), false);

            ProfileRows beyond = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 673, 0,
                    Priority.SCHEDULED).join();
            assertThat(beyond.rows()).isEmpty();
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aMeterRefusingRangesFailsWithAnAccessErrorAndEntriesStillWork(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b.rangeAccess(false));
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            Throwable refused = failureOf(meter.readProfileRange(SimulatedProfiles.LOAD_PROFILE,
                    NOW.minus(Duration.ofHours(2)), NOW, Priority.SCHEDULED));
            assertThat(refused).isInstanceOfSatisfying(DlmsAccessException.class, e -> {
                assertThat(e.isConnectionLost()).isFalse();
                assertThat(e.obis()).isEqualTo(SimulatedProfiles.LOAD_PROFILE);
                assertThat(e.attributeIndex()).isEqualTo(2);
                assertThat(e.resultName()).isEqualTo("other-reason");
            });
            assertThat(meter.isActive()).isTrue();

            ProfileRows read = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 665, 0, Priority.SCHEDULED)
                    .join();
            List<Instant> all = SimulatedProfiles.captureTimes(NOW, PERIOD, HISTORY);
            assertExactRows(read.rows(), all.subList(664, 672), false);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aCompressedProfilesRowsWithoutClockGetTheTimeTheCapturePeriodImplies(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b.compressedProfile(true));
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            Instant from = NOW.minus(Duration.ofHours(6));
            ProfileRows read = meter.readProfileRange(SimulatedProfiles.LOAD_PROFILE, from, NOW, Priority.SCHEDULED)
                    .join();

            assertExactRows(read.rows(), expectedTimes(from, NOW), true);
            assertThat(read.rows().get(0).dateTime()).isNotNull();
            assertThat(read.rows().subList(1, read.rows().size())).allSatisfy(r ->
                    assertThat(r.dateTime()).isNull());

            ProfileRows byEntry = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 600, 610,
                    Priority.SCHEDULED).join();
            assertExactRows(byEntry.rows(), SimulatedProfiles.captureTimes(NOW, PERIOD, HISTORY).subList(599, 610),
                    true);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(DeviationSign.class)
    void eitherDeviationSignAtANonUtcOffsetGivesTheSameUtcTimes(DeviationSign sign) {
        ZoneOffset cet = ZoneOffset.ofHours(1);
        MeterSimulator sim = simulator(Framing.WRAPPER, b -> b.deviationSign(sign).utcOffset(cet));
        Instant from = Instant.parse("2026-11-30T09:00:00Z");
        Instant to = Instant.parse("2026-11-30T11:00:00Z");
        List<Instant> times = expectedTimes(from, to);
        DlmsConnection meter = open(sim, Framing.WRAPPER, b -> b.deviationSign(sign).clockOffset(cet));
        try {
            ProfileRows read = meter.readProfileRange(SimulatedProfiles.LOAD_PROFILE, from, to, Priority.SCHEDULED)
                    .join();

            assertExactRows(read.rows(), times, false);
            // the meter sent its local time, one hour ahead of UTC, with the deviation signed its way
            assertThat(read.rows().get(0).dateTime().hour()).isEqualTo(10);
            assertThat(read.rows().get(0).dateTime().deviation()).isEqualTo(sign == DeviationSign.STANDARD ? -60 : 60);
        } finally {
            meter.release().join();
        }
        // a client that takes the sign the other way reads the meter's local time (13:00 for 12:00 UTC) as one hour
        // behind UTC, so every time comes two hours late: the setting matters
        DeviationSign wrong = sign == DeviationSign.STANDARD ? DeviationSign.INVERTED : DeviationSign.STANDARD;
        DlmsConnection confused = open(sim, Framing.WRAPPER, b -> b.deviationSign(wrong).clockOffset(cet));
        try {
            ProfileRows read = confused.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 672, 672,
                    Priority.SCHEDULED).join();
            Instant last = SimulatedProfiles.lastCapture(NOW, PERIOD);
            assertThat(read.rows().get(0).time()).isEqualTo(last.plus(Duration.ofHours(2)));
        } finally {
            confused.release().join();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"WRAPPER, LOW", "WRAPPER, HIGH_GMAC", "HDLC, LOW", "HDLC, HIGH_GMAC"})
    void securedAssociationsReadProfilesAlike(Framing framing, Authentication auth) {
        MeterSimulator sim = simulator(framing, b -> b);
        DlmsConnection meter = open(sim, framing, b -> {
            b.authentication(auth).clientAddress(sim.addressing().clientAddress(auth));
            return auth == Authentication.LOW ? b.password(SimulatorOptions.DEFAULT_PASSWORD) : b;
        });
        try {
            Instant from = NOW.minus(Duration.ofHours(3));
            ProfileRows read = meter.readProfileRange(SimulatedProfiles.LOAD_PROFILE, from, NOW, Priority.SCHEDULED)
                    .join();
            assertExactRows(read.rows(), expectedTimes(from, NOW), false);
            ProfileRows all = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 1, 0, Priority.SCHEDULED)
                    .join();
            assertExactRows(all.rows(), SimulatedProfiles.captureTimes(NOW, PERIOD, HISTORY), false);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aMeterWhoseClockRunsAheadCapturesOnItsOwnTime(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b);
        sim.meter(METER).clockOffset(Duration.ofHours(2));
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            Instant meterNow = NOW.plus(Duration.ofHours(2));
            ProfileRows read = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 1, 0, Priority.SCHEDULED)
                    .join();
            assertExactRows(read.rows(), SimulatedProfiles.captureTimes(meterNow, PERIOD, HISTORY), false);
            assertThat(read.rows().get(read.rows().size() - 1).time()).isEqualTo(Instant.parse("2026-11-30T14:00:00Z"));
            assertThat(meter.readClock(Priority.SCHEDULED).join().meterTime()).contains(meterNow);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(DeviationSign.class)
    void theClockKeepsLocalTimeLikeTheRowsAndIsReadAndSetThroughTheSameSettings(DeviationSign sign) {
        ZoneOffset cet = ZoneOffset.ofHours(1);
        MeterSimulator sim = simulator(Framing.WRAPPER, b -> b.deviationSign(sign).utcOffset(cet));
        DlmsConnection meter = open(sim, Framing.WRAPPER, b -> b.deviationSign(sign).clockOffset(cet)
                .authentication(Authentication.LOW).password(SimulatorOptions.DEFAULT_PASSWORD)
                .clientAddress(sim.addressing().clientAddress(Authentication.LOW)));
        try {
            ClockReading clock = meter.readClock(Priority.SCHEDULED).join();
            assertThat(clock.time().hour()).as("local time at +01:00").isEqualTo(13);
            assertThat(clock.time().deviation()).isEqualTo(sign == DeviationSign.STANDARD ? -60 : 60);
            assertThat(clock.meterTime()).contains(NOW);

            Instant set = NOW.minus(Duration.ofMinutes(30));
            meter.setClock(set, Priority.SCHEDULED).join();
            // the meter took the time written at its offset and sign as the instant meant
            assertThat(sim.meter(METER).clockOffset().abs()).isLessThanOrEqualTo(Duration.ofMinutes(30).plusSeconds(1))
                    .isGreaterThanOrEqualTo(Duration.ofMinutes(30).minusSeconds(1));
            ProfileRows last = meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 672, 672, Priority.SCHEDULED)
                    .join();
            assertThat(last.rows().get(0).time()).isEqualTo(SimulatedProfiles.lastCapture(set, PERIOD));
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void theEventLogIsReadByRangeAndByEntry(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b);
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            List<Long> events = SimulatedProfiles.events(METER, NOW, HISTORY);
            ProfileRows all = meter.readProfileEntries(SimulatedProfiles.EVENT_LOG, 1, 0, Priority.SCHEDULED).join();
            assertThat(all.shape().capturePeriodSeconds()).isZero();
            assertThat(all.shape().entriesInUse()).isEqualTo(events.size());
            assertThat(all.shape().columns()).extracting(ProfileColumn::source).containsExactly(
                    new CaptureObject(8, MeasurementCatalog.CLOCK, 2, 0),
                    new CaptureObject(1, SimulatedProfiles.EVENT_CODE, 2, 0));
            assertThat(all.rows()).hasSize(events.size());
            for (int i = 0; i < events.size(); i++) {
                Instant t = SimulatedProfiles.eventTime(METER, events.get(i));
                assertThat(all.rows().get(i).time()).isEqualTo(t);
                assertThat(all.rows().get(i).values()).containsExactly(t.toString(),
                        (long) SimulatedProfiles.eventCode(METER, events.get(i)));
            }

            Instant from = SimulatedProfiles.eventTime(METER, events.get(3));
            Instant to = SimulatedProfiles.eventTime(METER, events.get(5));
            ProfileRows range = meter.readProfileRange(SimulatedProfiles.EVENT_LOG, from, to, Priority.SCHEDULED)
                    .join();
            assertThat(range.rows()).extracting(ProfileRow::time).containsExactly(from,
                    SimulatedProfiles.eventTime(METER, events.get(4)), to);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void theShapeIsReadOncePerAssociationAndEntriesAsTheyAreNow(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b);
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            ProfileShape shape = meter.readProfileShape(SimulatedProfiles.LOAD_PROFILE, Priority.ON_DEMAND).join();
            assertLoadProfileShape(shape);
            long received = meter.bytesReceived();
            meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 672, 0, Priority.SCHEDULED).join();
            long oneRowRead = meter.bytesReceived() - received;
            // the row read did not ask for the capture objects again: one row and its reply header
            assertThat(oneRowRead).isLessThan(60);
            assertThat(meter.readProfileShape(SimulatedProfiles.LOAD_PROFILE, Priority.SCHEDULED).join())
                    .isEqualTo(shape);
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aProfileTheMeterDoesNotHaveIsAnAccessError(Framing framing) {
        MeterSimulator sim = simulator(framing, b -> b);
        DlmsConnection meter = open(sim, framing, b -> b);
        try {
            Throwable e = failureOf(meter.readProfileEntries(io.dlmsgateway.dlms.ObisCode.parse("1.0.99.2.0.255"), 1,
                    0, Priority.SCHEDULED));
            assertThat(e).isInstanceOfSatisfying(DlmsAccessException.class, a -> {
                assertThat(a.resultName()).isEqualTo("object-undefined");
                assertThat(a.attributeIndex()).isEqualTo(3);
            });
            assertThat(meter.readProfileEntries(SimulatedProfiles.LOAD_PROFILE, 672, 0, Priority.SCHEDULED).join()
                    .rows()).hasSize(1);
        } finally {
            meter.release().join();
        }
    }

}
