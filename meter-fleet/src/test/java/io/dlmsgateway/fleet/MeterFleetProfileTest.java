package io.dlmsgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.ProfileRow;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

/**
 * Issue 11, deliverable 2 (the fleet's side): profile jobs beside the register poll on one association, against
 * simulated meters on loopback. Rows come from the mark (the store's), chunk by chunk, the next chunk read only once
 * the store took the last; the register polls keep their slots meanwhile.
 */
class MeterFleetProfileTest {

    private static final ObisCode LOAD = SimulatedProfiles.LOAD_PROFILE;
    private static final Duration PERIOD = Duration.ofSeconds(1);

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private Logger fleetLogger;
    private Level levelBefore;

    @BeforeEach
    void captureTheFleetsLog() {
        fleetLogger = (Logger) LoggerFactory.getLogger("io.dlmsgateway.fleet");
        levelBefore = fleetLogger.getLevel();
        fleetLogger.setLevel(Level.INFO);
        fleetLogger.setAdditive(false); // the expected WARN lines stay out of the build's output
        events.start();
        fleetLogger.addAppender(events);
    }

    @AfterEach
    void restore() {
        fleetLogger.detachAppender(events);
        fleetLogger.setLevel(levelBefore);
        fleetLogger.setAdditive(true);
    }

    /**
     * Four meters backfill four days of one-second rows (345 600 rows each, in reads of 96) while their registers
     * are polled every half second: while the backfill runs, every poll slot is polled (none missed or skipped) and
     * polls after each meter's first (which waits for the association) start within half a second of their slot;
     * every row arrives once, in sequence, with the meter's values.
     */
    @Test
    void registerPollsKeepTheirSlotsWhileProfilesBackfill() throws Exception {
        try (MeterSimulator simulator = simulator(4, Duration.ofDays(5), true)) {
            Duration backfill = Duration.ofDays(4);
            List<Meter> meters = meters(simulator, ProfileSchedule.of(LOAD).withInterval(Duration.ofSeconds(1))
                    .withBackfill(backfill)).stream()
                    .map(m -> m.toBuilder().pollingInterval(Duration.ofMillis(500)).build()).toList();
            ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
            // rows are checked as they come: a day of rows of four meters is too many to keep
            Map<String, RowSequence> rows = new ConcurrentHashMap<>();
            Instant start = Instant.now();
            FleetStatistics statistics;
            long missedAfterConnecting;
            try (MeterFleet fleet = MeterFleet.create(meters, FleetOptions.builder().eventLoopThreads(2)
                    .statisticsLogInterval(Duration.ZERO).build())) {
                Disposable polls = fleet.readings().subscribe(readings::add);
                Disposable profiles = fleet.profiles().subscribe(chunk -> rows.computeIfAbsent(chunk.meter(),
                        m -> new RowSequence(SimulatedDevices.index(m))).add(chunk.rows()));
                // slots that pass while a meter connects are missed too: count from every meter's first poll on
                await(Duration.ofSeconds(30), () -> readings.stream().map(MeterReading::meter).distinct().count()
                        == meters.size(), "every meter's first poll");
                long missedWhileConnecting = fleet.statistics().missed();
                await(Duration.ofSeconds(120), () -> meters.stream().allMatch(m -> rows.containsKey(m.name())
                        && rows.get(m.name()).count >= backfill.getSeconds()), "four days of rows of every meter");
                statistics = fleet.statistics();
                missedAfterConnecting = statistics.missed() - missedWhileConnecting;
                polls.dispose();
                profiles.dispose();
            }
            double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
            Map<String, Instant> firstPoll = new ConcurrentHashMap<>();
            readings.forEach(r -> firstPoll.merge(r.meter(), r.scheduledAt(), (a, b) -> a.isBefore(b) ? a : b));
            List<MeterReading> during = readings.stream()
                    .filter(r -> !r.scheduledAt().equals(firstPoll.get(r.meter()))).toList();
            long onTime = during.stream().filter(r -> Duration.between(r.scheduledAt(), r.timestamp())
                    .compareTo(Duration.ofMillis(500)) <= 0).count();
            double share = 100.0 * onTime / during.size();
            during.stream().filter(r -> Duration.between(r.scheduledAt(), r.timestamp()).toMillis() > 500)
                    .forEach(r -> System.out.printf("late poll: %s slot %s, request at %s%n", r.meter(),
                            r.scheduledAt(), r.timestamp()));
            long totalRows = rows.values().stream().mapToLong(r -> r.count).sum();
            System.out.printf("profiles: %d meters backfilled %d rows in %.1f s while polled every 500 ms: %d polls,"
                    + " %.2f %% within 500 ms of their slot, %d slots missed once connected, %d skipped%n", meters.size(), totalRows,
                    seconds, during.size(), share, missedAfterConnecting, statistics.skipped());
            assertThat(missedAfterConnecting).as("poll slots missed once connected").isZero();
            assertThat(statistics.skipped()).as("polls skipped").isZero();
            assertThat(during.size()).as("polls during the backfill").isGreaterThanOrEqualTo(
                    (int) (meters.size() * 2 * (seconds - 2)));
            assertThat(share).as("share of polls on time").isGreaterThanOrEqualTo(99.0);
            for (RowSequence sequence : rows.values()) {
                assertThat(sequence.problems).isEmpty();
                assertThat(sequence.first).isBetween(start.minus(backfill).minusSeconds(1),
                        start.minus(backfill).plusSeconds(2));
            }
        }
    }

    /** One meter's rows checked as they arrive: each one period after the last, with the simulated values. */
    private static final class RowSequence {
        final int meter;
        final List<String> problems = new ArrayList<>();
        Instant first;
        Instant last;
        long count;

        RowSequence(int meter) {
            this.meter = meter;
        }

        void add(List<ProfileRow> rows) {
            for (ProfileRow row : rows) {
                count++;
                if (last != null && !row.time().equals(last.plus(PERIOD)) && problems.size() < 10) {
                    problems.add("row at " + row.time() + " after " + last);
                }
                if (((BigDecimal) row.values().get(1)).compareTo(SimulatedProfiles.energy(meter, row.time())) != 0
                        && problems.size() < 10) {
                    problems.add("energy at " + row.time() + ": " + row.values().get(1));
                }
                first = first == null ? row.time() : first;
                last = row.time();
            }
        }
    }

    /**
     * The fleet-wide cap on profile reads: with one permit, three meters' backfills take turns (a store slow enough
     * that they would otherwise overlap never sees two meters' chunks at once), and all their rows arrive.
     */
    @Test
    void profileReadsTakeTurnsUnderTheFleetWideCap() throws Exception {
        try (MeterSimulator simulator = simulator(3, Duration.ofMinutes(5), true)) {
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger mostInFlight = new AtomicInteger();
            Map<String, List<ProfileRow>> rows = new ConcurrentHashMap<>();
            ProfileStore slow = new ProfileStore() {
                @Override
                public Optional<Instant> mark(String meter, ObisCode profile) {
                    List<ProfileRow> stored = rows.get(meter);
                    return stored == null || stored.isEmpty() ? Optional.empty()
                            : Optional.of(stored.get(stored.size() - 1).time());
                }

                @Override
                public Mono<Void> store(ProfileChunk chunk) {
                    return Mono.defer(() -> {
                        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        return Mono.delay(Duration.ofMillis(50)).then(Mono.fromRunnable(() -> {
                            rows.computeIfAbsent(chunk.meter(), m -> new CopyOnWriteList()).addAll(chunk.rows());
                            inFlight.decrementAndGet();
                        }));
                    });
                }
            };
            try (MeterFleet fleet = MeterFleet.create(meters(simulator, ProfileSchedule.of(LOAD)
                    .withInterval(Duration.ofSeconds(1)).withBackfill(Duration.ofSeconds(40)).withMaxRowsPerRead(5)),
                    FleetOptions.builder().profileStore(slow).maxConcurrentProfileReads(1)
                            .statisticsLogInterval(Duration.ZERO).build())) {
                await(Duration.ofSeconds(30), () -> rows.size() == 3 && rows.values().stream()
                        .allMatch(r -> r.size() >= 40), "every meter's backfill");
            }
            assertThat(mostInFlight.get()).as("chunks being stored at once").isEqualTo(1);
            for (int i = 0; i < 3; i++) {
                checkedRows(i, rows.get("meter-" + i));
            }
        }
    }

    /** A meter that refuses range access is read by entry; logged once, with the reason. */
    @Test
    void aMeterThatRefusesRangeAccessIsReadByEntry() throws Exception {
        try (MeterSimulator simulator = simulator(1, Duration.ofMinutes(5), false)) {
            List<ProfileRow> rows = new CopyOnWriteList();
            try (MeterFleet fleet = MeterFleet.create(meters(simulator, ProfileSchedule.of(LOAD)
                    .withInterval(Duration.ofSeconds(1)).withBackfill(Duration.ofSeconds(30)).withMaxRowsPerRead(8)),
                    FleetOptions.builder().statisticsLogInterval(Duration.ZERO).build())) {
                fleet.profiles().subscribe(chunk -> rows.addAll(chunk.rows()));
                await(Duration.ofSeconds(20), () -> rows.size() >= 35, "rows by entry");
            }
            checkedRows(0, rows);
            assertThat(messages()).filteredOn(m -> m.contains("refuses range access")).hasSize(1)
                    .allMatch(m -> m.contains("reading by entry instead"));
        }
    }

    /**
     * The store's mark lies an hour after the meter's clock (its clock was set back, or the mark is another
     * meter's): the job says so and reads a window before the meter's now, rather than wait an hour for rows newer
     * than the mark.
     */
    @Test
    void aMarkAfterTheMetersClockIsReadAgainFromBeforeTheMetersNow() throws Exception {
        try (MeterSimulator simulator = simulator(1, Duration.ofMinutes(5), true)) {
            Instant future = Instant.now().plus(Duration.ofHours(1));
            RecordingStore store = new RecordingStore(future);
            try (MeterFleet fleet = MeterFleet.create(meters(simulator, ProfileSchedule.of(LOAD)
                    .withInterval(Duration.ofSeconds(1)).withBackfill(Duration.ofMinutes(1))),
                    FleetOptions.builder().profileStore(store).statisticsLogInterval(Duration.ZERO).build())) {
                await(Duration.ofSeconds(20), () -> store.rows.size() >= 6, "rows despite the mark in the future");
            }
            List<Long> ts = checkedRows(0, store.rows);
            assertThat(Instant.ofEpochMilli(ts.get(0))).isBefore(future);
            assertThat(messages()).anyMatch(m -> m.contains("the meter's clock") && m.contains("is behind the last"
                    + " row stored (" + future + ")") && m.contains("may come twice rather than any being lost"));
        }
    }

    /**
     * The meter comes back with a buffer that was reset (entries_in_use far below what it was): the job says so and
     * goes on from its mark, by entry as before, with no row lost or repeated.
     */
    @Test
    void aBufferThatWasResetIsLoggedAndReadOnFromTheMark() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RecordingStore store = new RecordingStore(null);
        SimulatorOptions.Builder options = SimulatorOptions.builder().host("127.0.0.1").basePort(port).meterCount(1)
                .framing(Framing.WRAPPER).workerThreads(1).profilePeriod(PERIOD).rangeAccess(false);
        MeterSimulator before = MeterSimulator.start(options.profileHistory(Duration.ofMinutes(5)).build());
        Meter meter = meters(before, ProfileSchedule.of(LOAD).withInterval(Duration.ofSeconds(1))
                .withBackfill(Duration.ofSeconds(30)).withMaxRowsPerRead(10)).get(0);
        try (MeterFleet fleet = MeterFleet.create(List.of(meter), FleetOptions.builder().profileStore(store)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
                .statisticsLogInterval(Duration.ZERO).build())) {
            await(Duration.ofSeconds(20), () -> store.rows.size() >= 31, "rows before the reset");
            before.close();
            try (MeterSimulator after = MeterSimulator.start(options.profileHistory(Duration.ofSeconds(20)).build())) {
                int rowsAtReset = store.rows.size();
                await(Duration.ofSeconds(20), () -> store.rows.size() >= rowsAtReset + 5, "rows after the reset");
            }
        } finally {
            before.close();
        }
        checkedRows(0, store.rows);
        assertThat(messages()).anyMatch(m -> m.contains("entries_in_use fell from 300 to 20: the meter's buffer was"
                + " reset"));
    }

    /** A store that fails a chunk: the slot ends, the next one reads again from the mark, and no row is lost. */
    @Test
    void aChunkTheStoreRefusedIsReadAgain() throws Exception {
        try (MeterSimulator simulator = simulator(1, Duration.ofMinutes(5), true)) {
            RecordingStore store = new RecordingStore(null);
            store.failChunk = 2;
            try (MeterFleet fleet = MeterFleet.create(meters(simulator, ProfileSchedule.of(LOAD)
                    .withInterval(Duration.ofSeconds(1)).withBackfill(Duration.ofSeconds(30)).withMaxRowsPerRead(5)),
                    FleetOptions.builder().profileStore(store).statisticsLogInterval(Duration.ZERO).build())) {
                await(Duration.ofSeconds(20), () -> store.rows.size() >= 35, "rows after the refused chunk");
            }
            checkedRows(0, store.rows);
            assertThat(store.calls.get()).isGreaterThan(store.failChunk);
            assertThat(messages()).anyMatch(m -> m.contains("rows not stored") && m.contains("disk on fire"));
        }
    }

    /**
     * Backpressure: a subscriber that asks for one chunk gets one, and the reads wait (the polls go on); once it
     * asks for more, the rows continue where they stopped.
     */
    @Test
    void aSubscriberThatTakesNothingPausesTheReads() throws Exception {
        try (MeterSimulator simulator = simulator(1, Duration.ofMinutes(5), true)) {
            List<ProfileRow> rows = new CopyOnWriteList();
            AtomicInteger chunks = new AtomicInteger();
            AtomicInteger polls = new AtomicInteger();
            BaseSubscriber<ProfileChunk> slow = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                    request(1);
                }

                @Override
                protected void hookOnNext(ProfileChunk chunk) {
                    chunks.incrementAndGet();
                    rows.addAll(chunk.rows());
                }
            };
            try (MeterFleet fleet = MeterFleet.create(meters(simulator, ProfileSchedule.of(LOAD)
                    .withInterval(Duration.ofSeconds(1)).withBackfill(Duration.ofMinutes(2)).withMaxRowsPerRead(10)),
                    FleetOptions.builder().statisticsLogInterval(Duration.ZERO).build())) {
                fleet.readings().subscribe(r -> polls.incrementAndGet());
                fleet.profiles().subscribe(slow);
                Thread.sleep(3_000);
                assertThat(chunks.get()).as("chunks taken by a subscriber that asked for one").isEqualTo(1);
                assertThat(polls.get()).as("polls meanwhile").isGreaterThanOrEqualTo(2);
                slow.request(Long.MAX_VALUE);
                await(Duration.ofSeconds(20), () -> rows.size() >= 125, "the rest once asked for");
            }
            checkedRows(0, rows);
        }
    }

    // ---- fixture --------------------------------------------------------------------------------------------

    private static MeterSimulator simulator(int meters, Duration history, boolean rangeAccess) throws Exception {
        return MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(meters)
                .framing(Framing.WRAPPER).workerThreads(1).profilePeriod(PERIOD).profileHistory(history)
                .rangeAccess(rangeAccess).build());
    }

    private static List<Meter> meters(MeterSimulator simulator, ProfileSchedule profile) {
        List<Meter> meters = new ArrayList<>();
        for (int i = 0; i < simulator.meterCount(); i++) {
            meters.add(SimulatedDevices.device(simulator, i, Duration.ofSeconds(1), Duration.ofSeconds(2)).toBuilder()
                    .profiles(List.of(profile)).build());
        }
        return meters;
    }

    /** The rows' times, after checking each is one period after the last, once each, with the simulated values. */
    private static List<Long> checkedRows(int meter, List<ProfileRow> rows) {
        assertThat(rows).as("rows of meter %d", meter).isNotEmpty();
        TreeSet<Long> ts = new TreeSet<>();
        for (ProfileRow row : rows) {
            assertThat(row.time()).isNotNull();
            // columns: clock, active energy, voltage L1
            assertThat((BigDecimal) row.values().get(1)).as("energy at %s", row.time())
                    .isEqualByComparingTo(SimulatedProfiles.energy(meter, row.time()));
            assertThat((BigDecimal) row.values().get(2)).as("voltage at %s", row.time())
                    .isEqualByComparingTo(SimulatedProfiles.voltage(meter, row.time()));
            ts.add(row.time().toEpochMilli());
        }
        assertThat(rows).as("rows of meter %d, each once", meter).hasSize(ts.size());
        List<Long> sequence = new ArrayList<>(ts);
        for (int k = 1; k < sequence.size(); k++) {
            assertThat(sequence.get(k) - sequence.get(k - 1)).as("after %s", Instant.ofEpochMilli(sequence.get(k - 1)))
                    .isEqualTo(PERIOD.toMillis());
        }
        return sequence;
    }

    private List<String> messages() {
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** A store that keeps rows and its mark in memory, starting from a given mark, and fails a chosen chunk. */
    private static final class RecordingStore implements ProfileStore {
        final List<ProfileRow> rows = new CopyOnWriteList();
        final AtomicInteger calls = new AtomicInteger();
        volatile Instant mark;
        volatile int failChunk = -1;

        RecordingStore(Instant mark) {
            this.mark = mark;
        }

        @Override
        public Optional<Instant> mark(String meter, ObisCode profile) {
            return Optional.ofNullable(mark);
        }

        @Override
        public Mono<Void> store(ProfileChunk chunk) {
            return Mono.defer(() -> {
                if (calls.incrementAndGet() == failChunk) {
                    return Mono.error(new IllegalStateException("disk on fire"));
                }
                rows.addAll(chunk.rows());
                chunk.lastTime().ifPresent(t -> mark = t);
                return Mono.empty();
            });
        }
    }

    private static final class CopyOnWriteList extends java.util.concurrent.CopyOnWriteArrayList<ProfileRow> {
        private static final long serialVersionUID = 1L;
    }
}
