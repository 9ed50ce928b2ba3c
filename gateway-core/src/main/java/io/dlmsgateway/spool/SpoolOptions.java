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
 */
public record SpoolOptions(Optional<Path> directory, long maxBytes, long maxRecords, SpoolDurability durability) {

    /** The default bound: 512 MiB. */
    public static final long DEFAULT_MAX_BYTES = 512L << 20;

    /**
     * What a record costs in the database file beyond its key and payload (row header, sequence, timestamp, size,
     * page slack), measured with SQLite's 4 KiB pages and 300-byte payloads; counted against {@link #maxBytes()}.
     */
    public static final int RECORD_OVERHEAD_BYTES = 32;

    public SpoolOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(durability, "durability");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        if (maxRecords <= 0) {
            throw new IllegalArgumentException("maxRecords must be positive: " + maxRecords);
        }
    }

    /** A durable spool in {@code directory}: 512 MiB, no record bound, {@link SpoolDurability#CRASH}. */
    public static SpoolOptions file(Path directory) {
        return new SpoolOptions(Optional.of(directory), DEFAULT_MAX_BYTES, Long.MAX_VALUE, SpoolDurability.CRASH);
    }

    /** A spool in memory, lost with the process: 512 MiB, no record bound. */
    public static SpoolOptions memory() {
        return new SpoolOptions(Optional.empty(), DEFAULT_MAX_BYTES, Long.MAX_VALUE, SpoolDurability.CRASH);
    }

    public SpoolOptions withMaxBytes(long maxBytes) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability);
    }

    public SpoolOptions withMaxRecords(long maxRecords) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability);
    }

    public SpoolOptions withDurability(SpoolDurability durability) {
        return new SpoolOptions(directory, maxBytes, maxRecords, durability);
    }
}
