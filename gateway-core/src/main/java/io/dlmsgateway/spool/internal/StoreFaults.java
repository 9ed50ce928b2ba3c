package io.dlmsgateway.spool.internal;

import java.sql.SQLException;

/**
 * A seam for tests: consulted before every write the spool's store makes, so a test can make the real store fail
 * the way a full or broken disk makes it fail ({@code SQLITE_FULL}, {@code SQLITE_IOERR}), on every platform and
 * without filling a disk. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface StoreFaults {

    /** Never fails. */
    StoreFaults NONE = operation -> {
    };

    /**
     * Called on the spool thread before the store writes.
     *
     * @param operation what is about to be written: {@code insert}, {@code delete}, {@code state} or {@code commit}
     * @throws SQLException to fail that write as the database would
     */
    void beforeWrite(String operation) throws SQLException;
}
