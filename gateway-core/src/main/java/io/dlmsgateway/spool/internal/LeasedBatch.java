package io.dlmsgateway.spool.internal;

import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.spool.SpooledBatch;

import java.util.List;

/**
 * A batch under lease. The spool's in-flight table maps each sequence to the batch that holds it, so a batch can
 * settle only the sequences it still holds: after a release, a drop or a new subscription the table points elsewhere
 * and a late acknowledgement of this batch does nothing.
 */
final class LeasedBatch implements SpooledBatch {

    final SqliteSpool owner;
    /** The {@code batches()} subscription this lease belongs to; leases of ended subscriptions are released. */
    final long generation;
    /** Ascending. */
    final long[] sequences;
    final int[] sizes;
    private final List<SpoolRecord> records;
    private final long bytes;

    LeasedBatch(SqliteSpool owner, long generation, long[] sequences, int[] sizes, List<SpoolRecord> records) {
        this.owner = owner;
        this.generation = generation;
        this.sequences = sequences;
        this.sizes = sizes;
        this.records = List.copyOf(records);
        long sum = 0;
        for (int size : sizes) {
            sum += size;
        }
        this.bytes = sum;
    }

    @Override
    public List<SpoolRecord> records() {
        return records;
    }

    @Override
    public int size() {
        return sequences.length;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public long firstSequence() {
        return sequences[0];
    }

    @Override
    public long lastSequence() {
        return sequences[sequences.length - 1];
    }

    @Override
    public String toString() {
        return "SpooledBatch[" + sequences.length + " records, " + bytes + " bytes, sequences " + firstSequence()
                + ".." + lastSequence() + "]";
    }
}
