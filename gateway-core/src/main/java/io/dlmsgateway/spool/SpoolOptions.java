package io.dlmsgateway.spool;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param commitInterval the shortest time between two commits: appends that come sooner after the last commit wait
 *                   for the next one, which comes at most this long after the last, so that at a high rate many
 *                   appends share a commit. An append arriving after a quiet spell is committed at once; none waits
 *                   longer than this (plus the commit in progress). {@link Duration#ZERO}: whatever is waiting is
 *                   committed at once, however often that is
 */
public record SpoolOptions(Optional<Path> directory, long maxBytes, long maxRecords, SpoolDurability durability,
                           long minFreeBytes, long maxHeldBytes, CorruptSpoolAction onCorrupt,
                           Duration commitInterval) {

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

    /**
     * The default commit interval: 10 ms, the fleet's default schedule resolution, so that the readings of polls
     * started in the same window share a commit. At 2 000 readings a second that is some 100 commits a second
     * instead of about 1 000 (in a profile at 10 000 meters a commit cost more than two inserts); a reading is on disk at most this
     * long after it arrived.
     */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(10);

    /** The longest commit interval: beyond it, an append's wait would be felt by whoever waits for it. */
    public static final Duration MAX_COMMIT_INTERVAL = Duration.ofSeconds(1);

    public SpoolOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(onCorrupt, "onCorrupt");
        Objects.requireNonNull(commitInterval, "commitInterval");
        if (commitInterval.isNegative() || commitInterval.compareTo(MAX_COMMIT_INTERVAL) > 0) {
            throw new IllegalArgumentException("commitInterval must be 0.." + MAX_COMMIT_INTERVAL.toMillis()
                    + " ms: " + commitInterval);
        }
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
     * free on its file system, 16 MiB held in memory while the store fails, a corrupt file moved aside, commits at
     * most every 10 ms.
     */
    public static SpoolOptions file(Path directory) {
        return new SpoolOptions(Optional.of(directory), DEFAULT_MAX_BYTES, Long.MAX_VALUE, SpoolDurability.CRASH,
                DEFAULT_MIN_FREE_BYTES, DEFAULT_MAX_HELD_BYTES, CorruptSpoolAction.MOVE_ASIDE,
                DEFAULT_COMMIT_INTERVAL);
    }

    /** A spool in memory, lost with the process: 512 MiB, no record bound, commits at most every 10 ms. */
    public static SpoolOptions memory() {
        return new SpoolOptions(Optional.empty(), DEFAULT_MAX_BYTES, Long.MAX_VALUE, SpoolDurability.CRASH,
                DEFAULT_MIN_FREE_BYTES, DEFAULT_MAX_HELD_BYTES, CorruptSpoolAction.MOVE_ASIDE,
                DEFAULT_COMMIT_INTERVAL);
    }

    public SpoolOptions withMaxBytes(long maxBytes) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt,
                commitInterval);
    }

    public SpoolOptions withMaxRecords(long maxRecords) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt,
                commitInterval);
    }

    public SpoolOptions withDurability(SpoolDurability durability) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt,
                commitInterval);
    }

    public SpoolOptions withMinFreeBytes(long minFreeBytes) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt,
                commitInterval);
    }

    public SpoolOptions withMaxHeldBytes(long maxHeldBytes) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt,
                commitInterval);
    }

    public SpoolOptions withOnCorrupt(CorruptSpoolAction onCorrupt) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt,
                commitInterval);
    }

    public SpoolOptions withCommitInterval(Duration commitInterval) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability, minFreeBytes, maxHeldBytes, onCorrupt,
                commitInterval);
    }
}
