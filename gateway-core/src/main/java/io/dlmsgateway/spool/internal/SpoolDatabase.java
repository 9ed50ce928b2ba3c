package io.dlmsgateway.spool.internal;

import io.dlmsgateway.spool.SpoolDurability;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.sqlite.SQLiteConfig;

/**
 * The spool's SQLite database: one table of records keyed by sequence, one row of state, one table of marks. Blocking JDBC, used only
 * from the spool thread. Every change happens in the transaction the connection keeps open until
 * {@link #commit()}, which is what makes a group of appends and acknowledgements atomic and durable at once.
 */
final class SpoolDatabase implements AutoCloseable {

    static final String FILE_NAME = "spool.db";
    private static final int SCHEMA_VERSION = 1;
    /** SQLite's default page size, which the spool never changes. */
    private static final long PAGE_SIZE = 4096;
    // a bigger WAL file left behind by a burst is cut back to this at the next checkpoint
    private static final long JOURNAL_SIZE_LIMIT = 8L << 20;

    /** What the state row says: the next sequence to give out and the backlog it keeps count of. */
    record State(long nextSequence, long backlogRecords, long backlogSize) {
    }

    /** The oldest records whose removal frees what was asked for: every sequence up to {@code lastSequence}. */
    record Eviction(long lastSequence, long records, long size) {
    }

    /** A batch read from {@code from}, and where the next read starts. {@code batch} is null when nothing was left. */
    record BatchRead(LeasedBatch batch, long resumeAt) {
    }

    private final Connection connection;
    private final StoreFaults faults;
    private final PreparedStatement freelist;
    private final PreparedStatement insert;
    private final PreparedStatement saveState;
    private final PreparedStatement readFrom;
    private final PreparedStatement sizesFromOldest;
    private final PreparedStatement deleteUpTo;
    private final PreparedStatement deleteRange;
    private final PreparedStatement putMark;
    /**
     * The commit and the next transaction's begin, prepared once: the driver's {@code Connection.commit()} prepares
     * and finalizes both statements on every call, a quarter of a commit's CPU when, as here, most transactions
     * carry one or two readings. Prepared anew after a rollback: a COMMIT that failed (SQLITE_FULL) stays pending
     * in its statement and would keep the rollback from ending the transaction.
     */
    private PreparedStatement commitStatement;
    private PreparedStatement beginStatement;
    private int pendingInserts;
    private int pendingMarks;
    private int pendingDeletes;

    private SpoolDatabase(Connection connection, StoreFaults faults) throws SQLException {
        this.connection = connection;
        this.faults = faults;
        freelist = connection.prepareStatement("PRAGMA freelist_count");
        insert = connection.prepareStatement(
                "INSERT INTO spool_record (seq, record_key, ts, size, payload) VALUES (?, ?, ?, ?, ?)");
        saveState = connection.prepareStatement(
                "UPDATE spool_state SET next_sequence = ?, backlog_records = ?, backlog_size = ? WHERE id = 0");
        readFrom = connection.prepareStatement(
                "SELECT seq, record_key, ts, size, payload FROM spool_record WHERE seq >= ? ORDER BY seq");
        sizesFromOldest = connection.prepareStatement("SELECT seq, size FROM spool_record ORDER BY seq");
        deleteUpTo = connection.prepareStatement("DELETE FROM spool_record WHERE seq <= ?");
        deleteRange = connection.prepareStatement("DELETE FROM spool_record WHERE seq BETWEEN ? AND ?");
        putMark = connection.prepareStatement("INSERT OR REPLACE INTO spool_mark (mark_key, mark_value) VALUES (?, ?)");
        commitStatement = connection.prepareStatement("COMMIT");
        beginStatement = connection.prepareStatement("BEGIN");
    }

    /** Opens or creates the database the options name; holds it exclusively until closed. */
    static SpoolDatabase open(SpoolOptions options, Path file, StoreFaults faults) throws SQLException {
        Connection connection = new SQLiteConfig().createConnection(
                file == null ? "jdbc:sqlite::memory:" : "jdbc:sqlite:" + file);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA busy_timeout = 1000");
            if (file != null) {
                // exclusive before WAL: the WAL index then lives in the heap, not in a shared-memory file, and a
                // second process (a second gateway on the same directory) is refused instead of interleaving
                s.execute("PRAGMA locking_mode = EXCLUSIVE");
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                        throw new SQLException("the database refused write-ahead logging");
                    }
                }
                s.execute("PRAGMA synchronous = "
                        + (options.durability() == SpoolDurability.FSYNC ? "FULL" : "NORMAL"));
                s.execute("PRAGMA journal_size_limit = " + JOURNAL_SIZE_LIMIT);
            }
            int version;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version > SCHEMA_VERSION) {
                throw new SQLException("the spool was written by a newer version of the gateway (schema " + version
                        + ", this one reads " + SCHEMA_VERSION + ")");
            }
            // the first write takes the exclusive lock, so a database in use fails here rather than later
            s.execute("BEGIN IMMEDIATE");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS spool_record (
                      seq INTEGER PRIMARY KEY,
                      record_key TEXT NOT NULL,
                      ts INTEGER NOT NULL,
                      size INTEGER NOT NULL,
                      payload BLOB NOT NULL)""");
            // the backlog is counted here rather than with count(*)/sum(), which would read the whole table at start
            s.execute("""
                    CREATE TABLE IF NOT EXISTS spool_state (
                      id INTEGER PRIMARY KEY CHECK (id = 0),
                      next_sequence INTEGER NOT NULL,
                      backlog_records INTEGER NOT NULL,
                      backlog_size INTEGER NOT NULL)""");
            s.execute("INSERT OR IGNORE INTO spool_state VALUES (0, 1, 0, 0)");
            // marks (where a profile's backfill stands, the invocation counters reserved) change in the same
            // transaction as the records they describe; a table an older spool simply does not have
            s.execute("""
                    CREATE TABLE IF NOT EXISTS spool_mark (
                      mark_key TEXT PRIMARY KEY,
                      mark_value INTEGER NOT NULL) WITHOUT ROWID""");
            if (version != SCHEMA_VERSION) {
                // only when it changes: an open that writes nothing works on a full disk too
                s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            }
            s.execute("COMMIT");
            connection.setAutoCommit(false);
            return new SpoolDatabase(connection, faults);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    State state() throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT next_sequence, backlog_records, backlog_size FROM spool_state "
                     + "WHERE id = 0");
             Statement m = connection.createStatement();
             ResultSet max = m.executeQuery("SELECT max(seq) FROM spool_record")) {
            rs.next();
            max.next();
            // the state row is written in the same transaction as the records, so they agree; max(seq) is cheap
            // (the end of the table's tree) and guards the one thing that must never happen, reusing a sequence
            long next = Math.max(rs.getLong(1), max.getLong(1) + 1);
            return new State(next, rs.getLong(2), rs.getLong(3));
        }
    }

    /** The size a record counts for; stored with it so eviction and acknowledgement need not read the payload. */
    static int sizeOf(SpoolRecord record) {
        return record.key().getBytes(StandardCharsets.UTF_8).length + record.payload().length;
    }

    void insert(long sequence, SpoolRecord record, int size) throws SQLException {
        insert.setLong(1, sequence);
        insert.setString(2, record.key());
        insert.setLong(3, record.timestamp());
        insert.setInt(4, size);
        insert.setBytes(5, record.payload());
        insert.addBatch();
        pendingInserts++;
    }

    void flushInserts() throws SQLException {
        if (pendingInserts > 0) {
            faults.beforeWrite("insert");
            pendingInserts = 0;
            insert.executeBatch();
        }
    }

    /** Every mark as committed. */
    Map<String, Long> marks() throws SQLException {
        Map<String, Long> marks = new HashMap<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT mark_key, mark_value FROM spool_mark")) {
            while (rs.next()) {
                marks.put(rs.getString(1), rs.getLong(2));
            }
        }
        return marks;
    }

    void putMark(String key, long value) throws SQLException {
        putMark.setString(1, key);
        putMark.setLong(2, value);
        putMark.addBatch();
        pendingMarks++;
    }

    void flushMarks() throws SQLException {
        if (pendingMarks > 0) {
            faults.beforeWrite("mark");
            pendingMarks = 0;
            putMark.executeBatch();
        }
    }

    /** Queues the removal of the records {@code from..to}, every one of which exists. */
    void deleteRange(long from, long to) throws SQLException {
        deleteRange.setLong(1, from);
        deleteRange.setLong(2, to);
        deleteRange.addBatch();
        pendingDeletes++;
    }

    void flushDeletes() throws SQLException {
        if (pendingDeletes > 0) {
            faults.beforeWrite("delete");
            pendingDeletes = 0;
            deleteRange.executeBatch();
        }
    }

    /**
     * The fewest oldest records that free at least {@code bytes} (each counting its size plus {@code overhead}) and
     * at least {@code records}; null when the table is empty.
     */
    Eviction oldestCovering(long bytes, long records, int overhead) throws SQLException {
        long count = 0;
        long size = 0;
        long last = -1;
        try (ResultSet rs = sizesFromOldest.executeQuery()) {
            while ((size + count * overhead < bytes || count < records) && rs.next()) {
                last = rs.getLong(1);
                size += rs.getInt(2);
                count++;
            }
        }
        return count == 0 ? null : new Eviction(last, count, size);
    }

    void deleteUpTo(long sequence) throws SQLException {
        faults.beforeWrite("delete");
        deleteUpTo.setLong(1, sequence);
        deleteUpTo.executeUpdate();
    }

    /**
     * Reads the next batch: records from sequence {@code from} on that are not {@code inFlight}, at most
     * {@code maxRecords} of them and {@code maxBytes} of size, but at least one.
     *
     * @param end where reading resumes when the table has nothing more: the next sequence to be appended
     * @param limit a batch starts only with a record below this sequence (an older one waits, ripe, so the
     *              batch goes, younger ones along); when the oldest waiting is at or above it, nothing is read
     */
    BatchRead readBatch(SqliteSpool owner, long generation, long from, int maxRecords, long maxBytes,
                        LongPredicate inFlight, long end, long limit) throws SQLException {
        List<SpoolRecord> records = new ArrayList<>();
        long[] sequences = new long[Math.min(maxRecords, 1024)];
        int[] sizes = new int[sequences.length];
        long bytes = 0;
        long resumeAt = end;
        readFrom.setLong(1, from);
        try (ResultSet rs = readFrom.executeQuery()) {
            while (rs.next()) {
                long sequence = rs.getLong(1);
                if (inFlight.test(sequence)) {
                    continue;
                }
                if (records.isEmpty() && sequence >= limit) {
                    // the oldest waiting record is young: nothing goes yet
                    resumeAt = sequence;
                    break;
                }
                int size = rs.getInt(4);
                int n = records.size();
                if (n > 0 && (n == maxRecords || bytes + size > maxBytes)) {
                    resumeAt = sequence;
                    break;
                }
                if (n == sequences.length) {
                    sequences = Arrays.copyOf(sequences, Math.min(maxRecords, n * 2));
                    sizes = Arrays.copyOf(sizes, sequences.length);
                }
                sequences[n] = sequence;
                sizes[n] = size;
                bytes += size;
                records.add(new SpoolRecord(rs.getString(2), rs.getLong(3), rs.getBytes(5)));
            }
        }
        if (records.isEmpty()) {
            return new BatchRead(null, resumeAt);
        }
        int n = records.size();
        return new BatchRead(new LeasedBatch(owner, generation, Arrays.copyOf(sequences, n),
                Arrays.copyOf(sizes, n), records), resumeAt);
    }

    void saveState(long nextSequence, long backlogRecords, long backlogSize) throws SQLException {
        faults.beforeWrite("state");
        saveState.setLong(1, nextSequence);
        saveState.setLong(2, backlogRecords);
        saveState.setLong(3, backlogSize);
        saveState.executeUpdate();
    }

    /**
     * Bytes of pages inside the file that deleted records left free: new records reuse them before the file grows,
     * so they are room the file system need not give. Reads the database header only.
     */
    long freePageBytes() throws SQLException {
        try (ResultSet rs = freelist.executeQuery()) {
            return rs.next() ? rs.getLong(1) * PAGE_SIZE : 0;
        }
    }

    void commit() throws SQLException {
        faults.beforeWrite("commit");
        // as Connection.commit() does (the connection stays out of auto-commit, always in a transaction)
        commitStatement.execute();
        beginStatement.execute();
    }

    void rollback() throws SQLException {
        pendingInserts = 0;
        pendingDeletes = 0;
        pendingMarks = 0;
        insert.clearBatch();
        deleteRange.clearBatch();
        putMark.clearBatch();
        commitStatement.close();
        beginStatement.close();
        try {
            connection.rollback();
        } catch (SQLException e) {
            // On SQLITE_FULL and some I/O errors SQLite rolls the transaction back by itself; the driver's rollback
            // then fails before it begins the next transaction, and every later commit would fail with "no
            // transaction is active". Begin it here, so that the retry writes in a transaction like any other.
            try (Statement s = connection.createStatement()) {
                s.execute("BEGIN");
            } catch (SQLException stillInTransaction) {
                e.addSuppressed(stillInTransaction);
                throw e;
            }
        } finally {
            commitStatement = connection.prepareStatement("COMMIT");
            beginStatement = connection.prepareStatement("BEGIN");
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
