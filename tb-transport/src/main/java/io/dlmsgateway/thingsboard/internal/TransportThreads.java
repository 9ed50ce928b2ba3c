package io.dlmsgateway.thingsboard.internal;

import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where the transport's work runs: the application executor (MQTT results and incoming messages), a timer (RPC,
 * session-limit and close timeouts) and the lane, the serial executor that owns the control state of every concern.
 *
 * <p>The host's executor is used when it can also schedule (a Netty event loop can: the gateway shares its own);
 * otherwise one daemon thread of the transport's. The library never falls back on RxJava's computation pool, and
 * never shuts down what the host handed in (lettuce's {@code ClientResources} rule).
 *
 * <p>Threading: immutable after construction; {@link #shutdownOwnThread()} is called once, on the lane, by close.
 */
final class TransportThreads {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;

    private final ScheduledThreadPoolExecutor ownThread;
    final Executor application;
    final Scheduler timer;
    final SerialExecutor lane;
    /** The lane as a Reactor scheduler, for {@code subscribeOn}/{@code publishOn} back onto it. */
    final Scheduler laneScheduler;

    TransportThreads(ThingsBoardSettings settings) {
        if (settings.applicationExecutor() instanceof ScheduledExecutorService hostScheduler) {
            this.ownThread = null;
            this.application = hostScheduler;
            // never disposed, which would shut the host's executor down
            this.timer = Schedulers.fromExecutorService(hostScheduler, "tb-transport-timer");
        } else {
            this.ownThread = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "tb-transport-" + settings.clientId());
                t.setDaemon(true);
                return t;
            });
            ownThread.setRemoveOnCancelPolicy(true);
            this.application = settings.applicationExecutor() != null ? settings.applicationExecutor()
                    : this::runOnOwnThread;
            this.timer = Schedulers.fromExecutorService(ownThread, "tb-transport-timer");
        }
        this.lane = new SerialExecutor(application);
        this.laneScheduler = Schedulers.fromExecutor(lane);
    }

    /**
     * Runs on the transport's own thread, or not at all once it is shut down: the MQTT client still reports the
     * end of a connect attempt or reconnect cancelled by close, at the time that reconnect was due, and RxJava would
     * print a rejected result as an undeliverable error.
     */
    private void runOnOwnThread(Runnable task) {
        try {
            ownThread.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("Dropped a result arriving after close");
        }
    }

    /** Shuts down the transport's own thread, if it has one; the host's executor is the host's to stop. */
    void shutdownOwnThread() {
        if (ownThread != null) {
            ownThread.shutdown();
        }
    }
}
