package io.dlmsgateway.config;

import io.dlmsgateway.spool.CorruptSpoolAction;
import io.dlmsgateway.spool.SpoolDurability;
import io.dlmsgateway.spool.SpoolOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code storage} section: where readings wait until ThingsBoard has acknowledged them.
 *
 * <pre>{@code
 * storage:
 *   type: file            # file (durable, the default) or memory (lost on restart)
 *   path: ./data/spool    # relative to this file's directory
 *   maxSizeMb: 512        # past this the oldest readings are dropped, counted and logged
 *   maxRecords: 1000000   # optional second bound
 *   durability: crash     # crash: survives a gateway crash; fsync: survives power loss too, slower
 *   minFreeSpaceMb: 64    # the backlog stops growing when less than this is free on the spool's file system
 *   onCorrupt: move-aside # a spool file that is not a database: move-aside (and start afresh) or refuse
 *   commitIntervalMs: 10  # readings within this of the last commit share the next one; 0: commit each group at once
 * }</pre>
 *
 * @param type       file or memory
 * @param path       the spool directory, resolved against the main file's directory; empty for memory
 * @param maxSizeMb  the bound of the backlog in MiB (see {@link io.dlmsgateway.spool.SpoolOptions#maxBytes()})
 * @param maxRecords the bound of the backlog in records, when given
 * @param durability what a stored reading survives; {@link SpoolDurability#CRASH} for memory
 * @param minFreeSpaceMb the free space in MiB the spool leaves on its file system (see
 *                   {@link io.dlmsgateway.spool.SpoolOptions#minFreeBytes()}); 0 for none
 * @param onCorrupt  what starting does with a spool file that is not a usable database
 * @param commitIntervalMs the shortest time between two commits, in ms (see
 *                   {@link io.dlmsgateway.spool.SpoolOptions#commitInterval()}); 0 commits whatever waits at once
 */
public record StorageConfig(Type type, Optional<Path> path, long maxSizeMb, OptionalLong maxRecords,
                            SpoolDurability durability, long minFreeSpaceMb, CorruptSpoolAction onCorrupt,
                            long commitIntervalMs) {

    /** Where the spool lives unless {@code path} says otherwise, relative to the main file's directory. */
    public static final String DEFAULT_PATH = "data/spool";
    public static final long DEFAULT_MAX_SIZE_MB = 512;
    /** The spool's own default margin, in MiB. */
    public static final long DEFAULT_MIN_FREE_SPACE_MB = SpoolOptions.DEFAULT_MIN_FREE_BYTES >> 20;
    /** The spool's own default commit interval, in ms. */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = SpoolOptions.DEFAULT_COMMIT_INTERVAL.toMillis();
    /** The longest commit interval, in ms. */
    public static final long MAX_COMMIT_INTERVAL_MS = SpoolOptions.MAX_COMMIT_INTERVAL.toMillis();

    /** The kinds of storage. */
    public enum Type {
        /** On disk (SQLite), survives restarts and crashes. */
        FILE,
        /** In memory, bounded the same way, lost when the gateway stops. */
        MEMORY
    }

    public StorageConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(maxRecords, "maxRecords");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(onCorrupt, "onCorrupt");
        if (minFreeSpaceMb < 0) {
            throw new IllegalArgumentException("minFreeSpaceMb must not be negative: " + minFreeSpaceMb);
        }
        if (path.isPresent() != (type == Type.FILE)) {
            throw new IllegalArgumentException("a path is needed for type file and only for it");
        }
        if (maxSizeMb <= 0) {
            throw new IllegalArgumentException("maxSizeMb must be positive: " + maxSizeMb);
        }
        if (commitIntervalMs < 0 || commitIntervalMs > MAX_COMMIT_INTERVAL_MS) {
            throw new IllegalArgumentException("commitIntervalMs must be 0.." + MAX_COMMIT_INTERVAL_MS + ": "
                    + commitIntervalMs);
        }
    }

    /** What applies when the main file has no {@code storage} section: a file spool of 512 MiB. */
    public static StorageConfig defaults(Path configDirectory) {
        return new StorageConfig(Type.FILE, Optional.of(configDirectory.resolve(DEFAULT_PATH)), DEFAULT_MAX_SIZE_MB,
                OptionalLong.empty(), SpoolDurability.CRASH, DEFAULT_MIN_FREE_SPACE_MB, CorruptSpoolAction.MOVE_ASIDE,
                DEFAULT_COMMIT_INTERVAL_MS);
    }
}
