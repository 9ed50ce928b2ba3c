package io.dlmsgateway.fleet;

import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * Where a {@link MeterFleet} keeps the invocation counters of its HIGH_GMAC associations, per meter and client
 * address. A meter refuses a ciphered APDU whose counter is not above the last one it accepted (replay protection),
 * so a counter must never be used twice, across reconnects and, with a durable store, across restarts and crashes.
 *
 * <p>The store holds one number per meter and client: the <em>end of the reservation</em>, the first counter not yet
 * reserved. Every counter below it may have been used. Before an association may use a counter, the fleet reserves a
 * block of them ahead ({@link #reserve}) and waits until the store says the reservation is durable; a process that
 * dies at any moment therefore leaves a reservation end above every counter it used, and the next process starts
 * there. The fleet never asks for a lower end than it has, and a store must never lower one.
 *
 * <p>{@link #inMemory()} (the default) survives reconnects in the process, not a restart: with it, set the device's
 * frame-counter object ({@code DlmsClientSettings.invocationCounterObject}) or give the fleet a durable store (the
 * gateway keeps them in its spool's database).
 *
 * <p>Threads: {@link #reservedEnd} is called on the meters' event loops and must be cheap and never block;
 * {@link #reserve} must not block either (return a Mono that completes when the write is durable).
 */
public interface InvocationCounterStore {

    /** The first counter not yet reserved for this meter's client; 0 when nothing was ever reserved. */
    long reservedEnd(String meter, int clientAddress);

    /**
     * Records that every counter below {@code end} is reserved for this meter's client (a lower end than the one
     * stored leaves it unchanged); completes once that is durable, fails if it cannot be made so.
     */
    Mono<Void> reserve(String meter, int clientAddress, long end);

    /** A store in memory: reservations survive reconnects within the process, not a restart. */
    static InvocationCounterStore inMemory() {
        ConcurrentHashMap<String, Long> ends = new ConcurrentHashMap<>();
        return new InvocationCounterStore() {
            @Override
            public long reservedEnd(String meter, int clientAddress) {
                return ends.getOrDefault(meter + '/' + clientAddress, 0L);
            }

            @Override
            public Mono<Void> reserve(String meter, int clientAddress, long end) {
                return Mono.fromRunnable(() -> ends.merge(meter + '/' + clientAddress, end, Math::max));
            }

            @Override
            public String toString() {
                return "InvocationCounterStore.inMemory()";
            }
        };
    }
}
