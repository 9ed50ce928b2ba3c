package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.fleet.ProfileChunk;
import io.dlmsgateway.fleet.ProfileStore;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * The fleet's own {@link ProfileStore} when the host gives none: marks in memory (a restart reads the backfill
 * window again), chunks handed to the one subscriber of {@link #flux()}. A chunk counts as stored once the subscriber
 * took it, so each profile job has at most one chunk waiting here: a subscriber that falls behind, or none at all,
 * pauses the reads instead of growing a queue.
 */
public final class ProfileChunkBuffer implements ProfileStore {

    private record Pending(ProfileChunk chunk, MonoSink<Void> stored) {
    }

    private final Map<String, Instant> marks = new ConcurrentHashMap<>();
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicReference<FluxSink<ProfileChunk>> subscriber = new AtomicReference<>();
    private volatile boolean done;

    @Override
    public Optional<Instant> mark(String meter, ObisCode profile) {
        return Optional.ofNullable(marks.get(key(meter, profile)));
    }

    @Override
    public Mono<Void> store(ProfileChunk chunk) {
        return Mono.create(sink -> {
            Pending pending = new Pending(chunk, sink);
            sink.onCancel(() -> queue.remove(pending));
            queue.offer(pending);
            drain();
        });
    }

    /** The chunks, one subscriber at a time; completes after {@link #complete()}. */
    public Flux<ProfileChunk> flux() {
        return Flux.create(sink -> {
            if (!subscriber.compareAndSet(null, sink)) {
                sink.error(new IllegalStateException("profiles() allows one subscriber at a time"));
                return;
            }
            sink.onRequest(n -> drain());
            sink.onDispose(() -> subscriber.compareAndSet(sink, null));
            drain();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /** No more chunks will come: the subscriber completes. */
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
            FluxSink<ProfileChunk> sink = subscriber.get();
            if (sink != null && !sink.isCancelled()) {
                while (sink.requestedFromDownstream() > 0) {
                    Pending pending = queue.poll();
                    if (pending == null) {
                        break;
                    }
                    pending.chunk().lastTime().ifPresent(
                            t -> marks.put(key(pending.chunk().meter(), pending.chunk().profile()), t));
                    sink.next(pending.chunk());
                    pending.stored().success();
                }
                if (done) {
                    sink.complete();
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private static String key(String meter, ObisCode profile) {
        return meter + '/' + profile;
    }
}
