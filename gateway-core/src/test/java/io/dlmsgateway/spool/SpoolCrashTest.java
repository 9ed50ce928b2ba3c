package io.dlmsgateway.spool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Spools in a process of their own: what survives a {@code kill -9}, and a backlog bigger than the heap. */
class SpoolCrashTest {

    private static final int RECORDS = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SpoolDurability.class)
    void everyCompletedAppendSurvivesAKill(SpoolDurability durability) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpoolCrashChild.class.getName(),
                dir.toString(), String.valueOf(RECORDS), "50", durability.name())
                .redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.equals("appended")) {
                output.add(line);
            }
            assertThat(line).as("child output: %s", output).isEqualTo("appended");
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }

        try (Spool spool = Spool.open(SpoolOptions.file(dir))) {
            List<SpoolRecord> survived = new ArrayList<>();
            spool.batches(500, 1 << 20)
                    .concatMap(b -> spool.acknowledge(b).thenReturn(b))
                    .takeUntil(b -> spool.statistics().backlogRecords() == 0)
                    .flatMapIterable(SpooledBatch::records)
                    .doOnNext(survived::add)
                    .blockLast(Duration.ofSeconds(30));

            // every acknowledged append, in order; the appends still under way at the kill may or may not be there
            assertThat(survived.subList(0, RECORDS)).containsExactlyElementsOf(SpoolFixture.records("m", 0, RECORDS));
            List<SpoolRecord> late = survived.subList(RECORDS, survived.size());
            assertThat(late).allSatisfy(r -> assertThat(r.key()).isEqualTo("late"));
            // a mark is written in the transaction of its records: it names exactly the last record that survived
            if (late.isEmpty()) {
                assertThat(spool.mark("late")).isEmpty();
            } else {
                assertThat(spool.mark("late")).hasValue(late.get(late.size() - 1).timestamp() - 1_700_000_000_000L);
            }
            // and the sequence goes on after the highest one that survived
            spool.append(List.of(SpoolFixture.record("after", 0))).block(Duration.ofSeconds(10));
            assertThat(spool.batches(10, 1 << 20).blockFirst(Duration.ofSeconds(10)).records())
                    .containsExactly(SpoolFixture.record("after", 0));
        }
    }

    @Test
    void aBacklogBiggerThanTheHeapNeedsNoHeap() throws Exception {
        // 48 MB of records through a 24 MB heap: only a spool that keeps its backlog on disk gets them all back
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx24m", "-cp", System.getProperty("java.class.path"), SpoolLargeBacklogChild.class.getName(),
                dir.toString(), "48")
                .redirectErrorStream(true).start();
        String output;
        try {
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        long records = 48L * (1 << 20) / SpoolFixture.PAYLOAD_SIZE;
        assertThat(output).contains("read " + records + " of " + records);
        assertThat(child.exitValue()).as(output).isZero();
    }
}
