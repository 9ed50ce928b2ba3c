package io.dlmsgateway.spool;

import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a spool's counters. Backlog figures describe the store; the others count since the spool was opened.
 *
 * @param backlogRecords records stored and not yet acknowledged, in flight or not
 * @param backlogBytes   what the backlog counts against {@link SpoolOptions#maxBytes()}: record sizes plus
 *                       {@link SpoolOptions#RECORD_OVERHEAD_BYTES} each
 * @param inFlightRecords records handed out in batches that are neither acknowledged nor released
 * @param appended       records of completed {@link Spool#append}s, including those dropped at once for being too
 *                       big; since opening, {@code appended = acknowledged + dropped + backlog growth}
 * @param acknowledged   records removed by {@link Spool#acknowledge}
 * @param dropped        every record thrown away, whatever the reason: the sum of the three below
 * @param droppedForBound records dropped because the backlog reached {@link SpoolOptions#maxBytes()} or
 *                       {@link SpoolOptions#maxRecords()}: the oldest stored ones, or appended ones that alone exceed
 *                       the bound
 * @param droppedForDiskSpace records dropped, oldest first, because less than {@link SpoolOptions#minFreeBytes()}
 *                       was free on the spool's file system
 * @param droppedWhileFailing records dropped, oldest first, while the store failed: held in memory past
 *                       {@link SpoolOptions#maxHeldBytes()}, or still held when the spool closed
 * @param redelivered    records put back for another delivery by {@link Spool#release} or by a new
 *                       {@link Spool#batches} subscription
 * @param heldRecords    records of appends waiting in memory for the store to work again
 * @param failure        why the store fails, while it does (e.g. {@code "[SQLITE_FULL] database or disk is full"});
 *                       empty while it works
 */
public record SpoolStatistics(long backlogRecords, long backlogBytes, long inFlightRecords, long appended,
                              long acknowledged, long dropped, long droppedForBound, long droppedForDiskSpace,
                              long droppedWhileFailing, long redelivered, long heldRecords,
                              Optional<String> failure) {

    public SpoolStatistics {
        Objects.requireNonNull(failure, "failure");
    }

    /** Whether the store fails at the moment: writes are retried, appends wait in memory. */
    public boolean failing() {
        return failure.isPresent();
    }
}
