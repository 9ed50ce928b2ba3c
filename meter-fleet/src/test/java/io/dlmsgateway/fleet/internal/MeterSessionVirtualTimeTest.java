package io.dlmsgateway.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.MeterReading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A session's schedule and backoff, on virtual time: every instant is exact. */
class MeterSessionVirtualTimeTest {

    private VirtualTimeScheduler time;
    private ScriptedMeter meter;
    private ReadingBuffer buffer;
    private final List<MeterReading> readings = new ArrayList<>();
    private MeterSession session;
    private Disposable running;

    @BeforeEach
    void setUp() {
        time = VirtualTimeScheduler.create();
        meter = new ScriptedMeter(time);
        buffer = new ReadingBuffer(100);
        buffer.flux().subscribe(readings::add);
    }

    @AfterEach
    void tearDown() {
        if (running != null) {
            running.dispose();
        }
        time.dispose();
    }

    /** A session with backoff 1 s doubling up to 4 s and no jitter. */
    private void start(Duration interval, Duration phase) {
        start(interval, phase, Duration.ZERO);
    }

    private void start(Duration interval, Duration phase, Duration resolution) {
        session = new MeterSession(ScriptedMeter.device("m", interval), meter, new ConnectionAttemptLimiter(4),
                buffer, new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4), 0, () -> 0.5),
                new FailureLog(FailureLog.DEFAULT_LINE_BUDGET, Duration.ofSeconds(10)), time,
                phase, resolution, () -> { });
        running = session.run().subscribe();
    }

    private void advanceTo(long millis) {
        time.advanceTimeTo(java.time.Instant.ofEpochMilli(millis));
    }

    private List<Long> readingTimes() {
        return readings.stream().map(r -> r.timestamp().toEpochMilli()).toList();
    }

    @Test
    void firstPollFallsAtThePhaseThenEveryIntervalOnTheGrid() {
        start(Duration.ofSeconds(1), Duration.ofMillis(300));
        advanceTo(299);
        assertThat(meter.associationAttempts).isEmpty();
        assertThat(readings).isEmpty();

        advanceTo(3_300);
        assertThat(meter.associationAttempts).containsExactly(300L);
        assertThat(readingTimes()).containsExactly(300L, 1_300L, 2_300L, 3_300L);
        assertThat(readings).allSatisfy(r -> assertThat(r.scheduledAt()).isEqualTo(r.timestamp()));
        assertThat(readings.get(0).value("voltage_l1").value()).hasToString("230.1");
        assertThat(session.statistics().polls()).isEqualTo(4);
        assertThat(session.statistics().successes()).isEqualTo(4);
        assertThat(session.state()).isEqualTo(DeviceState.UP);
    }

    @Test
    void pollsWakeAtTheNextStepOfTheResolutionButKeepTheirSlots() {
        start(Duration.ofSeconds(1), Duration.ofMillis(330), Duration.ofMillis(100));
        advanceTo(399);
        assertThat(meter.associationAttempts).isEmpty();

        advanceTo(2_400);
        assertThat(meter.associationAttempts).containsExactly(400L);
        assertThat(readingTimes()).containsExactly(400L, 1_400L, 2_400L);
        assertThat(readings).extracting(r -> r.scheduledAt().toEpochMilli()).containsExactly(330L, 1_330L, 2_330L);
    }

    @Test
    void failedAssociationsBackOffExponentiallyUpToTheCapAndSlotsPassedAreMissedNotMadeUp() {
        meter.failAssociations = 5;
        start(Duration.ofSeconds(1), Duration.ZERO);

        advanceTo(20_000);
        // delays 1, 2, 4, 4 (capped), 4 s
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 7_000L, 11_000L, 15_000L);
        // associated at 15 s: one poll for the slot of 15 s, the fifteen before it missed, then on the grid
        assertThat(readingTimes()).startsWith(15_000L, 16_000L).endsWith(20_000L).hasSize(6);
        assertThat(session.statistics().missed()).isEqualTo(15);
        assertThat(session.statistics().connectFailures()).isEqualTo(5);
        assertThat(session.statistics().lastError()).hasValue("connection refused by 127.0.0.1:4059");
    }

    @Test
    void aSuccessfulPollStartsTheBackoffOver() {
        meter.failAssociations = 3;
        start(Duration.ofSeconds(10), Duration.ZERO);
        advanceTo(7_000);
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 7_000L);
        assertThat(readingTimes()).containsExactly(7_000L);

        // the connection breaks between polls: the first retry waits the minimum again, not 8 s
        meter.current.closeByPeer();
        assertThat(session.state()).isEqualTo(DeviceState.DOWN);
        advanceTo(8_000);
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 7_000L, 8_000L);
        assertThat(session.state()).isEqualTo(DeviceState.UP);
        // the grid holds: slots stay at 0, 10, 20 s from the phase, reconnect or not
        advanceTo(10_000);
        assertThat(readingTimes()).containsExactly(7_000L, 10_000L);
    }

    @Test
    void aFailedReadReconnectsAndIsCountedAsAFailedPoll() {
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(1_000);
        meter.failReads = true;
        advanceTo(2_000);
        assertThat(session.statistics().failures()).isEqualTo(1);
        assertThat(session.state()).isEqualTo(DeviceState.DOWN);
        assertThat(session.statistics().lastError().orElseThrow()).contains("no reply to GET");

        meter.failReads = false;
        advanceTo(3_000);
        assertThat(meter.associationAttempts).containsExactly(0L, 3_000L);
        assertThat(readingTimes()).containsExactly(0L, 1_000L, 3_000L);
    }

    @Test
    void aNewPollingIntervalAppliesAtOnce() {
        start(Duration.ofSeconds(60), Duration.ZERO);
        advanceTo(1_000);
        assertThat(readingTimes()).containsExactly(0L);

        session.pollingInterval(Duration.ofSeconds(5));
        advanceTo(16_000);
        assertThat(readingTimes()).containsExactly(0L, 5_000L, 10_000L, 15_000L);
    }

    @Test
    void reconnectSkipsTheBackoffUnderWay() {
        meter.failAssociations = 10;
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(7_500);
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 7_000L);
        meter.failAssociations = 0;

        session.reconnect();
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 7_000L, 7_500L);
        assertThat(session.state()).isEqualTo(DeviceState.UP);
    }

    @Test
    void aFullReadingBufferSkipsPollsInsteadOfQueueing() {
        buffer = new ReadingBuffer(2); // nobody subscribed to this one
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(4_000);
        assertThat(meter.reads).containsExactly(0L, 1_000L);
        assertThat(session.statistics().skipped()).isEqualTo(3);
        assertThat(buffer.queued()).isEqualTo(2);

        List<MeterReading> late = new ArrayList<>();
        buffer.flux().subscribe(late::add);
        assertThat(late).hasSize(2);
        advanceTo(5_000);
        assertThat(late).hasSize(3);
        assertThat(meter.reads).containsExactly(0L, 1_000L, 5_000L);
    }

    @Test
    void stoppingReleasesTheAssociation() {
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(500);
        ScriptedMeter.Association association = meter.current;
        running.dispose();
        assertThat(association.released).isTrue();
        assertThat(session.state()).isEqualTo(DeviceState.STOPPED);
        advanceTo(5_000);
        assertThat(meter.reads).containsExactly(0L);
    }

    /** A job of a test's own: records when it ran and on which association, takes no time. */
    private static final class RecordingJob implements ScheduledJob {
        final List<Long> slots = new ArrayList<>();
        final List<MeterAssociation> associations = new ArrayList<>();
        long missed;
        private final Duration interval;
        private final Duration phase;

        RecordingJob(Duration interval, Duration phase) {
            this.interval = interval;
            this.phase = phase;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Duration interval() {
            return interval;
        }

        @Override
        public Duration phase() {
            return phase;
        }

        @Override
        public Mono<Void> run(MeterAssociation association, long slotMillis, long nowMillis) {
            slots.add(slotMillis);
            associations.add(association);
            return Mono.empty();
        }

        @Override
        public void missed(long slots) {
            missed += slots;
        }
    }

    @Test
    void aSecondJobRunsOnItsOwnGridOnTheSameAssociationAsThePoll() {
        RecordingJob profile = new RecordingJob(Duration.ofSeconds(3), Duration.ofMillis(500));
        session = newSession(Duration.ofSeconds(1), Duration.ZERO);
        session.addJob(profile);
        running = session.run().subscribe();

        advanceTo(7_000);
        assertThat(readingTimes()).containsExactly(0L, 1_000L, 2_000L, 3_000L, 4_000L, 5_000L, 6_000L, 7_000L);
        assertThat(profile.slots).containsExactly(500L, 3_500L, 6_500L);
        assertThat(meter.associationAttempts).containsExactly(0L);
        assertThat(profile.associations).allSatisfy(a -> assertThat(a).isSameAs(meter.current));
    }

    @Test
    void eachJobCountsItsOwnMissedSlotsWhileTheMeterIsUnreachable() {
        RecordingJob profile = new RecordingJob(Duration.ofSeconds(2), Duration.ZERO);
        meter.failAssociations = 3; // attempts at 0, 1 s, 3 s fail (backoff 1 s, 2 s); the fourth at 7 s works
        session = newSession(Duration.ofSeconds(1), Duration.ZERO);
        session.addJob(profile);
        running = session.run().subscribe();

        advanceTo(9_000);
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 7_000L);
        assertThat(profile.slots).containsExactly(6_000L, 8_000L);
        assertThat(profile.missed).isEqualTo(3); // 0, 2 s, 4 s passed unrun; 6 s runs late, at 7 s
        assertThat(session.statistics().missed()).isEqualTo(7); // 0..6 s of the poll's grid; 7 s is polled
    }

    @Test
    void anOnDemandReadGoesOutWithOnDemandPriorityAndPollsWithScheduled() {
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(500);
        MeterReading reading = session.readNow(List.of(ScriptedMeter.VOLTAGE)).block(Duration.ofSeconds(1));
        assertThat(reading.value("voltage_l1")).isNotNull();
        advanceTo(1_000);
        assertThat(meter.priorities).containsExactly(Priority.SCHEDULED, Priority.ON_DEMAND, Priority.SCHEDULED);
    }

    @Test
    void stoppingDuringAConnectCancelsTheAttemptAndReturnsItsPermit() {
        ConnectionAttemptLimiter limiter = new ConnectionAttemptLimiter(1);
        meter.hangAssociations = true;
        session = newSession(Duration.ofSeconds(1), Duration.ZERO, limiter);
        running = session.run().subscribe();
        advanceTo(500);
        assertThat(limiter.running()).isEqualTo(1);

        running.dispose();
        assertThat(meter.cancelledAssociations).isEqualTo(1);
        assertThat(limiter.running()).isZero();
        assertThat(session.state()).isEqualTo(DeviceState.STOPPED);
        advanceTo(10_000);
        assertThat(meter.associationAttempts).containsExactly(0L);
    }

    @Test
    void stoppingDuringTheBackoffEndsItWithoutAnotherAttempt() {
        meter.failAssociations = 10;
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(2_000); // attempts at 0 and 1 s failed; the next one would be at 3 s
        running.dispose();
        assertThat(session.state()).isEqualTo(DeviceState.STOPPED);
        advanceTo(20_000);
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L);
        assertThat(session.state()).isEqualTo(DeviceState.STOPPED);
    }

    @Test
    void stoppingDuringAPollCancelsTheReadInTheClientAndGivesItsPlaceInTheBufferBack() {
        buffer = new ReadingBuffer(1); // nobody subscribed: the one place is the poll's
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(500);
        assertThat(buffer.queued()).isEqualTo(1);
        buffer.flux().subscribe(readings::add);
        meter.hangReads = true;
        advanceTo(1_500);
        assertThat(meter.reads).containsExactly(0L, 1_000L);
        assertThat(buffer.tryReserve()).isFalse(); // the read in flight holds the place

        ScriptedMeter.Association association = meter.current;
        running.dispose();
        assertThat(meter.cancelledReads).isEqualTo(1);
        assertThat(association.released).isTrue();
        assertThat(buffer.tryReserve()).isTrue();
        assertThat(session.statistics().failures()).isZero();
    }

    @Test
    void aJobFailingWhileAnotherRunsEndsTheAssociationAndCancelsTheOtherRun() {
        HangingJob profile = new HangingJob(Duration.ofSeconds(10), Duration.ofMillis(500));
        session = newSession(Duration.ofSeconds(1), Duration.ZERO);
        session.addJob(profile);
        running = session.run().subscribe();
        advanceTo(900);
        assertThat(profile.runs).isEqualTo(1);
        ScriptedMeter.Association first = meter.current;

        meter.failReads = true; // the poll of 1 s fails while the profile's run of 500 ms still waits
        advanceTo(1_000);
        assertThat(session.state()).isEqualTo(DeviceState.DOWN);
        assertThat(profile.cancelled).isEqualTo(1);
        assertThat(first.closedYet).isTrue();

        meter.failReads = false;
        advanceTo(2_000); // backoff of 1 s: associated again, the poll on its grid
        assertThat(meter.associationAttempts).containsExactly(0L, 2_000L);
        assertThat(readingTimes()).containsExactly(0L, 2_000L);
        // no run of the first association is counted as still in flight: a close between jobs is seen at once
        profile.hang = false;
        advanceTo(2_100);
        meter.current.closeByPeer();
        assertThat(session.state()).isEqualTo(DeviceState.DOWN);
        assertThat(session.statistics().lastError()).hasValue("connection closed by the meter");
    }

    @Test
    void aNewPollingIntervalDuringTheBackoffKeepsTheBackoffAndAppliesOnceAssociated() {
        meter.failAssociations = 2; // attempts at 0 and 1 s fail, the one at 3 s works
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(1_500);
        session.pollingInterval(Duration.ofSeconds(2));
        advanceTo(6_000);
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L);
        // never polled before: the grid of the new interval from the start, 0, 2, 4 s...; 0 and 2 s were missed
        assertThat(readings).extracting(r -> r.scheduledAt().toEpochMilli()).containsExactly(2_000L, 4_000L, 6_000L);
        assertThat(readingTimes()).containsExactly(3_000L, 4_000L, 6_000L);
        assertThat(session.statistics().missed()).isEqualTo(1);
    }

    @Test
    void aReconnectOfAnUnreachableMeterTriesOnceAtOnceThenBacksOffAgain() {
        meter.failAssociations = 100;
        start(Duration.ofSeconds(1), Duration.ZERO);
        advanceTo(3_500); // attempts at 0, 1 s, 3 s; the next one due at 7 s
        session.reconnect();
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 3_500L);
        advanceTo(7_499);
        // the backoff goes on from where the run of failures was (4 s, the cap), not from zero each time
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 3_500L);
        advanceTo(7_500);
        assertThat(meter.associationAttempts).containsExactly(0L, 1_000L, 3_000L, 3_500L, 7_500L);
    }

    @Test
    void aReconnectDuringTheWaitForTheFirstSlotConnectsAtOnce() {
        start(Duration.ofSeconds(10), Duration.ofSeconds(5));
        advanceTo(1_000);
        assertThat(meter.associationAttempts).isEmpty();
        session.reconnect();
        assertThat(meter.associationAttempts).containsExactly(1_000L);
        assertThat(session.state()).isEqualTo(DeviceState.UP);
        advanceTo(15_000);
        assertThat(readingTimes()).containsExactly(5_000L, 15_000L);
    }

    /** A job whose runs wait until the test lets them go, or until cancelled. */
    private static final class HangingJob implements ScheduledJob {
        private final Duration interval;
        private final Duration phase;
        int runs;
        int cancelled;
        boolean hang = true;

        HangingJob(Duration interval, Duration phase) {
            this.interval = interval;
            this.phase = phase;
        }

        @Override
        public String name() {
            return "hanging";
        }

        @Override
        public Duration interval() {
            return interval;
        }

        @Override
        public Duration phase() {
            return phase;
        }

        @Override
        public Mono<Void> run(MeterAssociation association, long slotMillis, long nowMillis) {
            runs++;
            return hang ? Mono.<Void>never().doOnCancel(() -> cancelled++) : Mono.empty();
        }

        @Override
        public void missed(long slots) {
        }
    }

    private MeterSession newSession(Duration interval, Duration phase) {
        return newSession(interval, phase, new ConnectionAttemptLimiter(4));
    }

    private MeterSession newSession(Duration interval, Duration phase, ConnectionAttemptLimiter limiter) {
        return new MeterSession(ScriptedMeter.device("m", interval), meter, limiter,
                buffer, new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4), 0, () -> 0.5),
                new FailureLog(FailureLog.DEFAULT_LINE_BUDGET, Duration.ofSeconds(10)), time,
                phase, Duration.ZERO, () -> { });
    }
}
