package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.fleet.MeterReading;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.util.concurrent.Queues;

/**
 * Carries readings from many event loops to one subscriber, holding at most {@code capacity} of them.
 *
 * <p>A session reserves a place before it polls and either fills it with the reading or gives it back. When no place
 * is free the poll is skipped: a subscriber that falls behind pauses polling instead of growing a queue, and the
 * skipped polls are counted. Readings go out on whichever thread drains: the producing event loop or the thread that
 * requested more.
 */
public final class ReadingBuffer {

    private final int capacity;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Queue<MeterReading> queue = Queues.<MeterReading>unboundedMultiproducer().get();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicReference<FluxSink<MeterReading>> subscriber = new AtomicReference<>();
    private final LongAdder discardedAtClose = new LongAdder();
    private volatile boolean done;

    public ReadingBuffer(int capacity) {
        this.capacity = capacity;
    }

    /** Takes a place for one reading; false when the buffer is full. */
    public boolean tryReserve() {
        if (done) {
            return false;
        }
        if (outstanding.incrementAndGet() > capacity) {
            outstanding.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a place taken for a poll that produced nothing. */
    public void cancelReservation() {
        outstanding.decrementAndGet();
    }

    /** Fills a reserved place. */
    public void emit(MeterReading reading) {
        queue.offer(reading);
        drain();
    }

    /** Readings made and not yet delivered. */
    public int queued() {
        return queue.size();
    }

    /** Readings left undelivered because nobody was subscribed when the fleet closed. */
    public long discardedAtClose() {
        return discardedAtClose.sum();
    }

    /** The readings as a Flux that allows one subscriber at a time; completes after {@link #complete()}. */
    public Flux<MeterReading> flux() {
        return Flux.create(sink -> {
            if (!subscriber.compareAndSet(null, sink)) {
                sink.error(new IllegalStateException(
                        "readings() allows one subscriber at a time; share it with publish() or share()"));
                return;
            }
            sink.onRequest(n -> drain());
            sink.onDispose(() -> {
                subscriber.compareAndSet(sink, null);
                // readings not yet requested stay queued for the next subscriber
            });
            drain();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /** No more readings will come: deliver what is queued (beyond demand, into the sink's buffer) and complete. */
    public void complete() {
        done = true;
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            FluxSink<MeterReading> sink = subscriber.get();
            if (sink != null && !sink.isCancelled()) {
                boolean flushAll = done;
                while (flushAll || sink.requestedFromDownstream() > 0) {
                    MeterReading reading = queue.poll();
                    if (reading == null) {
                        break;
                    }
                    outstanding.decrementAndGet();
                    sink.next(reading);
                }
                if (done && queue.isEmpty()) {
                    sink.complete();
                }
            } else if (done) {
                int left = 0;
                while (queue.poll() != null) {
                    outstanding.decrementAndGet();
                    left++;
                }
                discardedAtClose.add(left);
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
