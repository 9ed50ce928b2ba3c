package io.dlmsgateway.thingsboard.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * An asynchronous counting semaphore bounding unacknowledged publishes, whose limit can change while in use (the MQTT
 * client's own send maximum is fixed per connection, ThingsBoard's announced window is not).
 *
 * <p>Waiters are served in arrival order. A permit granted to a waiter that was cancelled before it received it goes
 * back to the window. The lock guards a few field updates only; sinks are completed outside it.
 */
final class InflightWindow {

    private final ArrayDeque<MonoSink<Void>> waiters = new ArrayDeque<>();
    private int limit;
    private int used;

    InflightWindow(int limit) {
        this.limit = limit;
    }

    /** Completes once a permit is held by the subscriber; release it with {@link #release(int)}. */
    Mono<Void> acquire() {
        return Mono.create(sink -> {
            boolean granted;
            synchronized (this) {
                granted = waiters.isEmpty() && used < limit;
                if (granted) {
                    used++;
                } else {
                    waiters.add(sink);
                }
            }
            // MonoSink runs onCancel only if the value was not delivered, so the permit is never held twice
            sink.onCancel(() -> {
                boolean queued;
                synchronized (this) {
                    queued = waiters.remove(sink);
                }
                if (!queued) {
                    release(1);
                }
            });
            if (granted) {
                sink.success();
            }
        });
    }

    void release(int permits) {
        if (permits <= 0) {
            return;
        }
        List<MonoSink<Void>> wake;
        synchronized (this) {
            used = Math.max(0, used - permits);
            wake = grantWaiters();
        }
        wake.forEach(MonoSink::success);
    }

    void setLimit(int newLimit) {
        List<MonoSink<Void>> wake;
        synchronized (this) {
            limit = newLimit;
            wake = grantWaiters();
        }
        wake.forEach(MonoSink::success);
    }

    synchronized int limit() {
        return limit;
    }

    synchronized int used() {
        return used;
    }

    private List<MonoSink<Void>> grantWaiters() {
        List<MonoSink<Void>> wake = new ArrayList<>();
        while (used < limit && !waiters.isEmpty()) {
            used++;
            wake.add(waiters.poll());
        }
        return wake;
    }
}
