package io.dlmsgateway.bench.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a chaos soak's readings say, from the meters' side and the broker's side together. Pure: everything it needs
 * is handed in, so its rules are tested on their own ({@code ChaosAccountingTest}).
 *
 * <h2>Lost: served by a meter, received by the gateway, never delivered</h2>
 * A simulated meter records each reply carrying register values when it hands it to its socket ({@code served}); the
 * gateway stamps the reading with its poll start ({@code ts}) on the same machine's clock, before it sent the
 * request. So a served reading at {@code S} was delivered when a reading of the same meter with a {@code ts} in
 * {@code [S - matchBack, S + 1]} reached the broker; served and delivered readings of a meter are paired in time
 * order, each delivered one at most once. A served reading counts (must have been delivered) unless the gateway
 * could not have received it:
 * <ul>
 *   <li>it was served while its meter had a fault set, or within {@code killWindow} after the fault was healed
 *       (faults close connections, garble or swallow replies: a reply written to such a connection proves nothing);</li>
 *   <li>it was served less than {@code killWindow} before a gateway kill -9, or while the gateway was down (the
 *       bytes may still have been in a socket buffer when the process died);</li>
 *   <li>it was served after {@code countEnd} (the run's end, after which the gateway is stopped and may leave it in
 *       its spool for the next start).</li>
 * </ul>
 * Every other served reading not delivered is lost, and attributed to the first kill after it when that came within
 * {@link #KILL_ATTRIBUTION_MILLIS}.
 *
 * <h2>Duplicated, missed</h2>
 * Duplicates are entries of a (meter, ts) the broker delivered more than once. A meter's slots missed are counted in
 * the gaps between its consecutive delivered readings inside {@code [windowStart, windowEnd)} (and from the window's
 * edges): a gap of {@code g} misses {@code round(g / interval) - 1} slots, unless it overlaps one of that meter's
 * fault windows or a gateway outage, where slots are expected to be missed (and the gap then includes the meter's
 * reconnect after the heal, reported separately as the recovery time).
 */
final class ChaosAccounting {

    /** A lost reading followed by a kill within this time is put down to that kill. */
    static final long KILL_ATTRIBUTION_MILLIS = 2_000;

    /** A time span {@code [from, to]}, epoch ms. */
    record Span(long from, long to) {
        boolean contains(long t) {
            return t >= from && t <= to;
        }

        boolean overlaps(long a, long b) {
            return from <= b && a <= to;
        }
    }

    /** A fault set on {@code meter} over {@code span} (set to healed). */
    record FaultWindow(int meter, String fault, Span span) {
    }

    /** A gateway kill -9 at {@code killedAt}, started again at {@code restartedAt}. */
    record Kill(long killedAt, long restartedAt) {
    }

    /** The rules' parameters. */
    record Rules(int meters, long intervalMillis, long killWindowMillis, long matchBackMillis, long countEnd,
                 long windowStart, long windowEnd) {
    }

    /** A gap of {@code slots} missed slots of {@code meter} between two delivered readings, for the report. */
    record MissedGap(int meter, long from, long to, long slots) {
    }

    /** One lost reading, for the report. */
    record Lost(int meter, long servedAt, Integer kill) {
    }

    /**
     * The result.
     *
     * @param served             readings the meters served over the run
     * @param counted            of those, the ones the gateway had received (the rules above)
     * @param delivered          of the counted, delivered to the broker
     * @param lost               counted and never delivered
     * @param lostPerKill        lost readings put down to each kill, in kill order
     * @param lostNotNearKill    lost readings with no kill within {@link #KILL_ATTRIBUTION_MILLIS} after them
     * @param excludedFault      served readings not counted: served to a faulted meter
     * @param excludedKill       not counted: served just before a kill or while the gateway was down
     * @param excludedAfterEnd   not counted: served after the end of counting
     * @param deliveredEntries   telemetry entries the broker delivered
     * @param deliveredUnique    unique (meter, ts) among them
     * @param duplicates         entries delivered more than once
     * @param unmatchedDelivered unique delivered readings no served reading pairs with (should be 0)
     * @param missedSlots        slots missed outside fault windows and outages, all meters
     * @param metersMissing      meters with at least one such missed slot
     * @param mostMissedByOne    the most any one meter missed
     * @param excludedGaps       gaps not counted because they overlap a fault window or an outage
     * @param recoveryMillis     per healed fault, heal to the meter's next delivered reading (sorted; faults
     *                           without one in the window are left out)
     * @param lostSample         up to 20 lost readings
     * @param missedSample       up to 20 gaps with missed slots
     */
    record Result(long served, long counted, long delivered, long lost, long[] lostPerKill, long lostNotNearKill,
                  long excludedFault, long excludedKill, long excludedAfterEnd, long deliveredEntries,
                  long deliveredUnique, long duplicates, long unmatchedDelivered, long missedSlots, int metersMissing,
                  long mostMissedByOne, long excludedGaps, long[] recoveryMillis, List<Lost> lostSample,
                  List<MissedGap> missedSample) {
    }

    private ChaosAccounting() {
    }

    /**
     * @param servedMeter    meter of each served reading
     * @param servedAt       when each was served
     * @param deliveredMeter meter of each telemetry entry the broker delivered (unknown devices: negative)
     * @param deliveredTs    its ts
     */
    static Result account(Rules rules, int[] servedMeter, long[] servedAt, int[] deliveredMeter, long[] deliveredTs,
            List<FaultWindow> faults, List<Kill> kills) {
        int n = rules.meters();
        long[][] served = byMeter(n, servedMeter, servedAt);
        long[][] deliveredAll = byMeter(n, deliveredMeter, deliveredTs);
        long entries = 0;
        long unique = 0;
        long[][] delivered = new long[n][];
        for (int m = 0; m < n; m++) {
            entries += deliveredAll[m].length;
            delivered[m] = Arrays.stream(deliveredAll[m]).distinct().toArray();
            unique += delivered[m].length;
        }
        List<List<Span>> faultSpans = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            faultSpans.add(new ArrayList<>());
        }
        for (FaultWindow f : faults) {
            if (f.meter() >= 0 && f.meter() < n) {
                faultSpans.get(f.meter()).add(f.span());
            }
        }
        List<Span> outages = kills.stream().map(k -> new Span(k.killedAt() - rules.killWindowMillis(),
                k.restartedAt())).toList();

        long counted = 0;
        long deliveredCounted = 0;
        long lost = 0;
        long lostNotNearKill = 0;
        long[] lostPerKill = new long[kills.size()];
        long exFault = 0;
        long exKill = 0;
        long exEnd = 0;
        long unmatched = 0;
        long servedTotal = 0;
        List<Lost> sample = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            long[] s = served[m];
            long[] d = delivered[m];
            servedTotal += s.length;
            boolean[] used = new boolean[d.length];
            int next = 0;
            for (long at : s) {
                // the earliest unpaired delivered reading that may be this one
                while (next < d.length && (used[next] || d[next] < at - rules.matchBackMillis())) {
                    next++;
                }
                boolean matched = next < d.length && d[next] <= at + 1;
                if (matched) {
                    used[next] = true;
                    next++;
                }
                if (at > rules.countEnd()) {
                    exEnd++;
                } else if (inAny(faultSpans.get(m), at, rules.killWindowMillis())) {
                    exFault++;
                } else if (inAny(outages, at, 0)) {
                    exKill++;
                } else {
                    counted++;
                    if (matched) {
                        deliveredCounted++;
                    } else {
                        lost++;
                        Integer kill = killAfter(kills, at);
                        if (kill == null) {
                            lostNotNearKill++;
                        } else {
                            lostPerKill[kill]++;
                        }
                        if (sample.size() < 20) {
                            sample.add(new Lost(m, at, kill));
                        }
                    }
                }
            }
            for (boolean u : used) {
                if (!u) {
                    unmatched++;
                }
            }
        }

        // missed slots and recovery, from the delivered side
        long missed = 0;
        int metersMissing = 0;
        long most = 0;
        long excludedGaps = 0;
        List<Long> recovery = new ArrayList<>();
        List<MissedGap> missedSample = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            long[] d = Arrays.stream(delivered[m]).filter(t -> t >= rules.windowStart() && t < rules.windowEnd())
                    .toArray();
            long[] points = new long[d.length + 2];
            points[0] = rules.windowStart();
            System.arraycopy(d, 0, points, 1, d.length);
            points[points.length - 1] = rules.windowEnd();
            long mine = 0;
            for (int k = 1; k < points.length; k++) {
                long a = points[k - 1];
                long b = points[k];
                boolean edge = k == 1 || k == points.length - 1;
                if (overlapsAny(faultSpans.get(m), a, b) || overlapsAny(outages, a, b)) {
                    excludedGaps++;
                    continue;
                }
                long slots = edge ? (b - a) / rules.intervalMillis()
                        : Math.max(0, Math.round((double) (b - a) / rules.intervalMillis()) - 1);
                mine += slots;
                if (slots > 0 && missedSample.size() < 20) {
                    missedSample.add(new MissedGap(m, a, b, slots));
                }
            }
            missed += mine;
            if (mine > 0) {
                metersMissing++;
                most = Math.max(most, mine);
            }
            for (Span f : faultSpans.get(m)) {
                for (long t : delivered[m]) {
                    if (t > f.to()) {
                        if (t < rules.windowEnd()) {
                            recovery.add(t - f.to());
                        }
                        break;
                    }
                }
            }
        }
        long[] rec = recovery.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(servedTotal, counted, deliveredCounted, lost, lostPerKill, lostNotNearKill, exFault, exKill,
                exEnd, entries, unique, entries - unique, unmatched, missed, metersMissing, most, excludedGaps, rec,
                List.copyOf(sample), List.copyOf(missedSample));
    }

    private static boolean inAny(List<Span> spans, long t, long after) {
        for (Span s : spans) {
            if (t >= s.from() && t <= s.to() + after) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlapsAny(List<Span> spans, long a, long b) {
        for (Span s : spans) {
            if (s.overlaps(a, b)) {
                return true;
            }
        }
        return false;
    }

    /** Index of the first kill at or after {@code t} within {@link #KILL_ATTRIBUTION_MILLIS}, or null. */
    private static Integer killAfter(List<Kill> kills, long t) {
        for (int k = 0; k < kills.size(); k++) {
            long at = kills.get(k).killedAt();
            if (at >= t && at - t <= KILL_ATTRIBUTION_MILLIS) {
                return k;
            }
        }
        return null;
    }

    /** Times of each meter's events, sorted; events of meters outside {@code [0, n)} are dropped. */
    private static long[][] byMeter(int n, int[] meter, long[] at) {
        int[] counts = new int[n];
        for (int m : meter) {
            if (m >= 0 && m < n) {
                counts[m]++;
            }
        }
        long[][] out = new long[n][];
        for (int m = 0; m < n; m++) {
            out[m] = new long[counts[m]];
        }
        int[] fill = new int[n];
        for (int k = 0; k < meter.length; k++) {
            int m = meter[k];
            if (m >= 0 && m < n) {
                out[m][fill[m]++] = at[k];
            }
        }
        for (long[] a : out) {
            Arrays.sort(a);
        }
        return out;
    }
}
