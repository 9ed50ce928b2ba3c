package io.dlmsgateway.spool;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.dlmsgateway.spool.SpoolFixture.record;
import static io.dlmsgateway.spool.SpoolFixture.records;
import static io.dlmsgateway.spool.SpoolFixture.storedSize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpoolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int ANY_BYTES = 1 << 20;

    @TempDir
    Path dir;

    private final List<Spool> opened = new ArrayList<>();

    private Spool open(SpoolOptions options) {
        Spool spool = Spool.open(options);
        opened.add(spool);
        return spool;
    }

    private Spool open() {
        return open(SpoolOptions.file(dir));
    }

    @AfterEach
    void closeAll() {
        opened.forEach(Spool::close);
    }

    private static SpooledBatch next(Spool spool, int maxRecords) {
        return spool.batches(maxRecords, ANY_BYTES).blockFirst(TIMEOUT);
    }

    @Test
    void appendedRecordsComeOutInBatchesAndAreGoneOnceAcknowledged() {
        Spool spool = open();
        spool.append(records("m", 0, 5)).block(TIMEOUT);

        SpooledBatch batch = next(spool, 10);
        assertThat(batch.records()).containsExactlyElementsOf(records("m", 0, 5));
        assertThat(batch.bytes()).isEqualTo(5 * (1 + SpoolFixture.PAYLOAD_SIZE));
        assertThat(spool.statistics().inFlightRecords()).isEqualTo(5);

        spool.acknowledge(batch).block(TIMEOUT);
        assertThat(spool.statistics()).isEqualTo(new SpoolStatistics(0, 0, 0, 5, 5, 0, 0, 0, 0, 0, 0,
                Optional.empty()));

        // gone from disk as well: a reopened spool hands out only what came after
        spool.close();
        Spool reopened = open();
        reopened.append(List.of(record("m", 5))).block(TIMEOUT);
        assertThat(next(reopened, 10).records()).containsExactly(record("m", 5));
    }

    @Test
    void batchesRespectTheirLimitsButNeverSplitARecord() {
        Spool spool = open();
        spool.append(records("m", 0, 7)).block(TIMEOUT);
        int oneRecord = 1 + SpoolFixture.PAYLOAD_SIZE;

        StepVerifier.create(spool.batches(3, 2 * oneRecord + 1), 0)
                .thenRequest(1).assertNext(b -> assertThat(b.records()).containsExactlyElementsOf(records("m", 0, 2)))
                .thenRequest(1).assertNext(b -> assertThat(b.records()).containsExactlyElementsOf(records("m", 2, 4)))
                .thenCancel().verify(TIMEOUT);
        // a record bigger than a batch's bytes still goes, alone; the record limit applies on its own too
        StepVerifier.create(spool.batches(3, 10), 0)
                .thenRequest(2)
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 0)))
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 1)))
                .thenCancel().verify(TIMEOUT);
        StepVerifier.create(spool.batches(3, ANY_BYTES), 0)
                .thenRequest(3)
                .assertNext(b -> assertThat(b.records()).containsExactlyElementsOf(records("m", 0, 3)))
                .assertNext(b -> assertThat(b.records()).containsExactlyElementsOf(records("m", 3, 6)))
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 6)))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void aReleasedBatchComesBackInItsPlaceAndInFlightRecordsDoNotComeTwice() {
        Spool spool = open();
        spool.append(records("m", 0, 3)).block(TIMEOUT);
        List<SpooledBatch> seen = Collections.synchronizedList(new ArrayList<>());

        StepVerifier.create(spool.batches(2, ANY_BYTES), 0)
                .thenRequest(2)
                .assertNext(seen::add)
                .assertNext(seen::add)
                .then(() -> spool.append(List.of(record("m", 3))).block(TIMEOUT))
                .then(() -> spool.release(seen.get(0)))
                // release returns at once and is applied on the spool's thread: wait for it, so that the request
                // below cannot be served first
                .then(() -> awaitInFlight(spool, 1))
                // the released records are older than the new one, so they come first
                .thenRequest(1)
                .assertNext(b -> assertThat(b.records()).containsExactlyElementsOf(records("m", 0, 2)))
                .thenRequest(1)
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 3)))
                .thenCancel().verify(TIMEOUT);

        assertThat(seen.get(1).records()).containsExactly(record("m", 2));
        assertThat(spool.statistics().redelivered()).isEqualTo(2);
        // settling the released batch again does nothing
        spool.acknowledge(seen.get(0)).block(TIMEOUT);
        assertThat(spool.statistics().acknowledged()).isZero();
    }

    @Test
    void aNewSubscriptionGetsWhatTheOldOneLeftInFlight() {
        Spool spool = open();
        spool.append(records("m", 0, 4)).block(TIMEOUT);
        SpooledBatch abandoned = next(spool, 2);

        SpooledBatch again = next(spool, 10);

        assertThat(again.records()).containsExactlyElementsOf(records("m", 0, 4));
        assertThat(spool.statistics().redelivered()).isEqualTo(2);
        // the abandoned lease ended: its late acknowledgement removes nothing
        spool.acknowledge(abandoned).block(TIMEOUT);
        assertThat(spool.statistics().backlogRecords()).isEqualTo(4);
        spool.acknowledge(again).block(TIMEOUT);
        assertThat(spool.statistics().backlogRecords()).isZero();
    }

    @Test
    void onlyOneSubscriberAtATime() {
        Spool spool = open();
        StepVerifier.create(spool.batches(1, ANY_BYTES))
                .then(() -> StepVerifier.create(spool.batches(1, ANY_BYTES))
                        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining("already has a batches() subscriber"))
                        .verify(TIMEOUT))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void restartKeepsUnacknowledgedRecordsAndContinuesTheSequence() {
        Spool spool = open();
        spool.append(records("m", 0, 10)).block(TIMEOUT);
        SpooledBatch first = next(spool, 4);
        spool.acknowledge(first).block(TIMEOUT);
        next(spool, 3); // in flight when the spool closes: not acknowledged, so it stays
        spool.close();

        Spool reopened = open();
        assertThat(reopened.statistics().backlogRecords()).isEqualTo(6);
        assertThat(reopened.statistics().backlogBytes()).isEqualTo(6 * storedSize());
        SpooledBatch rest = next(reopened, 100);
        assertThat(rest.records()).containsExactlyElementsOf(records("m", 4, 10));
        assertThat(rest.firstSequence()).isEqualTo(first.lastSequence() + 1);
        reopened.acknowledge(rest).block(TIMEOUT);
        reopened.close();

        // with nothing left the sequence still goes on: it lives in the store, not in the records
        Spool third = open();
        third.append(List.of(record("m", 10))).block(TIMEOUT);
        assertThat(next(third, 10).firstSequence()).isEqualTo(rest.lastSequence() + 1);
    }

    @Test
    void aFullSpoolDropsTheOldestCountsThemAndSaysSo() {
        ListAppender<ILoggingEvent> logged = captureSpoolLog();
        Spool spool = open(SpoolOptions.file(dir).withMaxBytes(10 * storedSize()));

        for (int i = 0; i < 25; i += 5) {
            spool.append(records("m", i, i + 5)).block(TIMEOUT);
        }

        SpoolStatistics statistics = spool.statistics();
        assertThat(statistics.dropped()).isEqualTo(15);
        assertThat(statistics.droppedForBound()).isEqualTo(15);
        assertThat(statistics.appended()).isEqualTo(25);
        assertThat(statistics.backlogRecords()).isEqualTo(10);
        assertThat(statistics.backlogBytes()).isEqualTo(10 * storedSize());
        assertThat(next(spool, 100).records()).containsExactlyElementsOf(records("m", 15, 25));
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).first()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("is full").contains("dropped 5 record"));
    }

    @Test
    void theRecordBoundDropsTooAndARecordBiggerThanTheSpoolIsNotStored() {
        Spool spool = open(SpoolOptions.file(dir).withMaxRecords(3).withMaxBytes(2 * storedSize() + 100));

        spool.append(List.of(new SpoolRecord("m", 0, new byte[1000]))).block(TIMEOUT);
        spool.append(records("m", 0, 4)).block(TIMEOUT);

        assertThat(spool.statistics().dropped()).isEqualTo(3);
        assertThat(next(spool, 100).records()).containsExactlyElementsOf(records("m", 2, 4));
    }

    @Test
    void droppingWinsOverALease() {
        Spool spool = open(SpoolOptions.file(dir).withMaxRecords(4));
        spool.append(records("m", 0, 4)).block(TIMEOUT);
        SpooledBatch inFlight = next(spool, 2);

        spool.append(records("m", 4, 7)).block(TIMEOUT); // drops records 0, 1 and 2
        spool.acknowledge(inFlight).block(TIMEOUT);

        SpoolStatistics statistics = spool.statistics();
        assertThat(statistics.dropped()).isEqualTo(3);
        assertThat(statistics.acknowledged()).isZero();
        assertThat(statistics.backlogRecords()).isEqualTo(4);
        assertThat(statistics.inFlightRecords()).isZero();
    }

    @Test
    void aLowerBoundAppliesWhenTheSpoolOpens() {
        Spool spool = open();
        spool.append(records("m", 0, 10)).block(TIMEOUT);
        spool.close();

        Spool smaller = open(SpoolOptions.file(dir).withMaxRecords(4));

        assertThat(smaller.statistics().dropped()).isEqualTo(6);
        assertThat(next(smaller, 100).records()).containsExactlyElementsOf(records("m", 6, 10));
    }

    @Test
    void batchesAreReadOnDemandAndTheSubscriberWaitsWithoutPollingUntilAnAppend() throws Exception {
        Spool spool = open();
        spool.append(records("m", 0, 2)).block(TIMEOUT);
        Thread spoolThread = spool.append(List.of(record("m", 2)))
                .then(Mono.fromCallable(Thread::currentThread)).block(TIMEOUT);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] cpuWhileWaiting = new long[1];

        StepVerifier.create(spool.batches(1, ANY_BYTES), 0)
                .thenRequest(1)
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 0)))
                // no demand, nothing read ahead
                .then(() -> assertThat(spool.statistics().inFlightRecords()).isEqualTo(1))
                .thenRequest(1)
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 1)))
                .thenRequest(1)
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 2)))
                .thenRequest(1)
                .then(() -> cpuWhileWaiting[0] = threads.getThreadCpuTime(spoolThread.getId()))
                .expectNoEvent(Duration.ofMillis(500))
                .then(() -> cpuWhileWaiting[0] = threads.getThreadCpuTime(spoolThread.getId()) - cpuWhileWaiting[0])
                .then(() -> spool.append(List.of(record("m", 3))).subscribe())
                .assertNext(b -> assertThat(b.records()).containsExactly(record("m", 3)))
                .thenCancel().verify(TIMEOUT);

        // a polling loop would burn the half second; a parked thread uses next to nothing
        assertThat(cpuWhileWaiting[0]).isLessThan(Duration.ofMillis(100).toNanos());
    }

    @Test
    void aBatchWaitsForItsLingerUnlessItIsFull() {
        Spool spool = open();

        StepVerifier.create(spool.batches(3, ANY_BYTES, Duration.ofHours(1)), 0)
                .thenRequest(1)
                .then(() -> spool.append(records("m", 0, 2)).block(TIMEOUT))
                // two of three: they wait for more (an hour, here)
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> spool.append(records("m", 2, 3)).block(TIMEOUT))
                // the third fills the batch: out at once
                .assertNext(b -> assertThat(b.records()).containsExactlyElementsOf(records("m", 0, 3)))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void aLingeringBatchGoesWhenItsLingerHasPassed() {
        Spool spool = open();

        StepVerifier.create(spool.batches(1000, ANY_BYTES, Duration.ofMillis(100)), 0)
                .then(() -> spool.append(records("m", 0, 2)).block(TIMEOUT))
                .then(() -> spool.append(records("m", 2, 4)).block(TIMEOUT))
                .thenRequest(1)
                // far from full, but once the oldest waited its linger the batch goes, with the younger ones
                .assertNext(b -> assertThat(b.records()).containsExactlyElementsOf(records("m", 0, 4)))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void whatWasStoredBeforeTheSpoolOpenedWaitsNoLinger() {
        Spool spool = open();
        spool.append(records("m", 0, 2)).block(TIMEOUT);
        spool.close();
        Spool reopened = open();

        // an hour's linger, yet the backlog of the last run goes at once
        assertThat(reopened.batches(1000, ANY_BYTES, Duration.ofHours(1)).blockFirst(TIMEOUT).records())
                .containsExactlyElementsOf(records("m", 0, 2));
    }

    @Test
    void appendsSoonAfterACommitShareTheNextWhichComesWhenTheIntervalIsUp() throws Exception {
        Duration interval = Duration.ofMillis(400);
        Spool spool = open(SpoolOptions.file(dir).withCommitInterval(interval));

        // after a quiet spell an append is committed at once
        long start = System.nanoTime();
        spool.append(records("m", 0, 1)).block(TIMEOUT);
        long first = System.nanoTime();
        assertThat(Duration.ofNanos(first - start)).isLessThan(interval);

        // those that follow within the interval wait for the next commit, together, and no longer than the interval
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int i = w;
                done.add(pool.submit(() -> {
                    spool.append(records("w" + i, 0, 1)).block(TIMEOUT);
                    return System.nanoTime();
                }));
            }
            for (Future<Long> f : done) {
                long committed = f.get();
                assertThat(Duration.ofNanos(committed - first)).isGreaterThanOrEqualTo(interval.minusMillis(50))
                        .isLessThan(interval.multipliedBy(3));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(spool.statistics().appended()).isEqualTo(1 + writers);
        spool.close();
        assertThat(open().statistics().backlogRecords()).isEqualTo(1 + writers);
    }

    @Test
    void anAcknowledgementDoesNotWaitForTheCommitIntervalAndTakesTheGatheredAppendsAlong() {
        Duration interval = Duration.ofSeconds(1);
        Spool spool = open(SpoolOptions.file(dir).withCommitInterval(interval));
        spool.append(records("m", 0, 2)).block(TIMEOUT);
        SpooledBatch batch = next(spool, 10);
        // a commit has just been made (the append's): an append now gathers for up to a second...
        Mono<Void> gathered = spool.append(records("m", 2, 3)).cache();
        gathered.subscribe();

        // ...but an acknowledgement is not an append: it is applied at once, with the gathered append
        long start = System.nanoTime();
        spool.acknowledge(batch).block(TIMEOUT);
        gathered.block(TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(interval.dividedBy(2));
        assertThat(spool.statistics().backlogRecords()).isEqualTo(1);
    }

    @Test
    void aZeroCommitIntervalCommitsWhateverWaitsAtOnce() {
        Spool spool = open(SpoolOptions.file(dir).withCommitInterval(Duration.ZERO));
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            spool.append(records("m", i, i + 1)).block(TIMEOUT);
        }
        // five commits one after another: with an interval of a second they would take at least four
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void concurrentAppendsKeepEachWritersOrderAndLoseNothing() throws Exception {
        Spool spool = open();
        int writers = 4;
        int appendsEach = 100;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String key = "w" + w;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < appendsEach; i++) {
                        spool.append(records(key, 2 * i, 2 * i + 2)).block(TIMEOUT);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, List<SpoolRecord>> byWriter = new HashMap<>();
        spool.batches(64, ANY_BYTES).take(writers * appendsEach * 2 / 64 + 1)
                .concatMap(b -> spool.acknowledge(b).thenReturn(b))
                .takeUntil(b -> spool.statistics().backlogRecords() == 0)
                .flatMapIterable(SpooledBatch::records)
                .doOnNext(r -> byWriter.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r))
                .blockLast(TIMEOUT);

        assertThat(byWriter).hasSize(writers);
        byWriter.forEach((key, got) -> assertThat(got).containsExactlyElementsOf(records(key, 0, 2 * appendsEach)));
        assertThat(spool.statistics().appended()).isEqualTo(writers * appendsEach * 2L);
    }

    @Test
    void aSecondSpoolOnTheSameDirectoryIsRefused() {
        open();

        assertThatThrownBy(() -> open()).isInstanceOf(SpoolException.class).hasMessageContaining("in use");
    }

    @Test
    void aClosedSpoolRefusesWorkAndCompletesItsSubscriber() {
        Spool spool = open();
        StepVerifier.create(spool.batches(1, ANY_BYTES))
                .then(spool::close)
                .verifyComplete();

        StepVerifier.create(spool.append(List.of(record("m", 0))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SpoolException.class).hasMessageContaining("closed"))
                .verify(TIMEOUT);
    }

    @Test
    void inMemoryIsBoundedTheSameWay() {
        Spool spool = open(SpoolOptions.memory().withMaxRecords(3));
        spool.append(records("m", 0, 5)).block(TIMEOUT);

        SpooledBatch batch = next(spool, 10);

        assertThat(batch.records()).containsExactlyElementsOf(records("m", 2, 5));
        spool.acknowledge(batch).block(TIMEOUT);
        assertThat(spool.statistics()).isEqualTo(new SpoolStatistics(0, 0, 0, 5, 3, 2, 2, 0, 0, 0, 0,
                Optional.empty()));
    }

    private static ListAppender<ILoggingEvent> captureSpoolLog() {
        Logger logger = (Logger) LoggerFactory.getLogger(Spool.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static void awaitInFlight(Spool spool, long records) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (spool.statistics().inFlightRecords() != records) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("in flight: " + spool.statistics());
            }
            Thread.onSpinWait();
        }
    }
}
