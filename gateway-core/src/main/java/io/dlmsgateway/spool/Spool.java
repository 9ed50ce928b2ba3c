package io.dlmsgateway.spool;

import io.dlmsgateway.spool.internal.SqliteSpool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A bounded, durable queue of records between the meters and the ThingsBoard publisher: records are written to
 * local disk before they are published and removed only once the broker acknowledged them.
 *
 * <pre>{@code
 * Spool spool = Spool.open(SpoolOptions.file(Path.of("data/spool")));
 * spool.append(List.of(new SpoolRecord("Meter-001", ts, json))).subscribe();      // from any thread
 * spool.batches(100, 60_000)
 *         .concatMap(batch -> publish(batch)                                          // QoS 1
 *                 .then(spool.acknowledge(batch))
 *                 .onErrorResume(e -> Mono.fromRunnable(() -> spool.release(batch))), 4)
 *         .subscribe();
 * }</pre>
 *
 * <p><b>Delivery</b> is at least once: a record is removed only by {@link #acknowledge}; whatever was not
 * acknowledged before a crash or restart is handed out again, so a record published just before a crash may be
 * published twice. Records are handed out oldest first; a released record goes back to its place in that order.
 *
 * <p><b>Durability</b>: once the Mono of {@link #append} completes, the records survive a crash of the process;
 * see {@link SpoolDurability} for operating-system crashes and power loss.
 *
 * <p><b>Bound</b>: when an append would take the backlog past {@link SpoolOptions#maxBytes()} or
 * {@link SpoolOptions#maxRecords()}, or when less than {@link SpoolOptions#minFreeBytes()} is free on the spool's
 * file system and the backlog would grow, the oldest records are dropped, in flight or not (an acknowledgement that
 * comes later for them does nothing). Drops are counted in {@link SpoolStatistics#dropped()}, by reason, and logged
 * at WARN, at most once per 10 seconds per reason with the count since the last report.
 *
 * <p><b>A failing store</b> (disk full, I/O error) never stops the spool: a write that fails is rolled back and
 * retried, with a growing pause of at most 5 seconds; meanwhile appends wait in memory (bounded by
 * {@link SpoolOptions#maxHeldBytes()}, the oldest dropped past it) and acknowledged records are not handed out
 * again while their removal waits for the retry. {@link SpoolStatistics#failure()} says why while it lasts; the
 * first failure is logged at ERROR, the recovery at INFO. A spool file that is not a usable database is handled at
 * {@link #open} as {@link SpoolOptions#onCorrupt()} says.
 *
 * <p><b>Threads</b>: every disk access runs on the spool's own thread, never on the caller's, so all methods may be
 * called from a Netty event loop; only {@link #close()} waits. Monos complete and batches are emitted on the spool
 * thread: do not block there (hand heavy work to another scheduler with {@code publishOn}). Nothing happens until a
 * returned Mono is subscribed. Records are read from disk as batches are requested, so a large backlog does not
 * need a large heap.
 */
public interface Spool extends AutoCloseable {

    /**
     * Opens (or creates) the spool. A durable spool continues with the records and sequence numbers it had; a spool
     * whose backlog exceeds a lowered bound drops its oldest records right away. Blocks while it opens the store.
     *
     * @throws SpoolException when the store cannot be opened, saying why: another process uses the directory,
     *                        the directory cannot be written (permission denied, read-only file system, ...), the
     *                        file is corrupt and {@link CorruptSpoolAction#REFUSE} was chosen
     */
    static Spool open(SpoolOptions options) {
        return SqliteSpool.open(options);
    }

    /**
     * Stores records, in list order, after every record appended before. Appends that arrive together are written
     * in one transaction. A record larger than the whole bound is dropped (counted, logged) rather than stored.
     *
     * <p>The records are written as soon as the spool thread takes them: whatever arrived meanwhile goes into the
     * same transaction (group commit). Appends that come within {@link SpoolOptions#commitInterval()} of the last
     * commit wait for the next one, which comes when that interval is up: a record is durable within the interval
     * and one commit's time.
     *
     * @return completes once the records are durable as {@link SpoolOptions#durability()} says, on the spool thread;
     *         while the store fails it completes only once a retry wrote them, and errors with a
     *         {@link SpoolException} if they were dropped from memory meanwhile or the spool closed first
     */
    Mono<Void> append(List<SpoolRecord> records);

    /**
     * Stores records as {@link #append(List)} does and, in the same transaction, sets the given marks: small named
     * numbers that say how far the records go (the capture time of a profile's last row spooled, the invocation
     * counters reserved for a meter). Records and marks become durable together, so after a crash a mark never
     * claims records the spool lost, nor lags records it kept. Records may be empty, to set marks alone. A record
     * dropped by the bound still sets its marks (the drop is counted like any other); an append dropped from memory
     * while the store fails sets none.
     *
     * @param marks key (1..1024 characters) to value; a key's last value wins
     */
    Mono<Void> append(List<SpoolRecord> records, Map<String, Long> marks);

    /** The committed value of a mark, as the last completed {@link #append(List, Map)} set it; cheap, any thread. */
    OptionalLong mark(String key);

    /** Every committed mark whose key starts with the prefix; a copy, cheap for a few thousand marks. */
    Map<String, Long> marks(String keyPrefix);

    /**
     * The records not yet acknowledged and not in flight, oldest first, in batches of at most {@code maxRecords}
     * records and {@code maxBytes} bytes of {@link SpoolRecord#size()}; a record larger than {@code maxBytes} comes
     * alone. A batch is read from disk only when one is requested; when nothing is waiting the flux waits (without
     * polling) until an append or a release brings records. It completes when the spool is closed.
     *
     * <p>One subscriber at a time: a second concurrent subscription gets an {@link IllegalStateException}. A new
     * subscription, after the previous one ended, first releases every batch still in flight, since their publisher
     * is gone; their late acknowledgements are then ignored and the records are delivered again.
     */
    Flux<SpooledBatch> batches(int maxRecords, int maxBytes);

    /**
     * As {@link #batches(int, int)}, but a batch waits up to {@code linger} for records to gather: it is handed out
     * once its oldest record has waited {@code linger} since it was stored, or at once when {@code maxRecords}
     * records wait. Records that were stored before the spool opened, or released, go at once. This is how a
     * publisher makes few large messages out of many small appends without delaying the appends themselves.
     */
    Flux<SpooledBatch> batches(int maxRecords, int maxBytes, Duration linger);

    /**
     * Removes the batch's records from the store, durably. Records already dropped by the bound, or a batch whose
     * lease ended, are ignored.
     *
     * @return completes once the removal is durable, on the spool thread; while the store fails, once the removal
     *         waits for the retry (the records are not handed out again by this spool, but a crash before the retry
     *         succeeded delivers them once more)
     */
    Mono<Void> acknowledge(SpooledBatch batch);

    /**
     * Puts the batch's records back to be handed out again, in their place in the order, e.g. after a failed
     * publish. Returns at once; does nothing for a batch already settled.
     */
    void release(SpooledBatch batch);

    /** The current counters; cheap, from any thread. */
    SpoolStatistics statistics();

    /**
     * Writes what is pending, completes the {@link #batches} subscriber and closes the store. Later calls fail with
     * a {@link SpoolException}. Blocks until the store is closed: do not call it on an event loop.
     */
    @Override
    void close();
}
