package io.dlmsgateway.spool;

/**
 * What an {@linkplain Spool#append append} that completed survives. Either way the spool file stays consistent: a
 * crash never corrupts it, it at most loses the most recent appends as described here.
 */
public enum SpoolDurability {

    /**
     * Survives a crash or kill of the gateway process ({@code kill -9}): the records are in the operating system's
     * file cache when the append completes. An operating-system crash or power loss may lose what was appended since
     * the kernel last wrote its cache out, typically the last few seconds (Linux writes dirty pages older than 30 s
     * at the latest). SQLite WAL with {@code synchronous=NORMAL}. The default.
     */
    CRASH,

    /**
     * Survives power loss too: every append and acknowledgement is flushed to the device ({@code fsync}) before it
     * completes, at the cost of one flush per transaction; concurrent appends share a flush.
     * SQLite WAL with {@code synchronous=FULL}.
     */
    FSYNC
}
