package io.dlmsgateway.spool.internal;

import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolException;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.spool.SpoolStatistics;
import io.dlmsgateway.spool.SpooledBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The spool on SQLite, owned by one thread.
 *
 * <p>Callers only enqueue commands on a lock-free queue and unpark the spool thread, which is all an event loop
 * ever does here (no lock, so nothing for BlockHound to catch). The spool thread drains the queue in groups, applies
 * a group's appends and acknowledgements in one transaction and commits once (group commit: many small appends from
 * many meters cost one commit), then completes their Monos and hands out batches for the demand there is; with
 * nothing queued it parks until the next command. Everything below the queue is confined to that thread, so it needs
 * no locks; what other threads read is the published statistics snapshot.
 */
public final class SqliteSpool implements Spool {

    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final SpoolOptions options;
    private final String name;
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Queue<Command> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile boolean terminated;
    private volatile SpoolStatistics statistics;

    // confined to the spool thread from here on
    private SpoolDatabase database;
    private DropReporter drops;
    /** Sequence of every record handed out and not settled, to the batch that holds it. */
    private final NavigableMap<Long, LeasedBatch> inFlight = new TreeMap<>();
    private long nextSequence;
    private long backlogRecords;
    /** Sum of the backlog's record sizes, without the per-record overhead. */
    private long backlogSize;
    private long appended;
    private long acknowledged;
    private long dropped;
    private long redelivered;
    /** Every record below it is acknowledged, dropped or in flight: where the next batch read starts. */
    private long cursor;
    private long generation;
    private BatchSubscription subscription;
    private boolean closed;
    // the transaction of the group being applied: what to complete on commit and what to restore on failure
    private final List<Command> uncommitted = new ArrayList<>();
    private final List<Map.Entry<Long, LeasedBatch>> leasesEnded = new ArrayList<>();
    private long[] beforeTransaction;
    private long unreportedDrops;

    private SqliteSpool(SpoolOptions options) {
        this.options = options;
        this.name = options.directory().map(Path::toString).orElse("(memory)");
        this.thread = new Thread(this::run, "dlms-spool-" + THREADS.incrementAndGet());
        // committed records are safe whatever happens to the thread, so it need not hold the JVM up
        thread.setDaemon(true);
    }

    /** See {@link Spool#open}. */
    public static Spool open(SpoolOptions options) {
        Objects.requireNonNull(options, "options");
        SqliteSpool spool = new SqliteSpool(options);
        spool.thread.start();
        try {
            spool.started.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof SpoolException se ? se
                    : new SpoolException("cannot open spool " + spool.name + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spool.close();
            throw new SpoolException("interrupted while opening spool " + spool.name, e);
        }
        return spool;
    }

    /** The spool thread: opens the store, then applies commands as they come until closed. */
    private void run() {
        try {
            start();
        } catch (Throwable e) {
            terminated = true;
            started.completeExceptionally(e);
            return;
        }
        started.complete(null);
        List<Command> group = new ArrayList<>();
        while (!closed) {
            Command c;
            while ((c = commands.poll()) != null) {
                group.add(c);
            }
            if (!group.isEmpty()) {
                apply(group);
                group.clear();
            } else {
                drops.reportIfDue(System.nanoTime());
                // an unpark between the poll above and this park is not lost: it leaves a permit that makes the
                // park return at once
                long wait = drops.nanosUntilReport(System.nanoTime());
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                } else {
                    LockSupport.park(this);
                }
            }
        }
        terminated = true;
        failLeftovers();
    }

    private void start() throws IOException, SQLException {
        Path file = null;
        if (options.directory().isPresent()) {
            Files.createDirectories(options.directory().get());
            file = options.directory().get().resolve(SpoolDatabase.FILE_NAME);
        }
        try {
            database = SpoolDatabase.open(options, file);
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY")) {
                throw new SpoolException("spool " + name + " is in use by another spool or process", e);
            }
            throw e;
        }
        drops = new DropReporter(log, name, bound());
        SpoolDatabase.State state = database.state();
        nextSequence = state.nextSequence();
        backlogRecords = state.backlogRecords();
        backlogSize = state.backlogSize();
        // a bound lowered since the last run applies at once
        beginTransaction();
        enforceBound(0, 0);
        finishTransaction();
        publishStatistics();
        log.info("Spool {} opened: {} record(s), {} bytes waiting; bound {}", name, backlogRecords, backlogBytes(),
                bound());
    }

    private String bound() {
        return options.maxBytes() + " bytes"
                + (options.maxRecords() == Long.MAX_VALUE ? "" : ", " + options.maxRecords() + " records");
    }

    @Override
    public Mono<Void> append(List<SpoolRecord> records) {
        List<SpoolRecord> copy = List.copyOf(records);
        if (copy.isEmpty()) {
            return Mono.empty();
        }
        return Mono.create(sink -> submit(new Append(copy, sink)));
    }

    @Override
    public Flux<SpooledBatch> batches(int maxRecords, int maxBytes) {
        if (maxRecords <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("maxRecords and maxBytes must be positive: " + maxRecords + ", "
                    + maxBytes);
        }
        return Flux.create(sink -> {
            BatchSubscription s = new BatchSubscription(sink, maxRecords, maxBytes);
            submit(new Subscribe(s));
            // new demand may find records that are already there: let the spool thread look
            sink.onRequest(n -> submit(Wake.INSTANCE));
            sink.onDispose(() -> submit(new Unsubscribe(s)));
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    @Override
    public Mono<Void> acknowledge(SpooledBatch batch) {
        LeasedBatch lease = ownLease(batch);
        return Mono.create(sink -> submit(new Acknowledge(lease, sink)));
    }

    @Override
    public void release(SpooledBatch batch) {
        submit(new Release(ownLease(batch)));
    }

    private LeasedBatch ownLease(SpooledBatch batch) {
        if (batch instanceof LeasedBatch lease && lease.owner == this) {
            return lease;
        }
        throw new IllegalArgumentException("not a batch of this spool: " + batch);
    }

    @Override
    public SpoolStatistics statistics() {
        return statistics;
    }

    @Override
    public void close() {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<Void> closedFuture = new CompletableFuture<>();
        submit(new Close(closedFuture));
        if (Thread.currentThread() == thread) {
            return; // called back on the spool thread, which closes the store once it returns to its queue
        }
        try {
            closedFuture.get();
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpoolException("interrupted while closing spool " + name, e);
        } catch (ExecutionException e) {
            throw new SpoolException("closing spool " + name + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Thread-safe and lock-free: enqueue and wake the spool thread. */
    private void submit(Command command) {
        commands.offer(command);
        if (terminated) {
            // the spool thread is gone or going: nobody else will look at the queue
            failLeftovers();
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void failLeftovers() {
        Command c;
        while ((c = commands.poll()) != null) {
            c.fail(closedException());
        }
    }

    private void apply(List<Command> group) {
        for (Command command : group) {
            if (closed) {
                command.fail(closedException());
                continue;
            }
            // Java 17: no pattern switch yet
            if (command instanceof Append a) {
                write(a, () -> applyAppend(a.records()));
            } else if (command instanceof Acknowledge a) {
                write(a, () -> applyAcknowledge(a.lease()));
            } else if (command instanceof Release r) {
                applyRelease(r.lease());
            } else if (command instanceof Subscribe s) {
                applySubscribe(s.subscription());
            } else if (command instanceof Unsubscribe u) {
                if (subscription == u.subscription()) {
                    subscription = null;
                }
            } else if (command instanceof Close c) {
                finishTransaction();
                closeNow();
                c.closed().complete(null);
            }
            // Wake changes nothing: the emit below serves the new demand
        }
        finishTransaction();
        if (!closed) {
            emit();
        }
        publishStatistics();
    }

    // ---- writes, one transaction per group ----

    private interface Write {
        void run() throws SQLException;
    }

    private void write(Command command, Write write) {
        beginTransaction();
        try {
            write.run();
            uncommitted.add(command);
        } catch (SQLException | RuntimeException e) {
            uncommitted.add(command);
            abortTransaction(e);
        }
    }

    private void beginTransaction() {
        if (beforeTransaction == null) {
            beforeTransaction = new long[]{nextSequence, backlogRecords, backlogSize, appended, acknowledged,
                    dropped};
        }
    }

    private void finishTransaction() {
        if (beforeTransaction == null) {
            return;
        }
        try {
            database.saveState(nextSequence, backlogRecords, backlogSize);
            database.commit();
        } catch (SQLException | RuntimeException e) {
            abortTransaction(e);
            return;
        }
        beforeTransaction = null;
        leasesEnded.clear();
        drops.dropped(unreportedDrops, System.nanoTime());
        unreportedDrops = 0;
        // before completing: whoever continues on a completed Mono sees statistics that include it
        publishStatistics();
        for (Command c : uncommitted) {
            c.complete();
        }
        uncommitted.clear();
    }

    /** Rolls the store and the counters back to before the group's transaction and fails its commands. */
    private void abortTransaction(Throwable cause) {
        try {
            database.rollback();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
        long[] b = beforeTransaction;
        nextSequence = b[0];
        backlogRecords = b[1];
        backlogSize = b[2];
        appended = b[3];
        acknowledged = b[4];
        dropped = b[5];
        beforeTransaction = null;
        unreportedDrops = 0;
        for (Map.Entry<Long, LeasedBatch> e : leasesEnded) {
            // a lease ended by a new subscription meanwhile stays ended
            if (e.getValue().generation == generation) {
                inFlight.put(e.getKey(), e.getValue());
            }
        }
        leasesEnded.clear();
        log.error("Spool {}: write failed, {} operation(s) rolled back", name, uncommitted.size(), cause);
        SpoolException failure = new SpoolException("spool " + name + ": write failed: " + cause.getMessage(),
                cause);
        for (Command c : uncommitted) {
            c.fail(failure);
        }
        uncommitted.clear();
    }

    private void applyAppend(List<SpoolRecord> records) throws SQLException {
        int n = records.size();
        int[] sizes = new int[n];
        long incomingBytes = 0;
        for (int i = 0; i < n; i++) {
            sizes[i] = SpoolDatabase.sizeOf(records.get(i));
            incomingBytes += sizes[i] + SpoolOptions.RECORD_OVERHEAD_BYTES;
        }
        // what would not fit into an empty spool is dropped before it is written, oldest first like the rest
        int first = 0;
        while (first < n && (incomingBytes > options.maxBytes() || n - first > options.maxRecords())) {
            incomingBytes -= sizes[first] + SpoolOptions.RECORD_OVERHEAD_BYTES;
            first++;
        }
        appended += n;
        countDrops(first);
        enforceBound(incomingBytes, n - first);
        for (int i = first; i < n; i++) {
            database.insert(nextSequence++, records.get(i), sizes[i]);
            backlogSize += sizes[i];
        }
        database.flushInserts();
        backlogRecords += n - first;
    }

    /** Drops the oldest records until the backlog leaves room for what is about to come. */
    private void enforceBound(long incomingBytes, long incomingRecords) throws SQLException {
        long excessBytes = backlogBytes() + incomingBytes - options.maxBytes();
        long excessRecords = backlogRecords + incomingRecords - options.maxRecords();
        if (excessBytes <= 0 && excessRecords <= 0) {
            return;
        }
        SpoolDatabase.Eviction eviction = database.oldestCovering(excessBytes, excessRecords,
                SpoolOptions.RECORD_OVERHEAD_BYTES);
        if (eviction == null) {
            return;
        }
        database.deleteUpTo(eviction.lastSequence());
        backlogRecords -= eviction.records();
        backlogSize -= eviction.size();
        countDrops(eviction.records());
        // dropping wins over a lease: the batch's later acknowledgement finds nothing of these to remove
        NavigableMap<Long, LeasedBatch> evictedLeases = inFlight.headMap(eviction.lastSequence(), true);
        evictedLeases.forEach((sequence, lease) -> leasesEnded.add(Map.entry(sequence, lease)));
        evictedLeases.clear();
    }

    private void countDrops(long records) {
        dropped += records;
        unreportedDrops += records;
    }

    private void applyAcknowledge(LeasedBatch lease) throws SQLException {
        long runStart = -1;
        long runEnd = -1;
        for (int i = 0; i < lease.sequences.length; i++) {
            long sequence = lease.sequences[i];
            if (inFlight.get(sequence) != lease) {
                continue; // dropped meanwhile, or the lease ended
            }
            inFlight.remove(sequence);
            leasesEnded.add(Map.entry(sequence, lease));
            backlogRecords--;
            backlogSize -= lease.sizes[i];
            acknowledged++;
            // consecutive sequences have nothing else between them: delete them as one range
            if (runStart >= 0 && sequence == runEnd + 1) {
                runEnd = sequence;
            } else {
                if (runStart >= 0) {
                    database.deleteRange(runStart, runEnd);
                }
                runStart = sequence;
                runEnd = sequence;
            }
        }
        if (runStart >= 0) {
            database.deleteRange(runStart, runEnd);
        }
        database.flushDeletes();
    }

    private void applyRelease(LeasedBatch lease) {
        for (long sequence : lease.sequences) {
            if (inFlight.get(sequence) == lease) {
                inFlight.remove(sequence);
                cursor = Math.min(cursor, sequence);
                redelivered++;
            }
        }
    }

    private void applySubscribe(BatchSubscription s) {
        if (subscription != null && !subscription.sink().isCancelled()) {
            s.sink().error(new IllegalStateException("spool " + name + " already has a batches() subscriber"));
            return;
        }
        // whoever held the leases is gone: everything in flight goes back into the order
        redelivered += inFlight.size();
        inFlight.clear();
        generation++;
        cursor = 0;
        subscription = s;
    }

    /** Hands out batches while the subscriber wants them and records wait. */
    private void emit() {
        BatchSubscription s = subscription;
        if (s == null) {
            return;
        }
        while (cursor < nextSequence && !s.sink().isCancelled() && s.sink().requestedFromDownstream() > 0) {
            SpoolDatabase.BatchRead read;
            try {
                read = database.readBatch(this, generation, cursor, s.maxRecords(), s.maxBytes(),
                        inFlight::containsKey, nextSequence);
            } catch (SQLException | RuntimeException e) {
                subscription = null;
                log.error("Spool {}: reading a batch failed", name, e);
                s.sink().error(new SpoolException("spool " + name + ": read failed: " + e.getMessage(), e));
                return;
            }
            cursor = read.resumeAt();
            LeasedBatch batch = read.batch();
            if (batch != null) {
                for (long sequence : batch.sequences) {
                    inFlight.put(sequence, batch);
                }
                publishStatistics();
                s.sink().next(batch);
            }
        }
    }

    private void closeNow() {
        closed = true;
        drops.flush();
        if (subscription != null) {
            subscription.sink().complete();
            subscription = null;
        }
        try {
            database.close();
        } catch (SQLException e) {
            log.warn("Spool {}: closing the database failed", name, e);
        }
        log.info("Spool {} closed: {} record(s) waiting", name, backlogRecords);
    }

    private long backlogBytes() {
        return backlogSize + backlogRecords * SpoolOptions.RECORD_OVERHEAD_BYTES;
    }

    private void publishStatistics() {
        statistics = new SpoolStatistics(backlogRecords, backlogBytes(), inFlight.size(), appended, acknowledged,
                dropped, redelivered);
    }

    private SpoolException closedException() {
        return new SpoolException("spool " + name + " is closed");
    }

    @Override
    public String toString() {
        return "Spool[" + name + "]";
    }

    // ---- commands ----

    private record BatchSubscription(FluxSink<SpooledBatch> sink, int maxRecords, long maxBytes) {
    }

    private sealed interface Command {
        default void complete() {
        }

        default void fail(Throwable error) {
        }
    }

    /** A command whose caller waits on a sink for its outcome. */
    private sealed interface Answered extends Command {
        MonoSink<Void> sink();

        @Override
        default void complete() {
            sink().success();
        }

        @Override
        default void fail(Throwable error) {
            sink().error(error);
        }
    }

    private record Append(List<SpoolRecord> records, MonoSink<Void> sink) implements Answered {
    }

    private record Acknowledge(LeasedBatch lease, MonoSink<Void> sink) implements Answered {
    }

    private record Release(LeasedBatch lease) implements Command {
    }

    private record Subscribe(BatchSubscription subscription) implements Command {
        @Override
        public void fail(Throwable error) {
            subscription.sink().error(error);
        }
    }

    private record Unsubscribe(BatchSubscription subscription) implements Command {
    }

    private enum Wake implements Command {
        INSTANCE
    }

    private record Close(CompletableFuture<Void> closed) implements Command {
        @Override
        public void fail(Throwable error) {
            closed.complete(null);
        }
    }
}
