package io.dlmsgateway.spool;

import java.util.List;

/**
 * Records handed out by {@link Spool#batches} under one lease: they are not handed out again until the batch is
 * {@linkplain Spool#release released}, the {@code batches()} subscription is replaced, or the process restarts.
 * Settle every batch exactly once, with {@link Spool#acknowledge} once the records are safely delivered or
 * {@link Spool#release} when delivery failed; settling it again, or after its lease ended, does nothing.
 */
public interface SpooledBatch {

    /** The records, oldest first; never empty. */
    List<SpoolRecord> records();

    /** How many records. */
    default int size() {
        return records().size();
    }

    /** The sum of the records' {@link SpoolRecord#size()}. */
    long bytes();

    /** The spool's sequence number of the first record, for diagnostics; sequences grow with every append. */
    long firstSequence();

    /** The spool's sequence number of the last record. */
    long lastSequence();
}
