package io.dlmsgateway.fleet.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Lets at most N connection attempts run at once, fleet-wide; the rest wait their turn in arrival order without
 * holding a thread. A permit is held from the TCP connect until the association is up or has failed.
 */
public final class ConnectionAttemptLimiter {

    private final int maxConcurrent;
    // guarded by this; held only for queue bookkeeping, never across I/O
    private final Queue<Waiter> waiting = new ArrayDeque<>();
    private int running;

    public ConnectionAttemptLimiter(int maxConcurrent) {
        if (maxConcurrent <= 0) {
            throw new IllegalArgumentException("maxConcurrent must be positive");
        }
        this.maxConcurrent = maxConcurrent;
    }

    /** The attempt, started once a permit is free; the permit is returned when it ends, fails or is cancelled. */
    public <T> Mono<T> limit(Mono<T> attempt) {
        return Mono.create(sink -> {
            Waiter waiter = new Waiter(sink, attempt);
            sink.onCancel(waiter::cancel);
            boolean runNow;
            synchronized (this) {
                runNow = running < maxConcurrent;
                if (runNow) {
                    running++;
                } else {
                    waiting.add(waiter);
                }
            }
            if (runNow) {
                waiter.start();
            }
        });
    }

    /** Attempts running now. */
    public synchronized int running() {
        return running;
    }

    /** Attempts waiting for a permit. */
    public synchronized int waiting() {
        return waiting.size();
    }

    private void releasePermit() {
        Waiter next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                running--;
                return;
            }
        }
        // the permit passes straight to the next waiter
        next.start();
    }

    private final class Waiter {

        private final MonoSink<Object> sink;
        private final Mono<?> attempt;
        private final AtomicBoolean permitReturned = new AtomicBoolean();
        private volatile boolean cancelled;
        private volatile Disposable running;

        @SuppressWarnings("unchecked")
        Waiter(MonoSink<?> sink, Mono<?> attempt) {
            this.sink = (MonoSink<Object>) sink;
            this.attempt = attempt;
        }

        /** Runs the attempt; called once the waiter holds a permit. */
        void start() {
            if (cancelled) {
                returnPermit();
                return;
            }
            Disposable d = attempt.doFinally(signal -> returnPermit())
                    .subscribe(sink::success, sink::error, sink::success);
            running = d;
            if (cancelled) {
                d.dispose();
            }
        }

        void cancel() {
            cancelled = true;
            boolean dequeued;
            synchronized (ConnectionAttemptLimiter.this) {
                dequeued = waiting.remove(this);
            }
            Disposable d = running;
            if (!dequeued && d != null) {
                d.dispose();
            }
        }

        private void returnPermit() {
            if (permitReturned.compareAndSet(false, true)) {
                releasePermit();
            }
        }
    }
}
