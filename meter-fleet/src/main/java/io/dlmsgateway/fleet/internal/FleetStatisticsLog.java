package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.FleetStatistics;
import io.dlmsgateway.resources.LogText;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the fleet's statistics periodically in the lines the Python connector's users know: a summary at INFO, and
 * per device {@code [DLMSDevice[name]] Total polls: 1234, Success rate: 98.5%, Last poll: ...} — at INFO for
 * devices that are down or failed polls in the period, at DEBUG for the healthy ones, so that ten thousand meters do
 * not flood the log. Of the unhealthy ones, the first {@value #UNHEALTHY_LINES} get their INFO line and the rest one
 * line with their count (their own lines at DEBUG): a site whose network is down for hours is not thousands of lines
 * a minute.
 */
public final class FleetStatisticsLog {

    static final int UNHEALTHY_LINES = 20;

    private static final Logger connectorLog = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSConnector");
    private static final Logger deviceLog = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");
    private static final DateTimeFormatter LAST_POLL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final Supplier<FleetStatistics> fleet;
    private final Supplier<List<DeviceStatistics>> devices;
    // touched only by the logging task, which runs on one event loop
    private final Map<String, Long> failuresAtLastLog = new HashMap<>();
    private long pollsAtLastLog;
    private long lastLogNanos;
    private volatile ScheduledFuture<?> task;

    public FleetStatisticsLog(Supplier<FleetStatistics> fleet, Supplier<List<DeviceStatistics>> devices) {
        this.fleet = fleet;
        this.devices = devices;
    }

    public void start(EventExecutor executor, Duration interval) {
        if (interval.isZero()) {
            return;
        }
        lastLogNanos = System.nanoTime();
        long millis = interval.toMillis();
        task = executor.scheduleAtFixedRate(this::log, millis, millis, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    void log() {
        FleetStatistics s = fleet.get();
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastLogNanos) / 1e9);
        double pollRate = (s.polls() - pollsAtLastLog) / seconds;
        pollsAtLastLog = s.polls();
        lastLogNanos = now;
        connectorLog.info(String.format(Locale.ROOT,
                "[DLMSConnector] Connected %d/%d devices; polls %d (%d ok, %d failed, %d skipped, %d missed), "
                        + "%.1f polls/s; bytes received %d, sent %d",
                s.devicesUp(), s.devicesTotal(), s.polls(), s.successes(), s.failures(), s.skipped(), s.missed(),
                pollRate, s.bytesReceived(), s.bytesSent()));
        boolean debug = deviceLog.isDebugEnabled();
        int unhealthyLines = 0;
        long unhealthyBeyond = 0;
        for (DeviceStatistics d : devices.get()) {
            long failedBefore = failuresAtLastLog.getOrDefault(d.device(), 0L);
            failuresAtLastLog.put(d.device(), d.failures());
            boolean unhealthy = d.state() == DeviceState.DOWN || d.failures() > failedBefore;
            boolean info = unhealthy && unhealthyLines < UNHEALTHY_LINES;
            if (unhealthy && !info) {
                unhealthyBeyond++;
            }
            if (info || debug) {
                String line = line(d);
                if (info) {
                    unhealthyLines++;
                    deviceLog.info(line);
                } else {
                    deviceLog.debug(line);
                }
            }
        }
        if (unhealthyBeyond > 0) {
            connectorLog.info("[DLMSConnector] {} more devices down or failing polls (their lines at DEBUG)",
                    unhealthyBeyond);
        }
    }

    static String line(DeviceStatistics d) {
        // a meter never polled has no success rate: "100 %" would say all is well with a meter never reached
        String rate = d.polls() == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", d.successRate());
        return String.format(Locale.ROOT, "[DLMSDevice[%s]] Total polls: %d, Success rate: %s, Last poll: %s%s",
                LogText.escape(d.device()), d.polls(), rate,
                d.lastPoll().map(LAST_POLL::format).orElse("never"),
                d.state() == DeviceState.DOWN ? ", down: " + LogText.escape(d.lastError().orElse("unknown")) : "");
    }
}
