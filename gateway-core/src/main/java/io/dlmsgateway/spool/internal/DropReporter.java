package io.dlmsgateway.spool.internal;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Logs dropped records at WARN, at most once per interval: the first drop after a quiet interval at once, later ones
 * summed up when the interval ends, so a spool that stays full logs a line every interval and no drop goes unlogged.
 * Used only from the spool thread, which asks {@link #nanosUntilReport} how long it may sleep.
 */
final class DropReporter {

    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final String spoolName;
    private final String situation;
    private long unreported;
    private long total;
    private long lastReportNanos;
    private boolean reported;

    /** @param situation why records are dropped, as the log line says it after the spool's name */
    DropReporter(Logger log, String spoolName, String situation) {
        this.log = log;
        this.spoolName = spoolName;
        this.situation = situation;
    }

    void dropped(long records, long now) {
        if (records <= 0) {
            return;
        }
        unreported += records;
        total += records;
        reportIfDue(now);
    }

    void reportIfDue(long now) {
        if (unreported > 0 && (!reported || now - lastReportNanos >= INTERVAL_NANOS)) {
            report(now);
        }
    }

    /** How long until pending drops are due to be reported; 0 when none are pending. */
    long nanosUntilReport(long now) {
        return unreported == 0 ? 0 : Math.max(1, lastReportNanos + INTERVAL_NANOS - now);
    }

    /** Reports what is pending now, on close. */
    void flush() {
        if (unreported > 0) {
            report(System.nanoTime());
        }
    }

    private void report(long now) {
        log.warn("Spool {} {}: dropped {} record(s), oldest first, since the last report, {} since it was opened",
                spoolName, situation, unreported, total);
        unreported = 0;
        reported = true;
        lastReportNanos = now;
    }
}
