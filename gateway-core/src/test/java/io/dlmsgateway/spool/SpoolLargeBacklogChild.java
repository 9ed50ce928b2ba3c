package io.dlmsgateway.spool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run by {@link SpoolCrashTest} in a JVM with a heap smaller than the backlog: appends {@code megabytes} of records,
 * reopens the spool and drains it, printing the number of records read back. Arguments: directory, megabytes.
 */
public final class SpoolLargeBacklogChild {

    private SpoolLargeBacklogChild() {
    }

    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        long records = Long.parseLong(args[1]) * (1 << 20) / SpoolFixture.PAYLOAD_SIZE;
        Duration timeout = Duration.ofSeconds(60);
        try (Spool spool = Spool.open(SpoolOptions.file(directory).withMaxBytes(1L << 30))) {
            for (int i = 0; i < records; i += 1000) {
                spool.append(SpoolFixture.records("m", i, (int) Math.min(records, i + 1000))).block(timeout);
            }
        }
        AtomicLong read = new AtomicLong();
        try (Spool spool = Spool.open(SpoolOptions.file(directory).withMaxBytes(1L << 30))) {
            spool.batches(1000, 1 << 20)
                    .concatMap(b -> spool.acknowledge(b).thenReturn(b))
                    .takeUntil(b -> spool.statistics().backlogRecords() == 0)
                    .doOnNext(b -> {
                        if (!b.records().get(0).equals(SpoolFixture.record("m", (int) read.get()))) {
                            throw new IllegalStateException("out of order at " + read.get());
                        }
                        read.addAndGet(b.size());
                    })
                    .blockLast(timeout);
        }
        System.out.println("read " + read.get() + " of " + records);
    }
}
