package io.dlmsgateway.spool.internal;

import io.dlmsgateway.spool.CorruptSpoolAction;
import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolException;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.spool.SpoolStatistics;
import io.dlmsgateway.spool.SpooledBatch;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * The spool on SQLite, owned by one thread.
 *
 * <p>Callers only enqueue commands on a lock-free queue and unpark the spool thread, which is all an event loop
 * ever does here (no lock, so nothing for BlockHound to catch). The spool thread drains the queue in groups, applies
 * a group's appends and acknowledgements in one transaction and commits once (group commit: many small appends from
 * many meters cost one commit), then completes their Monos and hands out batches for the demand there is; with
 * nothing queued it parks until the next command or the next deadline (a batch's linger, a retry, a drop report).
 * Appends that come within {@link SpoolOptions#commitInterval()} of the last commit gather for the next one, which
 * comes when the interval is up: at the gateway's rate, a commit per reading or two is what the spool thread would
 * otherwise spend most of its time on (and every append would wake it). Appends gathering do not wake the thread;
 * any other command does. Everything below the queue is confined to that thread, so it needs no locks; what other
 * threads read is the published statistics snapshot.
 *
 * <p>A failed write (disk full, I/O error) rolls its transaction back and puts the spool into the failing state:
 * the group's appends are held in memory (bounded, oldest dropped), its acknowledgements wait as pending deletions
 * (their records are not handed out again), and a retry writes both, deletions first, after a pause that grows from
 * 200 ms to 5 s. The first successful retry ends the failing state.
 */
public final class SqliteSpool implements Spool {

    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A store that keeps failing is reported again at most this often (the first failure at once, at ERROR). */
    private static final long STILL_FAILING_REPORT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Mark keys name a device and a profile or client: far below this. */
    private static final int MAX_MARK_KEY_LENGTH = 1024;
    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    /** The room on disk is asked again at least this often (a statvfs and a PRAGMA each time). */
    private static final long ROOM_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Between two asks the room left is what was asked less twice what was appended since (the write-ahead log
     * holds a page until a checkpoint copies it), and it is trusted only while that stays this far above the
     * margin: more than the write-ahead log can grow (SQLite cuts it back to 8 MiB). Closer to the margin every
     * transaction asks, as all did before.
     */
    private static final long ROOM_SLACK_BYTES = 16L << 20;

    /** The spool thread is applying commands; a caller need not wake it. */
    private static final int WORKING = 0;
    /** The spool thread parks until the next command or deadline: any command wakes it. */
    private static final int IDLE = 1;
    /** The spool thread parks until the commit interval is up: appends wait for that, any other command wakes it. */
    private static final int GATHERING = 2;

    /** Why records are dropped; indexes {@link #drops} and the per-transaction counts. */
    private enum DropReason { BOUND, DISK_SPACE, FAILING }

    private final SpoolOptions options;
    private final StoreFaults faults;
    private final String name;
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Queue<Command> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile boolean terminated;
    /**
     * What the spool thread is doing, set by it just before it parks and after it wakes: a caller unparks it only
     * when this says so. An unpark is a futex call on the caller's thread (an event loop), paid by every append
     * otherwise.
     */
    private volatile int state;
    private volatile SpoolStatistics statistics;
    /** Every mark as committed: written by the spool thread after each commit, read from any thread. */
    private final ConcurrentSkipListMap<String, Long> marks = new ConcurrentSkipListMap<>();

    // confined to the spool thread from here on
    private SpoolDatabase database;
    private FileStore fileStore;
    private final DropReporter[] drops = new DropReporter[DropReason.values().length];
    /** Sequence of every record handed out and not settled, to the batch that holds it. */
    private final NavigableMap<Long, LeasedBatch> inFlight = new TreeMap<>();
    private long nextSequence;
    private long backlogRecords;
    /** Sum of the backlog's record sizes, without the per-record overhead. */
    private long backlogSize;
    private long appended;
    private long acknowledged;
    private final long[] dropped = new long[DropReason.values().length];
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
    private final long[] unreportedDrops = new long[DropReason.values().length];
    /** What the file system gave the backlog when last asked (see {@link #roomOnDisk}); negative to ask again. */
    private long roomWhenAsked = -1;
    private long roomAskedAtNanos;
    /** Bytes appended since the room was last asked for. */
    private long appendedSinceRoomAsked;
    /** Set by a transaction that deletes every pending deletion: they are forgotten once it commits. */
    private boolean pendingDeletesWritten;
    /** Pending deletions at or below it were dropped by this transaction: forgotten once it commits. */
    private long pendingDeletesEvictedUpTo = -1;

    // linger: when records were stored, so that a batch can wait for more
    /** Per committed group that stored records: {first sequence, System.nanoTime() of the commit}. Ascending. */
    private final Deque<long[]> arrivals = new ArrayDeque<>();
    /** Records below this sequence have waited long enough (or came from before the open, or were released). */
    private long ripeBelow;
    private long transactionFirstSequence;
    /** System.nanoTime() when the last commit ended: appends within the commit interval after it gather. */
    private long lastCommitNanos;

    // the failing state: null failure while the store works
    private String failure;
    private long failingSinceNanos;
    private long retryAtNanos;
    private long retryDelayNanos;
    private long lastFailureReportNanos;
    /** Appends not written yet, oldest first, while the store fails. */
    private final Deque<Append> held = new ArrayDeque<>();
    private long heldBytes;
    private long heldRecords;
    /** Acknowledged records whose deletion waits for the store: first sequence to {last sequence, size}. */
    private final TreeMap<Long, long[]> pendingDeletes = new TreeMap<>();
    private long pendingDeleteRecords;
    private long pendingDeleteSize;

    private SqliteSpool(SpoolOptions options, StoreFaults faults) {
        this.options = options;
        this.faults = faults;
        this.name = options.directory().map(Path::toString).orElse("(memory)");
        this.thread = new Thread(this::run, "dlms-spool-" + THREADS.incrementAndGet());
        // committed records are safe whatever happens to the thread, so it need not hold the JVM up
        thread.setDaemon(true);
    }

    /** See {@link Spool#open}. */
    public static Spool open(SpoolOptions options) {
        return open(options, StoreFaults.NONE);
    }

    /** {@link Spool#open} with a store whose writes fail when {@code faults} says so: for tests. */
    public static Spool open(SpoolOptions options, StoreFaults faults) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(faults, "faults");
        SqliteSpool spool = new SqliteSpool(options, faults);
        spool.thread.start();
        try {
            spool.started.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof SpoolException se ? se
                    : new SpoolException("cannot open spool " + spool.name + ": " + describe(cause), cause);
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
        long commitIntervalNanos = options.commitInterval().toNanos();
        lastCommitNanos = System.nanoTime() - commitIntervalNanos;
        boolean onlyAppends = true;
        while (!closed) {
            onlyAppends &= takeQueued(group);
            long now = System.nanoTime();
            long gather = lastCommitNanos + commitIntervalNanos - now;
            if (!group.isEmpty() && onlyAppends && failure == null && gather > 0) {
                state = GATHERING;
                // a command offered before it saw GATHERING is taken here; one offered after it unparks if it must
                onlyAppends &= takeQueued(group);
                if (onlyAppends) {
                    LockSupport.parkNanos(this, gather);
                }
                state = WORKING;
                continue;
            }
            if (!group.isEmpty() || retryDue(now) || lingerDue(now)) {
                apply(group);
                group.clear();
                onlyAppends = true;
                continue;
            }
            for (DropReporter reporter : drops) {
                reporter.reportIfDue(now);
            }
            long wait = nanosUntilSomethingIsDue(now);
            // a caller that offered its command before seeing the flag set finds it set only after it offered:
            // then the check below sees the command; one that sees the flag unparks, and an unpark between the
            // check and the park leaves a permit that makes the park return at once
            state = IDLE;
            if (commands.isEmpty()) {
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                } else {
                    LockSupport.park(this);
                }
            }
            state = WORKING;
        }
        terminated = true;
        failLeftovers();
    }

    /** Moves the queued commands to {@code group}; whether they were all appends. */
    private boolean takeQueued(List<Command> group) {
        boolean onlyAppends = true;
        Command c;
        while ((c = commands.poll()) != null) {
            group.add(c);
            onlyAppends &= c instanceof Append;
        }
        return onlyAppends;
    }

    private boolean retryDue(long now) {
        return failure != null && now - retryAtNanos >= 0;
    }

    /** Whether the oldest unripe records ripened while a subscriber waits for them. */
    private boolean lingerDue(long now) {
        long[] oldest = arrivals.peekFirst();
        return oldest != null && subscription != null && subscription.sink().requestedFromDownstream() > 0
                && now - oldest[1] >= subscription.lingerNanos();
    }

    /** How long the spool thread may park; 0 for until the next command. */
    private long nanosUntilSomethingIsDue(long now) {
        long wait = Long.MAX_VALUE;
        for (DropReporter reporter : drops) {
            long w = reporter.nanosUntilReport(now);
            if (w > 0) {
                wait = Math.min(wait, w);
            }
        }
        if (failure != null) {
            wait = Math.min(wait, Math.max(1, retryAtNanos - now));
        }
        long[] oldest = arrivals.peekFirst();
        if (oldest != null && subscription != null && subscription.sink().requestedFromDownstream() > 0) {
            wait = Math.min(wait, Math.max(1, oldest[1] + subscription.lingerNanos() - now));
        }
        return wait == Long.MAX_VALUE ? 0 : wait;
    }

    private void start() throws IOException, SQLException {
        Path file = null;
        if (options.directory().isPresent()) {
            Path directory = options.directory().get();
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new SpoolException("cannot open spool " + name + ": cannot create the directory: "
                        + describe(e), e);
            }
            fileStore = Files.getFileStore(directory);
            String unwritable = whyNotWritable(directory, fileStore);
            if (unwritable != null) {
                throw new SpoolException("cannot open spool " + name + ": the directory cannot be written: "
                        + unwritable);
            }
            file = directory.resolve(SpoolDatabase.FILE_NAME);
        }
        for (DropReason reason : DropReason.values()) {
            drops[reason.ordinal()] = new DropReporter(log, name, situation(reason));
        }
        database = openDatabase(file);
        marks.putAll(database.marks());
        SpoolDatabase.State state = database.state();
        nextSequence = state.nextSequence();
        backlogRecords = state.backlogRecords();
        backlogSize = state.backlogSize();
        // what was stored before this open waited long enough already
        ripeBelow = nextSequence;
        // a bound lowered since the last run applies at once; a store that cannot write now (a full disk) is
        // retried like any failing write, and the next append enforces the bound again
        if (backlogBytes() > options.maxBytes() || backlogRecords > options.maxRecords()) {
            beginTransaction();
            try {
                enforceBound(0, 0, 0);
            } catch (SQLException | RuntimeException e) {
                abortTransaction(e);
            }
            finishTransaction();
        }
        publishStatistics();
        log.info("Spool {} opened: {} record(s), {} bytes waiting; bound {}", name, backlogRecords, backlogBytes(),
                bound());
    }

    /**
     * Opens the database; a file that is not one (or is damaged beyond SQLite's reading) is moved aside and a fresh
     * one started, or refused, as the options say.
     */
    private SpoolDatabase openDatabase(Path file) throws SQLException {
        SpoolDatabase opened = null;
        try {
            opened = SpoolDatabase.open(options, file, faults);
            // the state row and the end of the table: a damaged file often opens and fails only here
            opened.state();
            return opened;
        } catch (SQLException e) {
            closeQuietly(opened);
            if (e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY")) {
                throw new SpoolException("spool " + name + " is in use by another spool or process", e);
            }
            if (file == null || !isCorrupt(e)) {
                throw new SpoolException("cannot open spool " + name + ": " + describe(e), e);
            }
            if (options.onCorrupt() == CorruptSpoolAction.REFUSE) {
                throw new SpoolException("cannot open spool " + name + ": " + file.getFileName()
                        + " is not a usable database (" + e.getMessage() + "); move it aside or delete it, or let"
                        + " the gateway do so (onCorrupt: move-aside)", e);
            }
            Path aside = moveAside(file);
            log.error("Spool {}: {} is not a usable database ({}); moved aside to {} and starting a fresh spool: the"
                    + " readings it held are not delivered", name, file.getFileName(), e.getMessage(), aside);
            return SpoolDatabase.open(options, file, faults);
        }
    }

    private static boolean isCorrupt(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == SQLiteErrorCode.SQLITE_NOTADB.code || primary == SQLiteErrorCode.SQLITE_CORRUPT.code;
    }

    /** Renames the database and its write-ahead log to {@code <name>.corrupt-<UTC time>}. */
    private static Path moveAside(Path file) {
        String suffix = ".corrupt-" + ZonedDateTime.now(ZoneOffset.UTC).format(ASIDE_STAMP);
        Path aside = file.resolveSibling(file.getFileName() + suffix);
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            for (String companion : new String[]{"-wal", "-shm", "-journal"}) {
                Path other = file.resolveSibling(file.getFileName() + companion);
                if (Files.exists(other)) {
                    Files.move(other, aside.resolveSibling(aside.getFileName() + companion),
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new SpoolException("cannot move the corrupt spool " + file + " aside: " + describe(e), e);
        }
        return aside;
    }

    /** Why the spool could not write its directory, in the words a person acts on; null when it can. */
    private static String whyNotWritable(Path directory, FileStore store) {
        if (store.isReadOnly()) {
            return "read-only file system";
        }
        if (!Files.isDirectory(directory)) {
            return "not a directory";
        }
        if (!Files.isWritable(directory)) {
            return "permission denied";
        }
        return null;
    }

    /**
     * An exception as one line that says why: the JDK's file exceptions carry the reason apart from the path
     * ({@code AccessDeniedException: /x} alone says nothing), SQLite's carry it in the message.
     */
    static String describe(Throwable e) {
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
            return f.getFile() + ": " + reason;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void closeQuietly(SpoolDatabase database) {
        if (database != null) {
            try {
                database.close();
            } catch (SQLException ignored) {
                // already failing: the first error is the one reported
            }
        }
    }

    private String bound() {
        return options.maxBytes() + " bytes"
                + (options.maxRecords() == Long.MAX_VALUE ? "" : ", " + options.maxRecords() + " records");
    }

    private String situation(DropReason reason) {
        return switch (reason) {
            case BOUND -> "is full (" + bound() + ")";
            case DISK_SPACE -> "has less than " + options.minFreeBytes() + " bytes free on its file system";
            case FAILING -> "cannot write its store and holds at most " + options.maxHeldBytes()
                    + " bytes in memory";
        };
    }

    @Override
    public Mono<Void> append(List<SpoolRecord> records) {
        return append(records, Map.of());
    }

    @Override
    public Mono<Void> append(List<SpoolRecord> records, Map<String, Long> marks) {
        List<SpoolRecord> copy = List.copyOf(records);
        Map<String, Long> marksCopy = Map.copyOf(marks);
        for (String key : marksCopy.keySet()) {
            if (key.isEmpty() || key.length() > MAX_MARK_KEY_LENGTH) {
                throw new IllegalArgumentException("a mark key has 1.." + MAX_MARK_KEY_LENGTH + " characters: "
                        + key.length());
            }
        }
        if (copy.isEmpty() && marksCopy.isEmpty()) {
            return Mono.empty();
        }
        return Mono.create(sink -> submit(new Append(copy, marksCopy, sink)));
    }

    @Override
    public OptionalLong mark(String key) {
        Long value = marks.get(key);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    @Override
    public Map<String, Long> marks(String keyPrefix) {
        return Map.copyOf(marks.subMap(keyPrefix, true, keyPrefix + Character.MAX_VALUE, false));
    }

    @Override
    public Flux<SpooledBatch> batches(int maxRecords, int maxBytes) {
        return batches(maxRecords, maxBytes, Duration.ZERO);
    }

    @Override
    public Flux<SpooledBatch> batches(int maxRecords, int maxBytes, Duration linger) {
        if (maxRecords <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("maxRecords and maxBytes must be positive: " + maxRecords + ", "
                    + maxBytes);
        }
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative: " + linger);
        }
        long lingerNanos = linger.toNanos();
        return Flux.create(sink -> {
            BatchSubscription s = new BatchSubscription(sink, maxRecords, maxBytes, lingerNanos);
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
            int s = state;
            if (s == IDLE || (s == GATHERING && !(command instanceof Append))) {
                LockSupport.unpark(thread);
            }
        }
    }

    private void failLeftovers() {
        Command c;
        while ((c = commands.poll()) != null) {
            c.fail(closedException());
        }
    }

    private void apply(List<Command> group) {
        if (retryDue(System.nanoTime())) {
            retry();
        }
        for (Command command : group) {
            if (closed) {
                command.fail(closedException());
                continue;
            }
            // Java 17: no pattern switch yet
            if (command instanceof Append a) {
                if (failure != null) {
                    hold(a); // after what is held already: the order stays
                } else {
                    write(a, () -> applyAppend(a));
                }
            } else if (command instanceof Acknowledge a) {
                if (failure != null) {
                    deleteLater(a.lease());
                    a.complete();
                } else {
                    write(a, () -> applyAcknowledge(a.lease()));
                }
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
                    dropped[0], dropped[1], dropped[2]};
            transactionFirstSequence = nextSequence;
        }
    }

    /** Commits the transaction, if one is open; false when that failed (the spool is failing then). */
    private boolean finishTransaction() {
        if (beforeTransaction == null) {
            return true;
        }
        try {
            database.saveState(nextSequence, backlogRecords, backlogSize);
            database.commit();
        } catch (SQLException | RuntimeException e) {
            abortTransaction(e);
            return false;
        }
        lastCommitNanos = System.nanoTime();
        if (nextSequence > transactionFirstSequence) {
            arrivals.addLast(new long[]{transactionFirstSequence, lastCommitNanos});
        }
        if (pendingDeletesWritten) {
            pendingDeletes.clear();
            pendingDeleteRecords = 0;
            pendingDeleteSize = 0;
        } else if (pendingDeletesEvictedUpTo >= 0) {
            forgetPendingDeletesUpTo(pendingDeletesEvictedUpTo);
        }
        endTransaction();
        long now = lastCommitNanos;
        for (DropReason reason : DropReason.values()) {
            drops[reason.ordinal()].dropped(unreportedDrops[reason.ordinal()], now);
            unreportedDrops[reason.ordinal()] = 0;
        }
        // before completing: whoever continues on a completed Mono sees statistics that include it
        publishStatistics();
        for (Command c : uncommitted) {
            if (c instanceof Append a) {
                marks.putAll(a.marks());
            }
            c.complete();
        }
        uncommitted.clear();
        return true;
    }

    private void endTransaction() {
        beforeTransaction = null;
        leasesEnded.clear();
        pendingDeletesWritten = false;
        pendingDeletesEvictedUpTo = -1;
    }

    /**
     * Rolls the store and the counters back to before the group's transaction; its appends are held for the retry
     * and its acknowledgements become pending deletions, since the store is failing.
     */
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
        dropped[0] = b[5];
        dropped[1] = b[6];
        dropped[2] = b[7];
        java.util.Arrays.fill(unreportedDrops, 0);
        for (Map.Entry<Long, LeasedBatch> e : leasesEnded) {
            // a lease ended by a new subscription meanwhile stays ended
            if (e.getValue().generation == generation) {
                inFlight.put(e.getKey(), e.getValue());
            }
        }
        endTransaction();
        failing(cause);
        for (Command c : uncommitted) {
            if (c instanceof Append a) {
                hold(a);
            } else if (c instanceof Acknowledge a) {
                deleteLater(a.lease());
                a.complete();
            }
        }
        uncommitted.clear();
    }

    /** Enters (or stays in) the failing state and schedules the next retry. */
    private void failing(Throwable cause) {
        long now = System.nanoTime();
        // a full disk may be why: the retry asks the file system afresh
        roomWhenAsked = -1;
        String reason = describe(cause);
        if (failure == null) {
            failure = reason;
            failingSinceNanos = now;
            lastFailureReportNanos = now;
            retryDelayNanos = FIRST_RETRY_NANOS;
            // the reason says it all for a full or broken disk; the trace is there for whoever debugs the spool
            log.error("Spool {}: writing failed, retrying; new records wait in memory (at most {} bytes, then the"
                    + " oldest are dropped): {}", name, options.maxHeldBytes(), reason);
            log.debug("Spool {}: the failed write", name, cause);
        } else {
            failure = reason;
            retryDelayNanos = Math.min(MAX_RETRY_NANOS, retryDelayNanos * 2);
            if (now - lastFailureReportNanos >= STILL_FAILING_REPORT_NANOS) {
                lastFailureReportNanos = now;
                log.warn("Spool {}: still failing after {} s, {} record(s) held in memory, {} acknowledged"
                                + " record(s) waiting to be deleted: {}", name,
                        TimeUnit.NANOSECONDS.toSeconds(now - failingSinceNanos), heldRecords, pendingDeleteRecords,
                        reason);
            }
        }
        retryAtNanos = now + retryDelayNanos;
        publishStatistics();
    }

    /**
     * Writes what waited while the store failed: deletions first (on a full disk they are what frees room once
     * checkpointed), then the held appends, each in one transaction. Ends the failing state when both succeed.
     */
    private void retry() {
        if (!pendingDeletes.isEmpty()) {
            beginTransaction();
            try {
                for (Map.Entry<Long, long[]> run : pendingDeletes.entrySet()) {
                    database.deleteRange(run.getKey(), run.getValue()[0]);
                }
                database.flushDeletes();
            } catch (SQLException | RuntimeException e) {
                abortTransaction(e);
                return;
            }
            backlogRecords -= pendingDeleteRecords;
            backlogSize -= pendingDeleteSize;
            acknowledged += pendingDeleteRecords;
            pendingDeletesWritten = true;
            if (!finishTransaction()) {
                return;
            }
        }
        if (!held.isEmpty()) {
            beginTransaction();
            try {
                for (Append a : held) {
                    applyAppend(a);
                }
            } catch (SQLException | RuntimeException e) {
                abortTransaction(e);
                return;
            }
            if (!finishTransaction()) {
                return;
            }
        }
        if (failure != null) {
            // a read that failed meanwhile left the cursor where it was: the emit after this reads again
            log.info("Spool {}: writing works again after {} s", name,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSinceNanos));
            failure = null;
        }
        if (!held.isEmpty()) {
            List<Append> written = new ArrayList<>(held);
            held.clear();
            heldBytes = 0;
            heldRecords = 0;
            // they waited long enough
            ripeBelow = nextSequence;
            arrivals.clear();
            // whoever continues on a completed Mono sees the spool well again
            publishStatistics();
            for (Append a : written) {
                marks.putAll(a.marks());
                a.complete();
            }
        }
    }

    /** Keeps an append in memory until the store works again; past the memory bound the oldest are dropped. */
    private void hold(Append a) {
        held.addLast(a);
        long bytes = heldBytes(a);
        heldBytes += bytes;
        heldRecords += a.records().size();
        while (heldBytes > options.maxHeldBytes() && !held.isEmpty()) {
            Append oldest = held.pollFirst();
            int n = oldest.records().size();
            heldBytes -= heldBytes(oldest);
            heldRecords -= n;
            appended += n;
            dropped[DropReason.FAILING.ordinal()] += n;
            drops[DropReason.FAILING.ordinal()].dropped(n, System.nanoTime());
            oldest.fail(new SpoolException("spool " + name + ": dropped from memory while the store fails ("
                    + failure + ")"));
        }
    }

    private static long heldBytes(Append a) {
        long bytes = 0;
        for (SpoolRecord r : a.records()) {
            bytes += SpoolDatabase.sizeOf(r) + SpoolOptions.RECORD_OVERHEAD_BYTES;
        }
        for (String key : a.marks().keySet()) {
            bytes += key.length() + Long.BYTES;
        }
        return bytes;
    }

    /**
     * An acknowledgement the store cannot write now: its records leave the in-flight table for the pending
     * deletions, so that they are not handed out again, and are deleted by the retry.
     */
    private void deleteLater(LeasedBatch lease) {
        long runStart = -1;
        long runEnd = -1;
        long runSize = 0;
        for (int i = 0; i < lease.sequences.length; i++) {
            long sequence = lease.sequences[i];
            if (inFlight.get(sequence) != lease) {
                continue; // dropped meanwhile, or the lease ended
            }
            inFlight.remove(sequence);
            if (runStart >= 0 && sequence == runEnd + 1) {
                runEnd = sequence;
                runSize += lease.sizes[i];
            } else {
                if (runStart >= 0) {
                    addPendingDelete(runStart, runEnd, runSize);
                }
                runStart = sequence;
                runEnd = sequence;
                runSize = lease.sizes[i];
            }
        }
        if (runStart >= 0) {
            addPendingDelete(runStart, runEnd, runSize);
        }
    }

    private void addPendingDelete(long first, long last, long size) {
        pendingDeletes.put(first, new long[]{last, size});
        pendingDeleteRecords += last - first + 1;
        pendingDeleteSize += size;
    }

    private boolean isPendingDelete(long sequence) {
        Map.Entry<Long, long[]> run = pendingDeletes.floorEntry(sequence);
        return run != null && sequence <= run.getValue()[0];
    }

    /** Pending deletions at or below {@code sequence}, which the bound just deleted with the oldest records. */
    private long[] pendingDeletesUpTo(long sequence) {
        long records = 0;
        long size = 0;
        for (Map.Entry<Long, long[]> run : pendingDeletes.headMap(sequence, true).entrySet()) {
            long last = Math.min(sequence, run.getValue()[0]);
            long n = last - run.getKey() + 1;
            records += n;
            // a run cut in two: its size is shared out evenly, close enough for a counter
            size += n == run.getValue()[0] - run.getKey() + 1 ? run.getValue()[1]
                    : run.getValue()[1] * n / (run.getValue()[0] - run.getKey() + 1);
        }
        return new long[]{records, size};
    }

    private void forgetPendingDeletesUpTo(long sequence) {
        long[] gone = pendingDeletesUpTo(sequence);
        Map.Entry<Long, long[]> cut = pendingDeletes.floorEntry(sequence);
        long[] rest = null;
        long restFirst = 0;
        if (cut != null && cut.getValue()[0] > sequence) {
            long runRecords = cut.getValue()[0] - cut.getKey() + 1;
            long keep = cut.getValue()[0] - sequence;
            restFirst = sequence + 1;
            rest = new long[]{cut.getValue()[0], cut.getValue()[1] * keep / runRecords};
        }
        pendingDeletes.headMap(sequence, true).clear();
        if (rest != null) {
            pendingDeletes.put(restFirst, rest);
        }
        pendingDeleteRecords -= gone[0];
        pendingDeleteSize = Math.max(0, pendingDeleteSize - gone[1]);
    }

    /** Stores an append's records, then its marks: a record dropped by the bound still moves its mark on. */
    private void applyAppend(Append append) throws SQLException {
        storeRecords(append.records());
        for (Map.Entry<String, Long> mark : append.marks().entrySet()) {
            database.putMark(mark.getKey(), mark.getValue());
        }
        database.flushMarks();
    }

    private void storeRecords(List<SpoolRecord> records) throws SQLException {
        int n = records.size();
        int[] sizes = new int[n];
        long incomingBytes = 0;
        for (int i = 0; i < n; i++) {
            sizes[i] = SpoolDatabase.sizeOf(records.get(i));
            incomingBytes += sizes[i] + SpoolOptions.RECORD_OVERHEAD_BYTES;
        }
        long room = roomOnDisk(incomingBytes);
        // what would not fit into an empty spool is dropped before it is written, oldest first like the rest
        int first = 0;
        int firstForSpace = 0;
        while (first < n && (incomingBytes > options.maxBytes() || n - first > options.maxRecords()
                || !fits(incomingBytes, room))) {
            if (!fits(incomingBytes, room) && incomingBytes <= options.maxBytes()) {
                firstForSpace++;
            }
            incomingBytes -= sizes[first] + SpoolOptions.RECORD_OVERHEAD_BYTES;
            first++;
        }
        appended += n;
        countDrops(first - firstForSpace, DropReason.BOUND);
        countDrops(firstForSpace, DropReason.DISK_SPACE);
        enforceBound(incomingBytes, n - first, incomingBytes - room);
        for (int i = first; i < n; i++) {
            database.insert(nextSequence++, records.get(i), sizes[i]);
            backlogSize += sizes[i];
        }
        database.flushInserts();
        backlogRecords += n - first;
        appendedSinceRoomAsked += incomingBytes;
    }

    /** Whether records of {@code bytes} fit into the room on disk once the whole backlog is dropped for them. */
    private boolean fits(long bytes, long room) {
        return room == Long.MAX_VALUE || bytes <= room + backlogBytes();
    }

    /**
     * What the backlog may still grow by on the file system: the space free beyond the margin plus the pages deleted
     * records left free inside the file. Asked at most once a second while far from the margin, since asking costs
     * a statvfs and a PRAGMA and at a thousand readings a second most transactions carry one or two of them; in
     * between, the last answer less what was appended since (deletions only add room, so this errs on the safe
     * side). Near the margin, or when the store failed, every transaction asks. Unbounded in memory.
     */
    private long roomOnDisk(long incomingBytes) throws SQLException {
        if (fileStore == null || options.minFreeBytes() == 0) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        if (roomWhenAsked == Long.MAX_VALUE && now - roomAskedAtNanos < ROOM_RECHECK_NANOS) {
            return Long.MAX_VALUE;
        }
        if (roomWhenAsked >= 0 && now - roomAskedAtNanos < ROOM_RECHECK_NANOS
                && roomWhenAsked - 2 * (appendedSinceRoomAsked + incomingBytes) >= ROOM_SLACK_BYTES) {
            return roomWhenAsked - appendedSinceRoomAsked;
        }
        long usable;
        try {
            usable = fileStore.getUsableSpace();
        } catch (IOException e) {
            usable = Long.MAX_VALUE; // cannot tell: the bound alone applies, and a write that fails is retried
        }
        long beyondMargin = usable == Long.MAX_VALUE ? Long.MAX_VALUE
                : Math.max(0, usable - options.minFreeBytes());
        roomWhenAsked = beyondMargin == Long.MAX_VALUE ? Long.MAX_VALUE
                : beyondMargin + database.freePageBytes();
        roomAskedAtNanos = now;
        appendedSinceRoomAsked = 0;
        return roomWhenAsked;
    }

    /**
     * Drops the oldest records until the backlog leaves room for what is about to come: within the bound, and
     * within the room the file system has ({@code excessForSpace} bytes too many for it, when positive).
     */
    private void enforceBound(long incomingBytes, long incomingRecords, long excessForSpace) throws SQLException {
        long excessBytes = backlogBytes() + incomingBytes - options.maxBytes();
        long excessRecords = backlogRecords + incomingRecords - options.maxRecords();
        long needBytes = Math.max(excessBytes, excessForSpace);
        if (needBytes <= 0 && excessRecords <= 0) {
            return;
        }
        SpoolDatabase.Eviction eviction = database.oldestCovering(needBytes, excessRecords,
                SpoolOptions.RECORD_OVERHEAD_BYTES);
        if (eviction == null) {
            return;
        }
        database.deleteUpTo(eviction.lastSequence());
        backlogRecords -= eviction.records();
        backlogSize -= eviction.size();
        // records whose deletion was pending had been delivered: they count as acknowledged, not dropped
        long[] delivered = pendingDeletesUpTo(eviction.lastSequence());
        if (delivered[0] > 0) {
            acknowledged += delivered[0];
            pendingDeletesEvictedUpTo = Math.max(pendingDeletesEvictedUpTo, eviction.lastSequence());
        }
        boolean forSpace = excessForSpace > Math.max(0, excessBytes) && excessRecords <= 0;
        countDrops(eviction.records() - delivered[0], forSpace ? DropReason.DISK_SPACE : DropReason.BOUND);
        // dropping wins over a lease: the batch's later acknowledgement finds nothing of these to remove
        NavigableMap<Long, LeasedBatch> evictedLeases = inFlight.headMap(eviction.lastSequence(), true);
        evictedLeases.forEach((sequence, lease) -> leasesEnded.add(Map.entry(sequence, lease)));
        evictedLeases.clear();
    }

    private void countDrops(long records, DropReason reason) {
        dropped[reason.ordinal()] += records;
        unreportedDrops[reason.ordinal()] += records;
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

    /** Marks records ripe whose linger has passed (all of them when nobody subscribes: nobody waits for them). */
    private void ripen(long now) {
        long linger = subscription == null ? 0 : subscription.lingerNanos();
        while (!arrivals.isEmpty() && now - arrivals.peekFirst()[1] >= linger) {
            arrivals.pollFirst();
            long[] next = arrivals.peekFirst();
            ripeBelow = Math.max(ripeBelow, next == null ? nextSequence : next[0]);
        }
    }

    /** Hands out batches while the subscriber wants them and records wait (ripe ones, or a full batch). */
    private void emit() {
        ripen(System.nanoTime());
        BatchSubscription s = subscription;
        if (s == null) {
            return;
        }
        while (cursor < nextSequence && !s.sink().isCancelled() && s.sink().requestedFromDownstream() > 0) {
            boolean full = nextSequence - Math.max(cursor, ripeBelow) >= s.maxRecords();
            if (cursor >= ripeBelow && !full) {
                return; // young records and not a full batch: they wait for their linger (the run loop's deadline)
            }
            SpoolDatabase.BatchRead read;
            try {
                // not a full batch: it goes only if its oldest record is ripe, and takes the young ones along
                read = database.readBatch(this, generation, cursor, s.maxRecords(), s.maxBytes(),
                        sequence -> inFlight.containsKey(sequence) || isPendingDelete(sequence), nextSequence,
                        full ? Long.MAX_VALUE : ripeBelow);
            } catch (SQLException | RuntimeException e) {
                // the subscriber stays: the retry reads again
                failing(e);
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
        if (failure != null) {
            retry(); // a last attempt, so that a store that works again keeps what was held
        }
        closed = true;
        if (!held.isEmpty()) {
            log.error("Spool {}: closing while writing fails ({}): {} held record(s) are lost", name, failure,
                    heldRecords);
            for (Append a : held) {
                appended += a.records().size();
                dropped[DropReason.FAILING.ordinal()] += a.records().size();
                a.fail(new SpoolException("spool " + name + " closed while its store failed: " + failure));
            }
            held.clear();
            heldBytes = 0;
            heldRecords = 0;
        }
        for (DropReporter reporter : drops) {
            reporter.flush();
        }
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
        long droppedForBound = dropped[DropReason.BOUND.ordinal()];
        long droppedForSpace = dropped[DropReason.DISK_SPACE.ordinal()];
        long droppedWhileFailing = dropped[DropReason.FAILING.ordinal()];
        statistics = new SpoolStatistics(backlogRecords, backlogBytes(), inFlight.size(), appended, acknowledged,
                droppedForBound + droppedForSpace + droppedWhileFailing, droppedForBound, droppedForSpace,
                droppedWhileFailing, redelivered, heldRecords, Optional.ofNullable(failure));
    }

    private SpoolException closedException() {
        return new SpoolException("spool " + name + " is closed");
    }

    @Override
    public String toString() {
        return "Spool[" + name + "]";
    }

    // ---- commands ----

    private record BatchSubscription(FluxSink<SpooledBatch> sink, int maxRecords, long maxBytes, long lingerNanos) {
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

    private record Append(List<SpoolRecord> records, Map<String, Long> marks, MonoSink<Void> sink)
            implements Answered {
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
