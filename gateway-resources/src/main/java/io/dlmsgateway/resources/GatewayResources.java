package io.dlmsgateway.resources;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The event loops and timers the meter fleet, the ThingsBoard transport and the whole gateway run on, and who owns
 * them (in the spirit of lettuce's {@code ClientResources} and reactor-netty's {@code LoopResources}).
 *
 * <pre>{@code
 * // the gateway's own loops, one per core; whoever created them shuts them down
 * GatewayResources resources = GatewayResources.create();
 * // or the host application's loops: shared, never shut down by the gateway
 * GatewayResources shared = GatewayResources.shared(hostGroup);
 * MeterFleet fleet = MeterFleet.create(meters, FleetOptions.builder().resources(shared).build());
 * }</pre>
 *
 * <p>A component handed resources never shuts them down: {@link #shutdown()} is for whoever called {@link #create},
 * and it leaves a group passed to {@link #shared} running.
 *
 * <p>Every timer runs on its own event loop, so a meter's socket, its timeouts and its schedule share one thread and
 * need no locks. Thread-safe; immutable after construction.
 */
public final class GatewayResources {

    /** Thread name prefix of loops the gateway makes for itself. */
    public static final String DEFAULT_THREAD_PREFIX = "dlms-gateway";

    private final EventLoopGroup eventLoops;
    private final boolean ownsEventLoops;
    // filled once in the constructor and only read afterwards: safe to share without synchronisation
    private final Map<EventExecutor, Scheduler> timers = new IdentityHashMap<>();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final Sinks.Empty<Void> terminated = Sinks.empty();

    private GatewayResources(EventLoopGroup eventLoops, boolean ownsEventLoops) {
        this.eventLoops = Objects.requireNonNull(eventLoops, "eventLoops");
        this.ownsEventLoops = ownsEventLoops;
        for (EventExecutor loop : eventLoops) {
            timers.put(loop, Schedulers.fromExecutorService(loop, "dlms-timer"));
        }
    }

    /** One event loop per available processor, of the best socket transport here ({@link SocketTransport}). */
    public static GatewayResources create() {
        return create(Runtime.getRuntime().availableProcessors(), DEFAULT_THREAD_PREFIX);
    }

    /** {@code threads} daemon event loops named {@code threadPrefix-...}, owned by the returned resources. */
    public static GatewayResources create(int threads, String threadPrefix) {
        if (threads <= 0) {
            throw new IllegalArgumentException("event-loop threads must be positive, got " + threads);
        }
        return new GatewayResources(SocketTransport.newEventLoopGroup(threads,
                new DefaultThreadFactory(threadPrefix, true)), true);
    }

    /**
     * The host application's event loops. Their kind must match the socket transport in use (an epoll group on
     * Linux unless {@code -Dio.netty.transport.noNative=true}; {@link SocketTransport#newEventLoopGroup} makes the
     * right one). {@link #shutdown()} leaves them running.
     */
    public static GatewayResources shared(EventLoopGroup hostEventLoops) {
        return new GatewayResources(hostEventLoops, false);
    }

    /** The event loops. */
    public EventLoopGroup eventLoops() {
        return eventLoops;
    }

    /** The next event loop, round robin: where a new meter's socket, timers and session live. */
    public EventLoop nextEventLoop() {
        return eventLoops.next();
    }

    /** A Reactor scheduler whose tasks and timers run on {@code loop} itself. */
    public Scheduler timer(EventLoop loop) {
        Scheduler timer = timers.get(loop);
        if (timer == null) {
            throw new IllegalArgumentException(loop + " is not one of these resources' event loops");
        }
        return timer;
    }

    /** Whether {@link #shutdown()} shuts the event loops down (they were made by {@link #create}). */
    public boolean ownsEventLoops() {
        return ownsEventLoops;
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return SocketTransport.name(eventLoops);
    }

    /** The number of event loops. */
    public int eventLoopCount() {
        int n = 0;
        for (EventExecutor ignored : eventLoops) {
            n++;
        }
        return n;
    }

    /**
     * Shuts the event loops down when these resources made them, after {@code quietPeriod} without new tasks;
     * completes at once for a host's loops. Does not block; idempotent.
     */
    public Mono<Void> shutdown(Duration quietPeriod) {
        if (shutdownStarted.compareAndSet(false, true)) {
            if (!ownsEventLoops) {
                terminated.tryEmitEmpty();
            } else {
                eventLoops.shutdownGracefully(quietPeriod.toMillis(), Math.max(1_000, quietPeriod.toMillis()),
                        TimeUnit.MILLISECONDS).addListener(f -> terminated.tryEmitEmpty());
            }
        }
        return terminated.asMono();
    }

    /** {@link #shutdown(Duration)} with no quiet period. */
    public Mono<Void> shutdown() {
        return shutdown(Duration.ZERO);
    }

    @Override
    public String toString() {
        return "GatewayResources[" + eventLoopCount() + " " + transportName() + " event loops, "
                + (ownsEventLoops ? "owned" : "shared") + "]";
    }
}
