package io.dlmsgateway.spool;

import static io.dlmsgateway.spool.SpoolFixture.record;
import static io.dlmsgateway.spool.SpoolFixture.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The spool on a really small file system (a tmpfs or loop mount of a few MiB that {@code .ci/run} makes when it runs
 * as root and names in {@code DLMS_TEST_SMALL_FS}): the free-space margin stops it growing before the disk is full,
 * and a disk that is full all the same (filled by someone else) is ridden out and recovered from. Without such a
 * mount these tests skip and say why; {@link SpoolFailingStoreTest} covers the same behaviour everywhere.
 */
class SpoolOnASmallFileSystemTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Path dir;
    private final Logger spoolLogger = (Logger) LoggerFactory.getLogger(Spool.class);

    @BeforeEach
    void smallFileSystem() throws IOException {
        String smallFs = System.getenv("DLMS_TEST_SMALL_FS");
        assumeTrue(smallFs != null && !smallFs.isBlank(), "no small file system given: set DLMS_TEST_SMALL_FS to"
                + " an empty directory on a tmpfs or loop mount of 8-64 MiB (.ci/run mounts one when it runs as root)");
        dir = Files.createTempDirectory(Path.of(smallFs), "spool-test");
        // the drops and the failure this provokes are the point; their WARN and ERROR lines stay out of the build log
        spoolLogger.setAdditive(false);
    }

    @AfterEach
    void cleanUp() throws IOException {
        spoolLogger.setAdditive(true);
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void theBacklogStopsGrowingAtTheFreeSpaceMarginWithoutAWriteEverFailing() throws IOException {
        long total = Files.getFileStore(dir).getTotalSpace();
        long margin = total / 2;
        try (Spool spool = Spool.open(SpoolOptions.file(dir).withMaxBytes(1L << 40).withMinFreeBytes(margin))) {
            // twice the file system's size in records: without the margin the disk fills up
            int count = (int) (2 * total / SpoolFixture.storedSize());
            for (int i = 0; i < count; i += 100) {
                spool.append(records("m", i, i + 100)).block(TIMEOUT);
                assertThat(spool.statistics().failure()).as("after %d records", i + 100).isEmpty();
            }

            SpoolStatistics s = spool.statistics();
            assertThat(s.droppedForDiskSpace()).isPositive();
            assertThat(s.droppedForBound()).isZero();
            assertThat(s.backlogRecords() + s.droppedForDiskSpace()).isEqualTo(s.appended());
            // the newest records are the ones kept, in order
            List<SpoolRecord> first = spool.batches(10, 1 << 20).blockFirst(TIMEOUT).records();
            int oldestKept = (int) (s.appended() - s.backlogRecords());
            assertThat(first).containsExactlyElementsOf(records("m", oldestKept, oldestKept + 10));
        }
        // a little under the margin at most: the write-ahead log and the file's page slack are not counted exactly
        assertThat(Files.getFileStore(dir).getUsableSpace()).isGreaterThan(margin / 2);
    }

    @Test
    void aDiskFilledBySomeoneElseIsRiddenOutAndTheSpoolRecoversWhenSpaceReturns() throws Exception {
        // no margin: the spool writes until the disk is full, which the filler makes it, as a log file gone wild would
        try (Spool spool = Spool.open(SpoolOptions.file(dir).withMinFreeBytes(0))) {
            spool.append(records("m", 0, 100)).block(TIMEOUT);
            List<SpooledBatch> delivered = new ArrayList<>();
            spool.batches(50, 1 << 20).take(1).doOnNext(delivered::add).blockLast(TIMEOUT);
            Path filler = fill(dir.resolve("filler"));

            List<CompletableFuture<Void>> appends = new ArrayList<>();
            for (int i = 100; i < 200; i++) {
                appends.add(spool.append(List.of(record("m", i))).toFuture());
                if (i == 150) {
                    // acknowledged while the disk is full: its deletion must wait as well
                    spool.acknowledge(delivered.get(0)).block(TIMEOUT);
                }
            }
            awaitTrue(() -> spool.statistics().failing() && spool.statistics().heldRecords() > 0, spool);
            assertThat(spool.statistics().failure()).get().asString().containsAnyOf("SQLITE_FULL", "full");

            Files.delete(filler);
            CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(),
                    TimeUnit.SECONDS);
            awaitTrue(() -> !spool.statistics().failing(), spool);

            SpoolStatistics s = spool.statistics();
            assertThat(s.dropped()).isZero();
            assertThat(s.acknowledged()).isEqualTo(50);
            assertThat(s.backlogRecords()).isEqualTo(150);
        }
        try (Spool reopened = Spool.open(SpoolOptions.file(dir))) {
            assertThat(reopened.batches(1000, 1 << 20).blockFirst(TIMEOUT).records())
                    .containsExactlyElementsOf(records("m", 50, 200));
        }
    }

    /** Writes zeros until the file system refuses: then it is full. */
    private static Path fill(Path file) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                zeros.clear();
                channel.write(zeros);
            }
        } catch (IOException full) {
            return file;
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Spool spool) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT + ": " + spool.statistics());
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
