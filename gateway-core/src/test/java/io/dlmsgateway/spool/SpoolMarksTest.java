package io.dlmsgateway.spool;

import static io.dlmsgateway.spool.SpoolFixture.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.dlmsgateway.spool.internal.SqliteSpool;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Marks: small durable numbers written in the transaction of the records they describe. */
class SpoolMarksTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void marksSurviveAReopenAndTheLastValueWins() {
        try (Spool spool = Spool.open(SpoolOptions.file(dir))) {
            spool.append(records("m", 0, 3), Map.of("profile/m/1.0.99.1.0.255", 100L)).block(TIMEOUT);
            spool.append(List.of(), Map.of("profile/m/1.0.99.1.0.255", 200L, "profile/n/1.0.99.1.0.255", 7L,
                    "invocation-counter/m/1", 5000L)).block(TIMEOUT);
            assertThat(spool.mark("profile/m/1.0.99.1.0.255")).hasValue(200L);
        }
        try (Spool spool = Spool.open(SpoolOptions.file(dir))) {
            assertThat(spool.mark("profile/m/1.0.99.1.0.255")).hasValue(200L);
            assertThat(spool.mark("absent")).isEmpty();
            assertThat(spool.marks("profile/")).containsOnly(Map.entry("profile/m/1.0.99.1.0.255", 200L),
                    Map.entry("profile/n/1.0.99.1.0.255", 7L));
            assertThat(spool.marks("invocation-counter/")).containsOnly(Map.entry("invocation-counter/m/1", 5000L));
            assertThat(spool.statistics().backlogRecords()).isEqualTo(3);
        }
    }

    @Test
    void aMarkBecomesVisibleOnlyWithItsRecordsWhenTheStoreFailsFirst() throws Exception {
        AtomicInteger markWritesRefused = new AtomicInteger();
        Logger spoolLogger = (Logger) LoggerFactory.getLogger(Spool.class);
        spoolLogger.setLevel(Level.OFF); // the failure is provoked: its ERROR line would only be noise here
        try (Spool spool = SqliteSpool.open(SpoolOptions.file(dir), operation -> {
            // the marks are written after the records in the same transaction: failing there must undo the records
            if (operation.equals("mark") && markWritesRefused.getAndIncrement() < 3) {
                throw new SQLException("[SQLITE_IOERR] disk I/O error");
            }
        })) {
            CompletableFuture<Void> appended = spool.append(records("m", 0, 4), Map.of("m", 3L)).toFuture();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (markWritesRefused.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // refused twice, and the fourth attempt is the first to work: neither the mark nor the records are in
            assertThat(spool.mark("m")).isEmpty();
            assertThat(spool.statistics().backlogRecords()).isZero();
            assertThat(appended).isNotDone();
            assertThat(appended.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isNull();
            assertThat(markWritesRefused.get()).isGreaterThan(3);
            assertThat(spool.mark("m")).hasValue(3L);
            assertThat(spool.statistics().backlogRecords()).isEqualTo(4);
            assertThat(spool.statistics().dropped()).isZero();
        } finally {
            spoolLogger.setLevel(null);
        }
        try (Spool spool = Spool.open(SpoolOptions.file(dir))) {
            assertThat(spool.mark("m")).hasValue(3L);
            // the failed attempts left nothing behind: four records once, not once per attempt
            assertThat(spool.statistics().backlogRecords()).isEqualTo(4);
        }
    }

    @Test
    void refusesKeysThatAreEmptyOrHuge() {
        try (Spool spool = Spool.open(SpoolOptions.memory())) {
            assertThatThrownBy(() -> spool.append(List.of(), Map.of("", 1L)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> spool.append(List.of(), Map.of("k".repeat(1025), 1L)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
