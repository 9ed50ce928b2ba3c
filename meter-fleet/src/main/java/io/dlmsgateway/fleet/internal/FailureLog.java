package io.dlmsgateway.fleet.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the fleet's failure lines readable when many meters fail at once: five thousand meters behind one unreachable
 * converter would otherwise write five thousand WARN lines in a burst, and again after every outage.
 *
 * <p>Each session reports every failed attempt. A meter's first failure of a run of failures (or the loss of a working
 * association) is worth a WARN line of its own, and gets one while the period's budget of such lines lasts; once it is
 * spent, further ones are counted per reason with a few meter names, and one summary line per reason (for the
 * {@value #REASONS_NAMED} commonest reasons, then one line for the rest) says how many at the end of the period. The
 * retries of a run of failures, one per backoff step, go to DEBUG only. So the WARN lines of a period are at most
 * {@code lineBudget + REASONS_NAMED + 1} whatever the fleet's size.
 *
 * <p>Threads: sessions on every event loop report; the counts are kept under this object's lock (a few field updates,
 * nothing that waits), and lines are logged outside it.
 */
public final class FailureLog {

    /** Individual WARN lines of first failures per period before they are only counted. */
    public static final int DEFAULT_LINE_BUDGET = 10;
    static final int REASONS_NAMED = 5;
    private static final int EXAMPLES = 3;

    private static final Logger deviceLog = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");
    private static final Logger connectorLog = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSConnector");

    /** First failures of one reason that were counted instead of logged. */
    private static final class Tally {
        long devices;
        final List<String> examples = new ArrayList<>(EXAMPLES);
    }

    private final int lineBudget;
    private final Duration period;
    // guarded by this
    private int linesThisPeriod;
    private Map<String, Tally> tallies = new LinkedHashMap<>();
    private volatile ScheduledFuture<?> task;

    public FailureLog(int lineBudget, Duration period) {
        this.lineBudget = lineBudget;
        this.period = period;
    }

    /**
     * A failed attempt of one meter.
     *
     * @param prefix  the meter's log prefix, {@code [DLMSDevice[name]] }
     * @param name    the meter's name, for the summary's examples
     * @param reason  why it failed, the same text for the same cause on every meter
     * @param first   true for the first failure of a run of failures (or the loss of a working association)
     * @param delay   the backoff before the next attempt
     * @param attempt the attempt's number within its run of failures, from 1
     */
    public void failed(String prefix, String name, String reason, boolean first, Duration delay, long attempt) {
        boolean logIt = false;
        if (first) {
            synchronized (this) {
                if (linesThisPeriod < lineBudget) {
                    linesThisPeriod++;
                    logIt = true;
                } else {
                    Tally tally = tallies.computeIfAbsent(reason, r -> new Tally());
                    tally.devices++;
                    if (tally.examples.size() < EXAMPLES) {
                        tally.examples.add(name);
                    }
                }
            }
        }
        if (logIt) {
            deviceLog.warn("{}{}; reconnecting in {} ms", prefix, reason, delay.toMillis());
        } else if (deviceLog.isDebugEnabled()) {
            deviceLog.debug("{}{}; reconnecting in {} ms (attempt {})", prefix, reason, delay.toMillis(), attempt);
        }
    }

    /** Summarizes every {@code period} on {@code executor}, starting a period now. */
    public void start(EventExecutor executor) {
        long millis = period.toMillis();
        task = executor.scheduleAtFixedRate(this::endPeriod, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the periods and summarizes the last one. */
    public void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        endPeriod();
    }

    /** Logs what the period counted and starts the next one. */
    void endPeriod() {
        Map<String, Tally> ended;
        synchronized (this) {
            ended = tallies;
            tallies = new LinkedHashMap<>();
            linesThisPeriod = 0;
        }
        if (ended.isEmpty()) {
            return;
        }
        List<Map.Entry<String, Tally>> byCount = new ArrayList<>(ended.entrySet());
        byCount.sort(Comparator.comparingLong((Map.Entry<String, Tally> e) -> e.getValue().devices).reversed());
        long seconds = Math.max(1, period.toSeconds());
        for (Map.Entry<String, Tally> e : byCount.subList(0, Math.min(REASONS_NAMED, byCount.size()))) {
            Tally t = e.getValue();
            connectorLog.warn("[DLMSConnector] {} more {} failed within {} s: {} (e.g. {}); each retries with "
                    + "backoff", t.devices, t.devices == 1 ? "device" : "devices", seconds, e.getKey(),
                    String.join(", ", t.examples));
        }
        if (byCount.size() > REASONS_NAMED) {
            List<Map.Entry<String, Tally>> rest = byCount.subList(REASONS_NAMED, byCount.size());
            long devices = rest.stream().mapToLong(e -> e.getValue().devices).sum();
            connectorLog.warn("[DLMSConnector] {} more devices failed within {} s for {} other reasons, e.g. {}: {}",
                    devices, seconds, rest.size(), rest.get(0).getValue().examples.get(0), rest.get(0).getKey());
        }
    }
}
