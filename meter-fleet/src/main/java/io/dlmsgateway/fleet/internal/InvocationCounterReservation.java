package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.client.DlmsConnection;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.fleet.InvocationCounterStore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The invocation counters of one HIGH_GMAC meter's client: where each association starts, and the blocks reserved
 * ahead in the {@link InvocationCounterStore} so that no counter goes on the wire twice, not even after a crash.
 *
 * <p>How "never reused" holds:
 * <ul>
 *   <li>An association starts at the counter the previous association of this process ended at, or, first in a
 *       process, at the store's reservation end (above every counter an earlier process can have used), and never
 *       below the configured counter.</li>
 *   <li>Before the association is opened, the store must durably hold a reservation end at least {@link #LOW_WATER}
 *       above that start (the AARQ and HLS step use two or three counters).</li>
 *   <li>Once open, the connection refuses to send any ciphered APDU at or above the reservation end
 *       ({@link DlmsConnection#invocationCounterLimit}); it drops the association instead, and the next one waits
 *       for the store. The next block is reserved in the background whenever fewer than {@link #LOW_WATER} counters
 *       remain, so with a store that commits in milliseconds the limit is never reached in practice.</li>
 *   <li>When the meter's frame counter is read first (DlmsClientSettings.invocationCounterObject) the association
 *       may start above the reservation; its first counters are then unreserved for a moment, which is safe: the
 *       next process reads the frame counter again, and the meter's own counter is above them.</li>
 * </ul>
 *
 * <p>Threads: called on the meter's event loop; a reservation completes on the store's thread, so the fields it
 * writes are volatile.
 */
final class InvocationCounterReservation {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");

    /**
     * Counters reserved per durable write. A register poll uses one or two ciphered APDUs, so 1 000 last a meter
     * polled every 5 s over an hour: at 10 000 meters about three spool commits a second, while a crash wastes at
     * most 1 000 of the 2^32 counters a key has (four million crashes).
     */
    static final long BLOCK = 1_000;
    /** The next block is reserved once fewer than this remain before the reservation end. */
    static final long LOW_WATER = BLOCK / 2;
    /** Invocation counters are 32-bit unsigned. */
    static final long MAX_COUNTER = 0xFFFF_FFFFL;

    private final InvocationCounterStore store;
    private final String meter;
    private final int clientAddress;
    private final long configured;

    /** Where the next association continues: the last association's counter at its end; -1 before any. */
    private volatile long next = -1;
    /** The reservation end as this process last made it durable (or read it); -1 not read yet. */
    private volatile long reservedEnd = -1;
    private final AtomicBoolean reserving = new AtomicBoolean();

    InvocationCounterReservation(InvocationCounterStore store, String meter, int clientAddress, long configured) {
        this.store = store;
        this.meter = meter;
        this.clientAddress = clientAddress;
        this.configured = configured;
    }

    /** The counter the next association starts at, once a reservation above it is durable. */
    Mono<Long> beforeAssociation() {
        return Mono.defer(() -> {
            if (reservedEnd < 0) {
                reservedEnd = store.reservedEnd(meter, clientAddress);
            }
            long start = Math.max(configured, next >= 0 ? next : reservedEnd);
            if (start >= MAX_COUNTER) {
                return Mono.error(new DlmsConnectionException(meter, "invocation counters used up ("
                        + start + "): the meter's keys must be changed", null));
            }
            return reserveAbove(start).thenReturn(start);
        });
    }

    /** Once associated: the reservation covers the connection's counter, and the connection keeps below its end. */
    Mono<Void> associated(DlmsConnection connection) {
        return Mono.defer(() -> {
            long counter = connection.invocationCounter();
            next = Math.max(next, counter);
            return reserveAbove(counter).then(Mono.fromRunnable(
                    () -> connection.invocationCounterLimit(reservedEnd)));
        });
    }

    /** Before an operation: reserves the next block in the background when the current one runs low. */
    void beforeOperation(DlmsConnection connection) {
        long counter = connection.invocationCounter();
        if (counter + LOW_WATER > reservedEnd && reserving.compareAndSet(false, true)) {
            reserve(counter).doFinally(signal -> reserving.set(false))
                    .subscribe(v -> { }, e -> log.warn("[DLMSDevice[{}]] Cannot reserve invocation counters: {}",
                            meter, e.toString()), () -> connection.invocationCounterLimit(reservedEnd));
        }
    }

    /** The association ended: the next one continues from where this one stopped. */
    void ended(DlmsConnection connection) {
        next = Math.max(next, connection.invocationCounter());
    }

    /** Waits for a durable reservation end at least {@link #LOW_WATER} above {@code counter}, unless there is one. */
    private Mono<Void> reserveAbove(long counter) {
        if (counter + LOW_WATER <= reservedEnd) {
            return Mono.empty();
        }
        return reserve(counter);
    }

    private Mono<Void> reserve(long counter) {
        long end = Math.min(MAX_COUNTER + 1, Math.max(reservedEnd, counter) + BLOCK);
        return store.reserve(meter, clientAddress, end)
                .onErrorMap(e -> new DlmsConnectionException(meter, "cannot reserve invocation counters up to "
                        + end + ": " + e.getMessage(), e))
                .then(Mono.fromRunnable(() -> reservedEnd = Math.max(reservedEnd, end)));
    }
}
