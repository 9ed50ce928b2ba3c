package io.dlmsgateway.thingsboard.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Runs tasks one at a time, in the order given, on an executor that may have many threads (a host's pool or event
 * loop group): the transport's "lane". State that only lane tasks touch needs no locks, volatile or concurrent
 * collections, because consecutive tasks are ordered by the hand-over through {@link #pending}.
 *
 * <p>Threading: {@link #execute} may be called from any thread and never blocks; tasks run on the delegate's threads,
 * at most one at a time. A drain gives its thread back after {@value #FAIR_SHARE} tasks, so a busy transport cannot
 * starve the rest of a host event loop. Once the delegate refuses work (the transport's own thread after close),
 * tasks are dropped: they are results and messages arriving after close, with no one left to receive them.
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;
    private static final int FAIR_SHARE = 256;

    private final Executor delegate;
    /** Shared: offered by any thread, polled only by the one running drain; lock-free so offering never blocks. */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /**
     * Shared: tasks offered and not yet run. Whoever moves it from 0 starts the only drain; the drain's decrement and
     * the next offer's increment order every task after the previous one (the happens-before lane tasks rely on).
     */
    private final AtomicInteger pending = new AtomicInteger();

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        if (pending.getAndIncrement() == 0) {
            startDrain();
        }
    }

    private void startDrain() {
        try {
            delegate.execute(this::drain);
        } catch (RejectedExecutionException e) {
            tasks.clear();
            pending.set(0);
            LOG.debug("Dropped a result arriving after close");
        }
    }

    private void drain() {
        int ran = 0;
        int due = pending.get();
        while (true) {
            int share = Math.min(due, FAIR_SHARE - ran);
            for (int i = 0; i < share; i++) {
                // offer precedes the increment, so every counted task is in the queue
                run(tasks.poll());
            }
            ran += share;
            due = pending.addAndGet(-share);
            if (due == 0) {
                return;
            }
            if (ran >= FAIR_SHARE) {
                // pending stays above 0, so no other drain starts before this one is resubmitted
                startDrain();
                return;
            }
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            // a failing task must not stall the lane for every task behind it
            LOG.error("Transport task failed", e);
        }
    }
}
