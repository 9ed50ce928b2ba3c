package io.dlmsgateway.spool;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a spool keeps its records and how much it keeps.
 *
 * <pre>{@code
 * Spool spool = Spool.open(SpoolOptions.file(Path.of("data/spool")).withMaxBytes(256L << 20));
 * }</pre>
 *
 * @param directory  the directory of the spool's files, created when missing; empty for a spool in memory, which is
 *                   bounded the same way but lost with the process
 * @param maxBytes   the bound of the backlog: each stored record counts its {@link SpoolRecord#size()} plus
 *                   {@link #RECORD_OVERHEAD_BYTES}, which keeps the database file close to this size (the
 *                   write-ahead log adds a few MB). Past it the oldest records are dropped
 * @param maxRecords the bound of the backlog in records, {@link Long#MAX_VALUE} for none
 * @param durability what a completed append survives; ignored in memory
 * @param minFreeBytes the free space the spool leaves on its file system: once less than this is free, the backlog
 *                   stops growing (each new record drops at least as much of the oldest), so the spool neither fills
 *                   the disk for the rest of the machine nor runs into {@code SQLITE_FULL} itself; 0 turns the check
 *                   off (the spool then writes until the disk is full and rides that out as a failing store);
 *                   ignored in memory
 * @param maxHeldBytes what the spool keeps in memory while its store fails (disk full, I/O error): appends wait
 *                   there to be retried, counted like stored records; past it the oldest held records are dropped
 * @param onCorrupt  what opening does with a spool file that is not a usable database; ignored in memory
 */
public record SpoolOptions(Optional<Path> directory, long maxBytes, long maxRecords, SpoolDurability durability,
                           long minFreeBytes, long maxHeldBytes, CorruptSpoolAction onCorrupt) {

    /** The default bound: 512 MiB. */
    public static final long DEFAULT_MAX_BYTES = 512L << 20;

    /**
     * What a record costs in the database file beyond its key and payload (row header, sequence, timestamp, size,
     * page slack), measured with SQLite's 4 KiB pages and 300-byte payloads; counted against {@link #maxBytes()}.
     */
    public static final int RECORD_OVERHEAD_BYTES = 32;

    /**
     * The default free-space margin: 64 MiB, room for the write-ahead log (which SQLite cuts back to 8 MiB), for
     * the log files beside the spool and for whatever else needs a little disk while the spool is at its limit.
     */
    public static final long DEFAULT_MIN_FREE_BYTES = 64L << 20;

    /** The default of what waits in memory while the store fails: 16 MiB, some 50 000 readings of 300 bytes. */
    public static final long DEFAULT_MAX_HELD_BYTES = 16L << 20;

    public SpoolOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(onCorrupt, "onCorrupt");
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must not be negative: " + minFreeBytes);
        }
        if (maxHeldBytes <= 0) {
            throw new IllegalArgumentException("maxHeldBytes must be positive: " + maxHeldBytes);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        if (maxRecords <= 0) {
            throw new IllegalArgumentException("maxRecords must be positive: " + maxRecords);
        }
    }

    /**
     * A durable spool in {@code directory}: 512 MiB, no record bound, {@link SpoolDurability#CRASH}, 64 MiB left
     * free on its file system, 16 MiB held in memory while the store fails, a corrupt file moved aside.
     */
    public static SpoolOptions file(Path directory) {
        return new SpoolOptions(Optional.of(directory), DEFAULT_MAX_BYTES, Long.MAX_VALUE, SpoolDurability.CRASH,
                DEFAULT_MIN_FREE_BYTES, DEFAULT_MAX_HELD_BYTES, CorruptSpoolAction.MOVE_ASIDE);
    }

    /** A spool in memory, lost with the process: 512 MiB, no record bound. */
    public static SpoolOptions memory() {
        return new SpoolOptions(Optional.empty(), DEFAULT_MAX_BYTES, Long.MAX_VALUE, SpoolDurability.CRASH,
                DEFAULT_MIN_FREE_BYTES, DEFAULT_MAX_HELD_BYTES, CorruptSpoolAction.MOVE_ASIDE);
    }

    public SpoolOptions withMaxBytes(long maxBytes) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt);
    }

    public SpoolOptions withMaxRecords(long maxRecords) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt);
    }

    public SpoolOptions withDurability(SpoolDurability durability) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt);
    }

    public SpoolOptions withMinFreeBytes(long minFreeBytes) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt);
    }

    public SpoolOptions withMaxHeldBytes(long maxHeldBytes) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt);
    }

    public SpoolOptions withOnCorrupt(CorruptSpoolAction onCorrupt) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt);
    }
}
