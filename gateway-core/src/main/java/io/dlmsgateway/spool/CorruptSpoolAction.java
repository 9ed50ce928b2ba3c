package io.dlmsgateway.spool;

/**
 * What {@link Spool#open} does with a spool file that is not a usable SQLite database (a disk or file-system fault,
 * a file copied over it): SQLite answers {@code SQLITE_NOTADB} or {@code SQLITE_CORRUPT}.
 */
public enum CorruptSpoolAction {

    /**
     * Renames the file aside ({@code spool.db.corrupt-20261130T183000Z}, with its write-ahead log), logs an ERROR
     * naming it, and starts a fresh, empty spool: the gateway keeps running and the file is kept for whoever wants
     * to rescue it. The default.
     */
    MOVE_ASIDE,

    /** Refuses to open, with a {@link SpoolException} that says so: a person decides. */
    REFUSE
}
