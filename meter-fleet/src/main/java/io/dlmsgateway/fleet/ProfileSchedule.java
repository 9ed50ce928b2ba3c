package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.ObisCode;
import java.time.Duration;
import java.util.Objects;

/**
 * A Profile Generic object (class 7) the fleet reads from a meter, and how: every {@code interval} it reads the rows
 * captured since the last row stored (the mark, see {@link ProfileStore}), or on first contact those of the last
 * {@code backfill}, up to the meter's now, in reads of at most {@code maxRowsPerRead} rows and {@code maxSpanPerRead}
 * of capture time. No ThingsBoard keys here: what the rows become is the consumer's business.
 *
 * @param profile        the profile's OBIS code, e.g. {@code 1.0.99.1.0.255} (15-minute load profile)
 * @param interval       time between reads, on the session's fixed grid
 * @param backfill       how far back from the meter's now the first read of a meter without a mark goes
 * @param maxRowsPerRead most rows one request may bring (by range: the span is cut to this many capture periods; by
 *                       entry: this many entries)
 * @param maxSpanPerRead most capture time one range request covers
 */
public record ProfileSchedule(ObisCode profile, Duration interval, Duration backfill, int maxRowsPerRead,
                              Duration maxSpanPerRead) {

    /** The 15-minute load profile's usual OBIS code. */
    public static final ObisCode LOAD_PROFILE = ObisCode.parse("1.0.99.1.0.255");
    /** Read every 15 minutes unless set: a 15-minute profile gains one row in that time. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(15);
    /** Seven days back on first contact unless set: what a 15-minute profile of most meters holds. */
    public static final Duration DEFAULT_BACKFILL = Duration.ofDays(7);
    /**
     * One day of 15-minute rows per request unless set: a few kilobytes per reply for a profile of a handful of
     * columns, and with a thousand meters backfilling at once at most that many rows per meter in memory.
     */
    public static final int DEFAULT_MAX_ROWS_PER_READ = 96;
    /** One day of capture time per range request unless set. */
    public static final Duration DEFAULT_MAX_SPAN_PER_READ = Duration.ofDays(1);

    public ProfileSchedule {
        Objects.requireNonNull(profile, "profile");
        positive("interval", interval);
        positive("backfill", backfill);
        positive("maxSpanPerRead", maxSpanPerRead);
        if (maxRowsPerRead < 1) {
            throw new IllegalArgumentException("maxRowsPerRead must be at least 1, got " + maxRowsPerRead);
        }
    }

    /** The profile read with the defaults: every 15 minutes, 7 days back, 96 rows and one day per request. */
    public static ProfileSchedule of(ObisCode profile) {
        return new ProfileSchedule(profile, DEFAULT_INTERVAL, DEFAULT_BACKFILL, DEFAULT_MAX_ROWS_PER_READ,
                DEFAULT_MAX_SPAN_PER_READ);
    }

    public ProfileSchedule withInterval(Duration value) {
        return new ProfileSchedule(profile, value, backfill, maxRowsPerRead, maxSpanPerRead);
    }

    public ProfileSchedule withBackfill(Duration value) {
        return new ProfileSchedule(profile, interval, value, maxRowsPerRead, maxSpanPerRead);
    }

    public ProfileSchedule withMaxRowsPerRead(int value) {
        return new ProfileSchedule(profile, interval, backfill, value, maxSpanPerRead);
    }

    public ProfileSchedule withMaxSpanPerRead(Duration value) {
        return new ProfileSchedule(profile, interval, backfill, maxRowsPerRead, value);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
