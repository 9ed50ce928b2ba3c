package io.dlmsgateway.gateway.internal;

import io.dlmsgateway.fleet.InvocationCounterStore;
import io.dlmsgateway.spool.Spool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * HIGH_GMAC invocation counter reservations kept as marks in the spool's own database
 * ({@code invocation-counter/<meter>/<client>} = the first counter not yet reserved), so that they survive restarts
 * and crashes with the spool: a reservation completes only once its transaction is durable, and the fleet uses no
 * counter before that, so a kill -9 at any moment leaves a mark above every counter the process used.
 *
 * <p>Threads: {@link #reservedEnd} reads the spool's committed marks from memory, any thread; {@link #reserve}
 * completes on the spool's writer thread.
 */
public final class SpoolInvocationCounterStore implements InvocationCounterStore {

    /** Prefix of the marks' keys. */
    public static final String KEY_PREFIX = "invocation-counter/";

    private final Spool spool;
    /** The highest end asked for per key, so that two reservations racing cannot lower the mark. */
    private final Map<String, Long> highestAsked = new ConcurrentHashMap<>();

    public SpoolInvocationCounterStore(Spool spool) {
        this.spool = spool;
    }

    /** The mark's key for a meter's client. */
    public static String key(String meter, int clientAddress) {
        return KEY_PREFIX + meter + '/' + clientAddress;
    }

    @Override
    public long reservedEnd(String meter, int clientAddress) {
        return spool.mark(key(meter, clientAddress)).orElse(0L);
    }

    @Override
    public Mono<Void> reserve(String meter, int clientAddress, long end) {
        return Mono.defer(() -> {
            String key = key(meter, clientAddress);
            long committed = spool.mark(key).orElse(0L);
            long value = highestAsked.merge(key, Math.max(end, committed), Math::max);
            return value <= committed ? Mono.empty() : spool.append(List.of(), Map.of(key, value));
        });
    }
}
