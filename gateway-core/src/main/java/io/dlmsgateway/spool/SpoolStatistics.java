package io.dlmsgateway.spool;

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
 * @param dropped        records thrown away because the spool was full: the oldest stored ones, or appended ones that
 *                       alone exceed the bound
 * @param redelivered    records put back for another delivery by {@link Spool#release} or by a new
 *                       {@link Spool#batches} subscription
 */
public record SpoolStatistics(long backlogRecords, long backlogBytes, long inFlightRecords, long appended,
                              long acknowledged, long dropped, long redelivered) {
}
