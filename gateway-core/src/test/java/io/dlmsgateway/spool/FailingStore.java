package io.dlmsgateway.spool;

import io.dlmsgateway.spool.internal.SqliteSpool;
import io.dlmsgateway.spool.internal.StoreFaults;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A real SQLite spool whose disk can be made "full" at will: while {@link #fail} is on, every write the store makes
 * fails with the exception SQLite gives on a full disk, so the spool's own rollback, hold and retry run as they
 * would. Works on every platform; the same behaviour on a really full file system is {@link SpoolOnASmallFileSystemTest}.
 */
public final class FailingStore implements StoreFaults {

    private volatile boolean failing;
    private final AtomicLong refused = new AtomicLong();

    /** Opens a spool on this store. */
    public Spool open(SpoolOptions options) {
        return SqliteSpool.open(options, this);
    }

    /** From now on every write fails ({@code true}) or works again ({@code false}). */
    public void fail(boolean on) {
        failing = on;
    }

    /** How many writes were refused so far. */
    public long refused() {
        return refused.get();
    }

    @Override
    public void beforeWrite(String operation) throws SQLException {
        if (failing) {
            refused.incrementAndGet();
            throw new SQLiteException("[SQLITE_FULL] Insertion failed because database is full (database or disk is "
                    + "full)", SQLiteErrorCode.SQLITE_FULL);
        }
    }
}
