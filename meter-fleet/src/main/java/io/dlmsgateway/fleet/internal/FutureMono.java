package io.dlmsgateway.fleet.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * A Mono over a {@link CompletableFuture} of the DLMS client. Unlike {@code Mono.fromFuture}, an outcome that arrives
 * after the subscriber cancelled is expected here (a shutdown cancels reads and connects in flight, and the
 * connection then fails them), so it is discarded instead of logged as a dropped error; a late value goes to
 * {@code discard}, so that a connection opened too late is closed.
 */
final class FutureMono {

    private FutureMono() {
    }

    static <T> Mono<T> of(Supplier<CompletableFuture<T>> call, Consumer<? super T> discard) {
        return create(call, discard, false);
    }

    static <T> Mono<T> of(Supplier<CompletableFuture<T>> call) {
        return of(call, value -> { });
    }

    /**
     * Like {@link #of(Supplier)}, and a cancel of the Mono cancels the future: the DLMS client then drops the
     * operation's waiting exchange, or runs no exchange after the one on the wire. Only for operations on an open
     * association; a connect must not be cancelled this way, as a connection that opens late must still be closed.
     */
    static <T> Mono<T> cancellable(Supplier<CompletableFuture<T>> call) {
        return create(call, value -> { }, true);
    }

    private static <T> Mono<T> create(Supplier<CompletableFuture<T>> call, Consumer<? super T> discard,
            boolean cancelFuture) {
        return Mono.create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            CompletableFuture<T> future = call.get();
            sink.onCancel(() -> {
                cancelled.set(true);
                if (cancelFuture) {
                    future.cancel(false);
                }
            });
            future.whenComplete((value, error) -> {
                if (cancelled.get()) {
                    if (value != null) {
                        discard.accept(value);
                    }
                } else if (error != null) {
                    sink.error(error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error);
                } else {
                    sink.success(value);
                }
            });
        });
    }
}
