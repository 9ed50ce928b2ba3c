package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.resources.LogText;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Signal;
import reactor.core.publisher.Sinks;

/**
 * The control association of one meter ({@code Meter.control()}): a second association, as another client (the
 * management client where polls use the public one), that the meter's writes, actions and clock corrections go
 * through. Opened on demand when an operation comes, on the meter's own event loop; operations run one at a time in
 * the order they came, the others wait in a queue; released once the queue is empty, unless {@code keepOpen}, in which
 * case it stays open until it breaks or {@link #shutdown()}. A failure to open it fails the operation that needed it
 * with the reason (refused, rejected, timed out); the next operation tries again. The poll association is never
 * touched.
 *
 * <p>Cancelling an operation's Mono removes it from the queue, or, when it runs, cancels it in the DLMS client
 * (dropped before its next exchange) and lets the next one go.
 *
 * <p>Threads: {@link #submit} and {@link #shutdown} from any thread; all state lives on the meter's event loop, so
 * there are no locks.
 */
public final class ControlAssociation {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");

    private final String meter;
    private final MeterConnector connector;
    private final boolean keepOpen;
    private final EventLoop loop;

    // event loop only
    private final ArrayDeque<Pending<?>> queue = new ArrayDeque<>(1);
    private Pending<?> running;
    private MeterAssociation current;
    /** Completes when the last association released has closed; the next one opens only then. */
    private Mono<Void> released = Mono.empty();
    private boolean shutDown;

    /**
     * @param connector opens associations as the control client
     * @param loop      the meter's event loop: the one its connector's bootstrap connects on
     */
    public ControlAssociation(String meter, MeterConnector connector, boolean keepOpen, EventLoop loop) {
        this.meter = meter;
        this.connector = connector;
        this.keepOpen = keepOpen;
        this.loop = loop;
    }

    /**
     * Runs {@code operation} on the control association once the operations before it are done, opening the
     * association first when none is open. Cancelling the Mono dequeues or cancels the operation.
     */
    public <T> Mono<T> submit(Function<MeterAssociation, Mono<T>> operation) {
        return Mono.create(sink -> {
            Pending<T> pending = new Pending<>(operation, sink);
            sink.onCancel(() -> onLoop(() -> cancel(pending)));
            if (!onLoop(() -> enqueue(pending))) {
                sink.error(new DlmsConnectionException(meter, "control association: the fleet has shut down", null));
            }
        });
    }

    /**
     * Fails the waiting operations, and releases the association once the running one is done (at once when none
     * runs). Completes when the association has closed.
     */
    public Mono<Void> shutdown() {
        Sinks.Empty<Void> done = Sinks.empty();
        boolean scheduled = onLoop(() -> {
            shutDown = true;
            Pending<?> p;
            while ((p = queue.poll()) != null) {
                p.sink.error(shuttingDown());
            }
            if (running == null) {
                release();
            }
            released.doFinally(s -> done.tryEmitEmpty()).subscribe(null, e -> { });
        });
        if (!scheduled) {
            done.tryEmitEmpty();
        }
        return done.asMono();
    }

    private DlmsConnectionException shuttingDown() {
        return new DlmsConnectionException(meter, "control association: the fleet is shutting down", null);
    }

    /** Runs the task on the meter's event loop (at once when already there); false when the loop has shut down. */
    private boolean onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return true;
        }
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void enqueue(Pending<?> pending) {
        if (shutDown) {
            pending.sink.error(shuttingDown());
            return;
        }
        if (pending.cancelled) {
            return;
        }
        queue.add(pending);
        drive();
    }

    private void drive() {
        if (running != null) {
            return;
        }
        Pending<?> next = queue.poll();
        if (next == null) {
            if (!keepOpen || shutDown) {
                release();
            }
            return;
        }
        running = next;
        run(next);
    }

    private <T> void run(Pending<T> pending) {
        MeterAssociation open = current != null && current.isActive() ? current : null;
        Mono<MeterAssociation> association = open != null ? Mono.just(open)
                : released.onErrorResume(e -> Mono.empty()).then(connector.associate().doOnNext(this::adopt));
        pending.subscription = association
                .flatMap(pending.operation)
                .materialize()
                .subscribe(signal -> onLoop(() -> finish(pending, signal)));
    }

    private void adopt(MeterAssociation association) {
        onLoop(() -> {
            if (current != null && current != association) {
                current.abort(); // cannot happen while one operation runs at a time; never leak a connection
            }
            current = association;
            log.debug("[DLMSDevice[{}]] control association open", LogText.escape(meter));
        });
    }

    private <T> void finish(Pending<T> pending, Signal<T> signal) {
        if (running != pending) {
            return; // cancelled: the next one already runs
        }
        running = null;
        if (current != null && !current.isActive()) {
            current = null;
        }
        if (signal.isOnError()) {
            pending.sink.error(signal.getThrowable());
        } else if (signal.isOnNext()) {
            pending.sink.success(signal.get());
        } else {
            pending.sink.success();
        }
        drive();
    }

    private void cancel(Pending<?> pending) {
        pending.cancelled = true;
        if (queue.remove(pending)) {
            return;
        }
        if (running == pending) {
            running = null;
            if (pending.subscription != null) {
                // FutureMono.cancellable: the client drops the operation's next exchange
                pending.subscription.dispose();
            }
            drive();
        }
    }

    private void release() {
        MeterAssociation association = current;
        if (association == null) {
            return;
        }
        current = null;
        released = association.release().cache();
        released.subscribe(null, e -> { });
        log.debug("[DLMSDevice[{}]] control association released", LogText.escape(meter));
    }

    private static final class Pending<T> {
        final Function<MeterAssociation, Mono<T>> operation;
        final MonoSink<T> sink;
        Disposable subscription;
        boolean cancelled;

        Pending(Function<MeterAssociation, Mono<T>> operation, MonoSink<T> sink) {
            this.operation = operation;
            this.sink = sink;
        }
    }
}
