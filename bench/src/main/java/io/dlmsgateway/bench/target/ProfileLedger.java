package io.dlmsgateway.bench.target;

import java.util.Arrays;

/**
 * The load-profile rows a backfill run delivered, per meter: their capture times ({@code ts}) as they arrived, and
 * what those say once the run is over: rows unique and duplicated, gaps (two consecutive rows of a meter further
 * apart than one capture period), whether each meter's rows reach back over the whole backfill window and up to the
 * present, and when the last row arrived.
 *
 * <p>A meter is <em>complete</em> when its unique rows run without a gap from at most one period after
 * {@code launch - backfill} to at least the last capture time due before {@code launch}: every row the meter held
 * when the gateway started, which is what the backfill owes. Thread-safe: rows are added from the MQTT client's
 * threads while the side checks completeness on another.
 */
public final class ProfileLedger {

    /** The gateway reaches every meter within this of its start, so its backfill window starts by then. */
    static final long CONTACT_MARGIN_MILLIS = 60_000;

    private final long periodMillis;
    private final long oldestDue;
    private final long newestDue;
    private final long[][] ts;
    private final int[] count;
    private long rows;
    private long lastArrival = -1;
    private long firstArrival = -1;

    /**
     * @param meters       meters of the run; device {@code meter-i} is meter {@code i}
     * @param periodMillis capture period of the profile
     * @param launchMillis when the gateway started
     * @param backfillMillis how far back the gateway reads on first contact
     */
    public ProfileLedger(int meters, long periodMillis, long launchMillis, long backfillMillis) {
        this.periodMillis = periodMillis;
        // rows on the epoch-aligned grid: the oldest one inside the window, the newest one due at launch; the
        // gateway's window starts at its first contact with the meter, up to CONTACT_MARGIN after launch
        this.oldestDue = Math.floorDiv(launchMillis + CONTACT_MARGIN_MILLIS - backfillMillis, periodMillis)
                * periodMillis + periodMillis;
        this.newestDue = Math.floorDiv(launchMillis, periodMillis) * periodMillis;
        this.ts = new long[meters][];
        this.count = new int[meters];
        int expected = (int) Math.min(1 << 20, backfillMillis / periodMillis + 8);
        for (int i = 0; i < meters; i++) {
            ts[i] = new long[expected];
        }
    }

    /** Rows each complete meter has at least. */
    public long rowsOwedPerMeter() {
        return (newestDue - oldestDue) / periodMillis + 1;
    }

    public synchronized void add(int meter, long tsMillis, long arrivalMillis) {
        if (meter < 0 || meter >= ts.length) {
            return;
        }
        if (count[meter] == ts[meter].length) {
            ts[meter] = Arrays.copyOf(ts[meter], count[meter] * 2);
        }
        ts[meter][count[meter]++] = tsMillis;
        rows++;
        lastArrival = Math.max(lastArrival, arrivalMillis);
        if (firstArrival < 0) {
            firstArrival = arrivalMillis;
        }
    }

    public synchronized long rows() {
        return rows;
    }

    /** What the rows say now. */
    public synchronized Analysis analyse() {
        long unique = 0;
        long gaps = 0;
        int complete = 0;
        for (int i = 0; i < ts.length; i++) {
            long[] sorted = Arrays.copyOf(ts[i], count[i]);
            Arrays.sort(sorted);
            long meterUnique = 0;
            long previous = Long.MIN_VALUE;
            boolean gapFree = true;
            for (long t : sorted) {
                if (t == previous) {
                    continue;
                }
                if (previous != Long.MIN_VALUE && t - previous != periodMillis) {
                    gaps++;
                    gapFree = false;
                }
                previous = t;
                meterUnique++;
            }
            unique += meterUnique;
            if (gapFree && meterUnique > 0 && sorted[0] <= oldestDue && sorted[sorted.length - 1] >= newestDue) {
                complete++;
            }
        }
        return new Analysis(rows, unique, rows - unique, gaps, complete, rowsOwedPerMeter(), firstArrival,
                lastArrival);
    }

    /**
     * @param rows        rows received, duplicates included
     * @param unique      distinct (meter, capture time) pairs
     * @param duplicates  rows received more than once
     * @param gaps        consecutive unique rows of a meter more than one period apart
     * @param complete    meters whose rows cover the whole backfill window without a gap
     * @param owedPerMeter rows a complete meter has at least
     * @param firstArrival epoch ms of the first row's arrival, -1 when none came
     * @param lastArrival  epoch ms of the last row's arrival, -1 when none came
     */
    public record Analysis(long rows, long unique, long duplicates, long gaps, int complete, long owedPerMeter,
                           long firstArrival, long lastArrival) {
    }
}
