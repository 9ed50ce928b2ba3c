package io.dlmsgateway.thingsboard.internal;

import io.dlmsgateway.thingsboard.ConnectionState;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The public {@link ConnectionState}: the current one for any thread, the replayed flux of changes, and the wait for
 * CONNECTED that every upload goes through. CLOSED is final.
 *
 * <p>Threading: changed only on the lane (which makes the lane the sink's only emitter); read from any thread.
 */
final class ConnectionStates {

    /** Shared: written on the lane only, read by isConnected() and awaitConnected() on any thread; volatile. */
    private volatile ConnectionState current = ConnectionState.CONNECTING;
    private final Sinks.Many<ConnectionState> changes = Sinks.many().replay().latest();

    ConnectionStates() {
        changes.tryEmitNext(ConnectionState.CONNECTING);
    }

    ConnectionState current() {
        return current;
    }

    /** The current state first, then every change. */
    Flux<ConnectionState> flux() {
        return changes.asFlux();
    }

    /** On the lane. */
    void set(ConnectionState next) {
        if (current == next || current == ConnectionState.CLOSED) {
            return;
        }
        current = next;
        changes.tryEmitNext(next);
    }

    /** On the lane, after CLOSED. */
    void complete() {
        changes.tryEmitComplete();
    }

    /** Completes when CONNECTED; fails when the transport is closed. */
    Mono<Void> awaitConnected() {
        if (current == ConnectionState.CONNECTED) {
            return Mono.empty();
        }
        return changes.asFlux()
                .filter(s -> s == ConnectionState.CONNECTED || s == ConnectionState.CLOSED)
                .next()
                .switchIfEmpty(Mono.just(ConnectionState.CLOSED))
                .flatMap(s -> s == ConnectionState.CLOSED
                        ? Mono.error(new IllegalStateException("ThingsBoard transport closed"))
                        : Mono.empty());
    }
}
