package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXReplyData;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.dlms.client.Priority;
import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decides which operation of one association puts the next exchange on the wire.
 *
 * <p>An <em>operation</em> (a read of many attributes, a release) is a chain of exchanges; an <em>exchange</em> is
 * one request and all of its continuation (HDLC segments, GET data blocks, receiver-ready), carried by
 * {@link DlmsClientHandler}. DLMS without pipelining allows one exchange at a time, and an exchange cannot be
 * interrupted without desynchronising the association (the meter's block numbers, the HDLC sequence numbers), so
 * operations interleave at exchange boundaries only. When the wire comes free the next exchange is taken from the
 * highest {@link Priority} that has one waiting; within a priority, operations take turns (an operation that posts
 * its next exchange goes behind those already waiting). A request's bytes are made by Gurux only when its exchange
 * starts, so frame sequence numbers and ciphered invocation counters go on the wire in the order Gurux made them.
 *
 * <p>A <em>barrier</em> operation (association, release) starts once every operation submitted before it has
 * finished, and runs alone: later ones wait for it.
 *
 * <p>Cancelling an operation's future drops its waiting exchange at once; an exchange already on the wire is let to
 * finish (its reply must be read, or the next request's reply would be mistaken for it), and the operation gets no
 * further exchange. The other operations go on.
 *
 * <p>Threads: {@link #submit} may be called from any thread and hands the operation to the channel's event loop; all
 * state lives on that loop, so there are no locks. Operation bodies and their futures' callbacks run on the loop.
 */
public final class ExchangeScheduler {

    /** What an operation's body may do: one exchange at a time, on the event loop. */
    public interface Exchanges {

        /**
         * Queues an exchange of this operation. {@code request} is called when the exchange starts, on the event
         * loop, to make the packets; the future completes with one complete reply per packet. Fails with a
         * {@link CancellationException} when the operation has been cancelled.
         */
        default CompletableFuture<List<GXReplyData>> exchange(Supplier<byte[][]> request, String description) {
            return exchange(request, description, Integer.MAX_VALUE);
        }

        /**
         * As {@link #exchange(Supplier, String)}, with the reply held to at most {@code replyLimit} bytes on the wire
         * (and to the association's maxReplyBytes in any case): a read of a few registers needs far less than a
         * profile.
         */
        CompletableFuture<List<GXReplyData>> exchange(Supplier<byte[][]> request, String description,
                int replyLimit);

        /** Single-packet form of {@link #exchange}. */
        default CompletableFuture<GXReplyData> exchangeOne(Supplier<byte[]> request, String description) {
            return exchange(() -> new byte[][] {request.get()}, description).thenApply(replies -> replies.get(0));
        }
    }

    /** What happened to an operation, for tests and traces. */
    public enum EventKind {
        /** The loop took the operation in (it may still wait behind a barrier). */
        SUBMITTED,
        /** The operation posted an exchange; it waits for the wire. */
        QUEUED,
        /** The exchange's request is going on the wire. */
        STARTED,
        /** The exchange's last reply arrived, or it failed. */
        FINISHED,
        /** The operation was cancelled; a waiting exchange of it was dropped. */
        CANCELLED,
        /** The operation completed (successfully, failed or cancelled). */
        COMPLETED
    }

    /**
     * @param operation   sequence number of the operation on this association, from 1 in submission order
     * @param description what the operation or exchange is
     */
    public record Event(EventKind kind, long operation, Priority priority, String description) {
    }

    private static final Priority[] PRIORITIES = Priority.values();
    /** The queue of operations waiting for admission, in {@link #queueEnds}. */
    private static final int WAITING = 0;

    private final Channel channel;
    private final DlmsClientHandler handler;
    private final String meter;

    // touched on the event loop only. The queues rarely hold more than an operation or two and live as long as the
    // association: linked through the operations themselves, their heads and tails in one array (40 bytes), where
    // three ArrayDeques and their arrays took ~170 bytes per meter and three queue objects and their array 96.
    /**
     * Head and tail of each first-in, first-out queue of operations linked through {@link Operation#next}: at
     * {@code 2·queue} and {@code 2·queue + 1}, for {@link #WAITING} and the queues of operations with an exchange
     * waiting for the wire, one per priority ({@link #ready}). An operation is in at most one queue at a time.
     */
    private final Operation<?>[] queueEnds = new Operation<?>[2 * (1 + PRIORITIES.length)];
    private int running;
    private boolean barrierRunning;
    private Operation<?> onWire;
    private long submitted;
    private boolean driving;
    private boolean again;
    private Consumer<Event> listener;

    public ExchangeScheduler(Channel channel, DlmsClientHandler handler, String meter) {
        this.channel = channel;
        this.handler = handler;
        this.meter = meter;
    }

    /** Sets a listener told of every {@link Event}, on the event loop; it must not block. Null removes it. */
    public void listener(Consumer<Event> listener) {
        channel.eventLoop().execute(() -> this.listener = listener);
    }

    /**
     * Runs {@code body} on the event loop as one operation and completes the returned future with its outcome.
     * Cancelling the returned future cancels the operation (see the class comment).
     *
     * @param what    the operation, for traces ("read of 12 measurements")
     * @param barrier true to run once everything submitted before has finished, and alone
     */
    public <T> CompletableFuture<T> submit(Priority priority, String what, boolean barrier,
            Function<Exchanges, CompletableFuture<T>> body) {
        Operation<T> op = new Operation<>(priority, what, barrier, body);
        try {
            channel.eventLoop().execute(() -> accept(op));
        } catch (RejectedExecutionException e) {
            op.result.completeExceptionally(new DlmsConnectionException(meter, "event loop is shut down", e));
            return op.result;
        }
        op.result.whenComplete((v, e) -> {
            if (!op.result.isCancelled()) {
                return;
            }
            if (channel.eventLoop().inEventLoop()) {
                cancel(op); // at once: a waiting exchange cannot slip onto the wire in between
                return;
            }
            try {
                channel.eventLoop().execute(() -> cancel(op));
            } catch (RejectedExecutionException shutDown) {
                // the loop is gone, and with it everything the operation could still do
            }
        });
        return op.result;
    }

    // ---- on the event loop -------------------------------------------------------------------------------------

    private void accept(Operation<?> op) {
        if (op.result.isDone()) {
            return; // cancelled before it reached the loop
        }
        op.id = ++submitted;
        add(WAITING, op);
        emit(EventKind.SUBMITTED, op, op.what);
        drive();
    }

    /**
     * Admits what may start and puts the next exchange on the wire, until neither changes anything. Re-entrant calls
     * (an exchange that fails at once completes inside {@link #startNext}) only ask the outer call for another round.
     */
    private void drive() {
        if (driving) {
            again = true;
            return;
        }
        driving = true;
        try {
            do {
                again = false;
                admit();
                startNext();
            } while (again);
        } finally {
            driving = false;
        }
    }

    private void admit() {
        while (!barrierRunning && head(WAITING) != null) {
            Operation<?> head = head(WAITING);
            if (head.barrier && running > 0) {
                return;
            }
            poll(WAITING);
            run(head);
        }
    }

    private <T> void run(Operation<T> op) {
        running++;
        if (op.barrier) {
            barrierRunning = true;
        }
        CompletableFuture<T> body;
        if (!channel.isActive()) {
            // a connection this client closed for a protocol violation says so to every operation that comes after
            DlmsException why = handler.closeCause();
            body = CompletableFuture.failedFuture(why != null ? why
                    : new DlmsConnectionException(meter, "connection is closed", null));
        } else {
            try {
                body = op.body.apply(op);
            } catch (RuntimeException e) {
                body = CompletableFuture.failedFuture(e);
            }
        }
        body.whenComplete((v, e) -> finish(op, v, e));
    }

    private <T> void finish(Operation<T> op, T value, Throwable error) {
        running--;
        if (op.barrier) {
            barrierRunning = false;
        }
        if (op.pending != null) {
            // the body gave up on an exchange it had posted (it should not): the exchange must not run for nobody
            remove(ready(op.priority), op);
            op.pending = null;
        }
        if (error != null) {
            op.result.completeExceptionally(unwrap(error));
        } else {
            op.result.complete(value);
        }
        emit(EventKind.COMPLETED, op, op.what);
        drive();
    }

    private void startNext() {
        if (onWire != null) {
            return;
        }
        for (Priority priority : PRIORITIES) {
            Operation<?> op = poll(ready(priority));
            if (op != null) {
                start(op);
                return;
            }
        }
    }

    private void start(Operation<?> op) {
        PendingExchange p = op.pending;
        op.pending = null;
        byte[][] packets;
        try {
            packets = p.request.get();
        } catch (RuntimeException e) {
            again = true;
            p.future.completeExceptionally(e);
            return;
        }
        onWire = op;
        emit(EventKind.STARTED, op, p.description);
        handler.exchange(packets, p.description, p.replyLimit).whenComplete((replies, error) -> {
            onWire = null;
            emit(EventKind.FINISHED, op, p.description);
            if (op.cancelled) {
                p.future.completeExceptionally(new CancellationException(op.what + " cancelled"));
            } else if (error != null) {
                p.future.completeExceptionally(error);
            } else {
                p.future.complete(replies);
            }
            drive();
        });
    }

    private void cancel(Operation<?> op) {
        if (op.cancelled || op.id == 0) {
            return; // already done, or never reached the loop (accept() drops it)
        }
        op.cancelled = true;
        if (remove(WAITING, op)) {
            emit(EventKind.CANCELLED, op, op.what);
            drive();
            return;
        }
        PendingExchange p = op.pending;
        if (p != null) {
            remove(ready(op.priority), op);
            op.pending = null;
            emit(EventKind.CANCELLED, op, p.description);
            p.future.completeExceptionally(new CancellationException(op.what + " cancelled"));
        } else {
            // on the wire, or between exchanges: it gets no further one
            emit(EventKind.CANCELLED, op, op.what);
        }
        drive();
    }

    private void emit(EventKind kind, Operation<?> op, String description) {
        Consumer<Event> l = listener;
        if (l != null) {
            l.accept(new Event(kind, op.id, op.priority, description));
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** The queue of operations of {@code priority} with an exchange waiting for the wire. */
    private static int ready(Priority priority) {
        return 1 + priority.ordinal();
    }

    private Operation<?> head(int queue) {
        return queueEnds[2 * queue];
    }

    private void add(int queue, Operation<?> op) {
        op.next = null;
        Operation<?> tail = queueEnds[2 * queue + 1];
        if (tail == null) {
            queueEnds[2 * queue] = op;
        } else {
            tail.next = op;
        }
        queueEnds[2 * queue + 1] = op;
    }

    private Operation<?> poll(int queue) {
        Operation<?> op = queueEnds[2 * queue];
        if (op != null) {
            queueEnds[2 * queue] = op.next;
            if (op.next == null) {
                queueEnds[2 * queue + 1] = null;
            }
            op.next = null;
        }
        return op;
    }

    /** Takes {@code op} out of {@code queue}; false when it is not in it. Linear, and rare (a cancel). */
    private boolean remove(int queue, Operation<?> op) {
        Operation<?> before = null;
        for (Operation<?> o = queueEnds[2 * queue]; o != null; before = o, o = o.next) {
            if (o == op) {
                if (before == null) {
                    queueEnds[2 * queue] = o.next;
                } else {
                    before.next = o.next;
                }
                if (queueEnds[2 * queue + 1] == o) {
                    queueEnds[2 * queue + 1] = before;
                }
                o.next = null;
                return true;
            }
        }
        return false;
    }

    private record PendingExchange(Supplier<byte[][]> request, String description, int replyLimit,
            CompletableFuture<List<GXReplyData>> future) {
    }

    private final class Operation<T> implements Exchanges {
        final Priority priority;
        final String what;
        final boolean barrier;
        final Function<Exchanges, CompletableFuture<T>> body;
        final CompletableFuture<T> result = new CompletableFuture<>();
        long id;
        boolean cancelled;
        PendingExchange pending;
        /** The next in the queue ({@link #queueEnds}) this operation is in, if any. */
        Operation<?> next;

        Operation(Priority priority, String what, boolean barrier, Function<Exchanges, CompletableFuture<T>> body) {
            this.priority = priority;
            this.what = what;
            this.barrier = barrier;
            this.body = body;
        }

        @Override
        public CompletableFuture<List<GXReplyData>> exchange(Supplier<byte[][]> request, String description,
                int replyLimit) {
            if (!channel.eventLoop().inEventLoop()) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "exchange posted off the event loop: " + description));
            }
            if (cancelled) {
                return CompletableFuture.failedFuture(new CancellationException(what + " cancelled"));
            }
            if (pending != null || onWire == this) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        what + " posted " + description + " while another of its exchanges is under way"));
            }
            PendingExchange p = new PendingExchange(request, description, replyLimit, new CompletableFuture<>());
            pending = p;
            add(ready(priority), this);
            emit(EventKind.QUEUED, this, description);
            drive();
            return p.future;
        }
    }
}
