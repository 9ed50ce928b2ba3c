package io.dlmsgateway.fleet.internal;

import io.netty.channel.Channel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The bounded hand-off between the push listener's connections (many event loops) and its one subscriber, with TCP
 * backpressure instead of loss: once {@code capacity} items wait, the connection that added the last one stops reading
 * its socket (autoRead off) and is remembered; when the subscriber has taken the queue down to half, every paused
 * connection reads again. Nothing is ever dropped. At most {@code capacity} items plus what the paused connections had
 * already read (one socket read each) wait.
 *
 * <p>Lock-free: a multi-producer queue, an item count, and a work-in-progress counter that lets one thread at a time
 * emit (whichever offered or requested last), so emission is serial as Reactive Streams requires.
 */
public final class PushQueue<T> {

    private final int capacity;
    private final int resumeBelow;
    private final Queue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final Queue<Channel> paused = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicReference<FluxSink<T>> sink = new AtomicReference<>();
    private volatile boolean completed;
    private final Flux<T> flux;

    public PushQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.resumeBelow = Math.max(1, capacity / 2);
        this.flux = Flux.create(s -> {
            if (!sink.compareAndSet(null, s)) {
                s.error(new IllegalStateException("push notifications take one subscriber"));
                return;
            }
            s.onRequest(n -> drain());
            s.onCancel(this::resumeAll); // nobody reads any more: do not hold the meters forever
            drain();
        }, FluxSink.OverflowStrategy.ERROR);
    }

    /** The items, for the one subscriber. */
    public Flux<T> flux() {
        return flux;
    }

    /** Items waiting now. */
    public int size() {
        return size.get();
    }

    /**
     * Adds one item that came from {@code from}; when the queue is full, pauses reading on {@code from}. Call on
     * {@code from}'s event loop.
     */
    public void offer(T item, Channel from) {
        items.add(item);
        if (size.incrementAndGet() >= capacity && from != null) {
            from.config().setAutoRead(false);
            paused.add(from);
            // the subscriber may have emptied the queue between our count and our pause: look again
            if (size.get() < resumeBelow) {
                resumeAll();
            }
        }
        drain();
    }

    /** No more items will come: completes the subscriber once it has taken every item waiting. */
    public void complete() {
        completed = true;
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            FluxSink<T> s = sink.get();
            if (s != null && !s.isCancelled()) {
                while (s.requestedFromDownstream() > 0) {
                    T item = items.poll();
                    if (item == null) {
                        break;
                    }
                    size.decrementAndGet();
                    s.next(item);
                }
                if (completed && items.isEmpty()) {
                    s.complete();
                }
            }
            if (size.get() < resumeBelow && !paused.isEmpty()) {
                resumeAll();
            }
        } while (wip.decrementAndGet() != 0);
    }

    private void resumeAll() {
        for (Channel ch; (ch = paused.poll()) != null; ) {
            Channel c = ch;
            c.eventLoop().execute(() -> c.config().setAutoRead(true));
        }
    }
}
