package io.dlmsgateway.bench;

import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolDurability;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.spool.SpooledBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Spool throughput, in records per second: one operation appends a batch of {@code batch} records of
 * {@code payloadBytes}, waits until it is durable, takes the next batch from {@link Spool#batches} and acknowledges
 * it, waiting again. This is the steady state of a gateway whose broker keeps up: every record is written, read and
 * deleted once, each step committed on its own (no group commit helps, as nothing else is queued). The spool lives
 * in a temporary directory on the default file system; {@code durability = FSYNC} measures that disk's flush.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SpoolBenchmark {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int BATCH = 100;

    @Param({"CRASH"})
    public SpoolDurability durability;

    @Param({"300"})
    public int payloadBytes;

    @Param({"0"})
    public int backlog;

    private Path directory;
    private Spool spool;
    private List<SpoolRecord> records;
    private BatchTaker batches;

    @Setup(Level.Trial)
    public void open() throws IOException, InterruptedException {
        directory = Files.createTempDirectory("spool-bench");
        spool = Spool.open(SpoolOptions.file(directory).withDurability(durability).withMaxBytes(4L << 30));
        records = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            byte[] payload = new byte[payloadBytes];
            Arrays.fill(payload, (byte) i);
            records.add(new SpoolRecord("Meter-" + i, System.currentTimeMillis(), payload));
        }
        // a backlog that stays behind the measured records, like a spool after an outage
        for (int i = 0; i < backlog; i += BATCH) {
            spool.append(records).block(TIMEOUT);
        }
        batches = new BatchTaker();
        spool.batches(BATCH, Integer.MAX_VALUE).subscribe(batches);
        // the backlog is handed out first: take it and keep it in flight, so the operations see only their own
        for (int i = 0; i < backlog; i += BATCH) {
            batches.take();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        batches.dispose();
        spool.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public SpooledBatch appendThenAcknowledge() throws InterruptedException {
        spool.append(records).block(TIMEOUT);
        SpooledBatch batch = batches.take();
        spool.acknowledge(batch).block(TIMEOUT);
        return batch;
    }

    /**
     * The same 100 records as the gateway now hands them over: one append per reading, as it arrives, none waiting
     * for another (the spool's thread commits whatever is queued together), then the batch and its acknowledgement.
     * Against {@link #appendThenAcknowledge} (one append of 100, as when readings waited for the pack delay first)
     * this is what writing each reading at once costs.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public SpooledBatch appendEachThenAcknowledge() throws InterruptedException {
        reactor.core.publisher.Mono<Void> last = null;
        for (SpoolRecord record : records) {
            last = spool.append(List.of(record)).cache();
            last.subscribe();
        }
        last.block(TIMEOUT);
        SpooledBatch batch = batches.take();
        spool.acknowledge(batch).block(TIMEOUT);
        return batch;
    }

    /** Requests one batch at a time and hands it over to the benchmark thread. */
    private static final class BatchTaker extends BaseSubscriber<SpooledBatch> {

        private final BlockingQueue<SpooledBatch> taken = new LinkedBlockingQueue<>();

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            // demand is asked for in take()
        }

        @Override
        protected void hookOnNext(SpooledBatch batch) {
            taken.add(batch);
        }

        SpooledBatch take() throws InterruptedException {
            request(1);
            SpooledBatch batch = taken.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (batch == null) {
                throw new IllegalStateException("no batch from the spool within " + TIMEOUT);
            }
            return batch;
        }
    }
}
