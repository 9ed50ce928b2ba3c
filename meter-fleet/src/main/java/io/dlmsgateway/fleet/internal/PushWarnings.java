package io.dlmsgateway.fleet.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push listener's WARN lines, at most one per reason and period plus one summary: a meter that sends garbage
 * every second, or ten thousand meters with a wrong key, would otherwise flood the log. The first rejection of a reason
 * in a period is logged with its peer and detail at once; further ones are counted, and when the period ends one line
 * per reason says how many more there were and names the last. Every rejection is also logged at DEBUG. Lock-free.
 */
public final class PushWarnings {

    private static final Logger LOG = LoggerFactory.getLogger("io.dlmsgateway.fleet.PushListener");

    private static final class Tally {
        final AtomicLong count = new AtomicLong();
        volatile String last = "";
    }

    private final Duration period;
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();
    private volatile ScheduledFuture<?> task;

    public PushWarnings(Duration period) {
        this.period = period;
    }

    /**
     * One connection closed for {@code reason} (the same text for the same cause, e.g. "unknown sender").
     *
     * @param detail what exactly, e.g. the decoder's message
     */
    public void rejected(String reason, SocketAddress peer, String detail) {
        Tally t = tallies.get(reason);
        if (t == null) {
            Tally fresh = new Tally();
            t = tallies.putIfAbsent(reason, fresh);
            if (t == null) {
                t = fresh;
            }
        }
        String line = peer + ": " + detail;
        if (t.count.getAndIncrement() == 0) {
            LOG.warn("Push from {} refused, connection closed: {}: {}", peer, reason, detail);
        } else {
            t.last = line;
            LOG.debug("Push from {} refused, connection closed: {}: {}", peer, reason, detail);
        }
    }

    /** Summarizes every period on {@code executor}. */
    public void start(EventExecutor executor) {
        long millis = period.toMillis();
        task = executor.scheduleAtFixedRate(this::endPeriod, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the periods and summarizes the last. */
    public void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        endPeriod();
    }

    void endPeriod() {
        long seconds = Math.max(1, period.toSeconds());
        tallies.forEach((reason, t) -> {
            long more = t.count.getAndSet(0) - 1;
            if (more > 0) {
                LOG.warn("Push: {} more connections refused within {} s: {} (last {})", more, seconds, reason,
                        t.last);
            }
        });
    }
}
