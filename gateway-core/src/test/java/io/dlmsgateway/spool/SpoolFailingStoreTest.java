package io.dlmsgateway.spool;

import static io.dlmsgateway.spool.SpoolFixture.record;
import static io.dlmsgateway.spool.SpoolFixture.records;
import static io.dlmsgateway.spool.SpoolFixture.storedSize;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import reactor.test.StepVerifier;

/**
 * A store whose writes fail (disk full, I/O error) never stops the spool: appends wait in memory and are written by
 * a retry, deletions wait too, batches keep coming, and the spool recovers by itself.
 */
class SpoolFailingStoreTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int ANY_BYTES = 1 << 20;

    @TempDir
    Path dir;

    private final FailingStore store = new FailingStore();
    private final List<Spool> opened = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger spoolLogger = (Logger) LoggerFactory.getLogger(Spool.class);

    private Spool open(SpoolOptions options) {
        logged.start();
        // INFO too (the recovery), into the list only: the build output stays quiet
        spoolLogger.setLevel(Level.INFO);
        spoolLogger.setAdditive(false);
        spoolLogger.addAppender(logged);
        Spool spool = store.open(options);
        opened.add(spool);
        return spool;
    }

    @AfterEach
    void closeAll() {
        store.fail(false);
        opened.forEach(Spool::close);
        spoolLogger.detachAppender(logged);
        spoolLogger.setAdditive(true);
        spoolLogger.setLevel(null);
    }

    @Test
    void appendsWaitInMemoryWhileWritesFailAndAreWrittenInOrderOnceTheyWork() throws Exception {
        Spool spool = open(SpoolOptions.file(dir));
        spool.append(records("m", 0, 5)).block(TIMEOUT);

        store.fail(true);
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 5; i < 15; i++) {
            waiting.add(spool.append(List.of(record("m", i))).toFuture());
        }
        await(() -> spool.statistics().heldRecords() == 10, spool);

        SpoolStatistics failing = spool.statistics();
        assertThat(failing.failing()).isTrue();
        assertThat(failing.failure()).get().asString().contains("SQLITE_FULL");
        assertThat(failing.dropped()).isZero();
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        // one ERROR when it starts failing, not one per write or per retry
        long refusedBefore = store.refused();
        await(() -> store.refused() > refusedBefore + 1, spool);
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(1).first()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("writing failed, retrying")
                        .contains("SQLITE_FULL"));

        store.fail(false);
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        SpoolStatistics recovered = spool.statistics();
        assertThat(recovered.failing()).isFalse();
        assertThat(recovered.heldRecords()).isZero();
        assertThat(recovered.backlogRecords()).isEqualTo(15);
        assertThat(recovered.dropped()).isZero();
        assertThat(spool.batches(100, ANY_BYTES).blockFirst(TIMEOUT).records())
                .containsExactlyElementsOf(records("m", 0, 15));
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("writing works again"));
    }

    @Test
    void pastItsMemoryBoundTheOldestHeldRecordsAreDroppedCountedAndTheirAppendsFail() throws Exception {
        Spool spool = open(SpoolOptions.file(dir).withMaxHeldBytes(10 * storedSize()));
        store.fail(true);

        List<CompletableFuture<Void>> appends = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            appends.add(spool.append(List.of(record("m", i))).toFuture());
        }
        await(() -> spool.statistics().droppedWhileFailing() == 5, spool);
        for (int i = 0; i < 5; i++) {
            ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> appends.get(0).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), ExecutionException.class);
            assertThat(e.getCause()).isInstanceOf(SpoolException.class)
                    .hasMessageContaining("dropped from memory while the store fails");
            appends.remove(0);
        }
        assertThat(spool.statistics().heldRecords()).isEqualTo(10);
        assertThat(spool.statistics().dropped()).isEqualTo(5);
        assertThat(spool.statistics().droppedForBound()).isZero();

        store.fail(false);
        CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(spool.batches(100, ANY_BYTES).blockFirst(TIMEOUT).records())
                .containsExactlyElementsOf(records("m", 5, 15));
        // appended = acknowledged + dropped + backlog growth, as ever
        assertThat(spool.statistics().appended()).isEqualTo(15);
    }

    @Test
    void batchesKeepComingAndAnAcknowledgementThatCannotBeWrittenIsNotDeliveredAgain() {
        Spool spool = open(SpoolOptions.file(dir));
        spool.append(records("m", 0, 10)).block(TIMEOUT);
        store.fail(true);

        List<SpooledBatch> taken = new ArrayList<>();
        StepVerifier.create(spool.batches(4, ANY_BYTES), 0)
                // reading works while writing fails: what is stored is still published
                .thenRequest(1)
                .assertNext(batch -> {
                    assertThat(batch.records()).containsExactlyElementsOf(records("m", 0, 4));
                    taken.add(batch);
                })
                // completes although the deletion cannot be written now: publishing goes on
                .then(() -> spool.acknowledge(taken.get(0)).block(TIMEOUT))
                .then(() -> assertThat(spool.statistics().failing()).isTrue())
                .thenRequest(1)
                // the acknowledged four are not handed out again although their deletion waits
                .assertNext(batch -> assertThat(batch.records()).containsExactlyElementsOf(records("m", 4, 8)))
                .then(() -> store.fail(false))
                .then(() -> await(() -> !spool.statistics().failing(), spool))
                .thenCancel()
                .verify(TIMEOUT);

        assertThat(spool.statistics().acknowledged()).isEqualTo(4);
        assertThat(spool.statistics().backlogRecords()).isEqualTo(6);
        spool.close();
        // and the deletion is on disk
        try (Spool reopened = Spool.open(SpoolOptions.file(dir))) {
            assertThat(reopened.batches(100, ANY_BYTES).blockFirst(TIMEOUT).records())
                    .containsExactlyElementsOf(records("m", 4, 10));
        }
    }

    @Test
    void closingWhileWritesFailSaysWhatIsLost() {
        Spool spool = open(SpoolOptions.file(dir));
        store.fail(true);
        CompletableFuture<Void> append = spool.append(records("m", 0, 3)).toFuture();
        await(() -> spool.statistics().heldRecords() == 3, spool);

        spool.close();

        assertThat(append).isCompletedExceptionally();
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("closing while writing fails").contains("3 held record(s) are lost"));
    }

    private static void await(BooleanSupplier condition, Spool spool) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + TIMEOUT + ": " + spool.statistics());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
