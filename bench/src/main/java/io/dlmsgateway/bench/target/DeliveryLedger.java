package io.dlmsgateway.bench.target;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Every telemetry entry the ThingsBoard side received, and what they say about the gateway once the run is over:
 * which poll slot each reading belongs to, how late it was polled and delivered, which were duplicates.
 *
 * <p>The gateway publishes a reading's poll start ({@code ts}), not its slot, and each meter's grid starts when
 * the gateway subscribes to its session, which the subscriber does not see (the sessions start one after another,
 * so at start-up the meters' grids are skewed by up to a few hundred milliseconds against each other). Meter
 * {@code i}'s slots are {@code start_i + i·interval/N + k·interval} as {@code MeterFleet} spreads them, so
 * {@code (ts - i·interval/N) mod interval} is the phase of its start plus the poll's schedule lag. Lags are short
 * next to the interval, so a meter's phases form one cluster on the circle of one interval; the cluster starts after
 * the largest empty arc, and that start is taken as the meter's own grid phase: its most punctual poll of the sample
 * defines its slot, as the fleet's own {@code scheduledAt} would. A delay that is the same for every poll of a meter
 * is therefore invisible here (the phases of all meters are reported so their spread shows). A reading's slot is
 * its meter's slot nearest at or below its {@code ts}.
 *
 * <p>Thread-safe: {@link #add} may be called from the MQTT client's threads while the analysis runs on another.
 */
public final class DeliveryLedger {

    /** A poll up to this much before its meter's estimated slot counts for that slot (timer jitter). */
    static final long EARLY_TOLERANCE_MILLIS = 100;

    private static final JsonFactory TELEMETRY_JSON = new JsonFactory();
    private static final String DEVICE_PREFIX = "meter-";

    private final int meters;
    private final long intervalMillis;
    private int size;
    private int[] meter = new int[1 << 16];
    private long[] ts = new long[1 << 16];
    private long[] arrival = new long[1 << 16];
    private short[] values = new short[1 << 16];
    // a backfill run: entries with this key are load-profile rows, kept apart from the readings
    private volatile ProfileLedger profiles;
    private volatile String profileKey;

    /**
     * @param meters         meters of the grid; device {@code meter-i} is meter {@code i}
     * @param intervalMillis polling interval of every meter
     */
    public DeliveryLedger(int meters, long intervalMillis) {
        this.meters = meters;
        this.intervalMillis = intervalMillis;
    }

    /**
     * Sends entries that carry {@code key} (a load-profile column the register polls do not read) to
     * {@code profiles} instead of this ledger.
     */
    public void separateProfileRows(String key, ProfileLedger ledger) {
        this.profileKey = key;
        this.profiles = ledger;
    }

    /** One telemetry entry of meter {@code meterIndex} with poll start {@code tsMillis} arrived at {@code arrivalMillis}. */
    public synchronized void add(int meterIndex, long tsMillis, long arrivalMillis, int valueCount) {
        if (size == meter.length) {
            int n = size * 2;
            meter = Arrays.copyOf(meter, n);
            ts = Arrays.copyOf(ts, n);
            arrival = Arrays.copyOf(arrival, n);
            values = Arrays.copyOf(values, n);
        }
        meter[size] = meterIndex;
        ts[size] = tsMillis;
        arrival[size] = arrivalMillis;
        values[size] = (short) Math.min(Short.MAX_VALUE, valueCount);
        size++;
    }

    /**
     * Adds every entry of a {@code v1/gateway/telemetry} payload ({@code {"meter-i": [{"ts": .., "values": {..}}, ..],
     * ..}}, parsed as a stream: no tree per message); devices not named {@code meter-i} count as meter -1.
     *
     * @return false when the payload is not such an object (what was read before the fault is kept)
     */
    public boolean addGatewayTelemetry(byte[] payload, long arrivalMillis) {
        try (JsonParser p = TELEMETRY_JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String device = p.currentName();
                int index = meterIndex(device);
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    long ts = -1;
                    int values = 0;
                    boolean profileRow = false;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken t = p.nextToken();
                        if (field.equals("ts")) {
                            ts = p.getLongValue();
                        } else if (field.equals("values") && t == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                profileRow |= profileKey != null && profileKey.equals(p.currentName());
                                p.nextToken();
                                p.skipChildren();
                                values++;
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    if (ts >= 0 && profileRow) {
                        profiles.add(index, ts, arrivalMillis);
                    } else if (ts >= 0) {
                        add(index, ts, arrivalMillis, values);
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code meter-i} is meter {@code i}; anything else -1. */
    static int meterIndex(String device) {
        if (!device.startsWith(DEVICE_PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(device.substring(DEVICE_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The meter of every entry received so far, in arrival order. */
    public synchronized int[] entryMeters() {
        return Arrays.copyOf(meter, size);
    }

    /** The ts of every entry received so far, in arrival order. */
    public synchronized long[] entryTimestamps() {
        return Arrays.copyOf(ts, size);
    }

    /** Entries received so far. */
    public synchronized int size() {
        return size;
    }

    /**
     * The phase of every meter's grid in {@code [0, interval)} relative to {@code reference}, from the entries that
     * arrived in {@code [fromMillis, toMillis)}; a meter without any gets the phase of all meters' entries together.
     */
    public synchronized long[] originPhases(long reference, long fromMillis, long toMillis) {
        int iv = (int) intervalMillis;
        BitSet all = new BitSet(iv);
        BitSet[] perMeter = new BitSet[meters];
        for (int k = 0; k < size; k++) {
            int i = meter[k];
            if (i >= 0 && i < meters && arrival[k] >= fromMillis && arrival[k] < toMillis) {
                int phase = (int) phase(i, ts[k], reference);
                all.set(phase);
                if (perMeter[i] == null) {
                    perMeter[i] = new BitSet();
                }
                perMeter[i].set(phase);
            }
        }
        long common = clusterStart(all, iv);
        long[] phases = new long[meters];
        for (int i = 0; i < meters; i++) {
            phases[i] = perMeter[i] == null ? common : clusterStart(perMeter[i], iv);
        }
        return phases;
    }

    /** The first set bit after the longest circular run of clear bits; 0 when none or all are set. */
    static long clusterStart(BitSet occupied, int length) {
        if (occupied.isEmpty() || occupied.cardinality() == length) {
            return 0;
        }
        int bestGap = -1;
        int bestStart = 0;
        int first = occupied.nextSetBit(0);
        int previous = first;
        for (int bit = occupied.nextSetBit(first + 1); bit >= 0; bit = occupied.nextSetBit(bit + 1)) {
            int gap = bit - previous - 1;
            if (gap > bestGap) {
                bestGap = gap;
                bestStart = bit;
            }
            previous = bit;
        }
        // the gap that wraps from the last set bit round to the first
        int wrapGap = length - 1 - previous + first;
        if (wrapGap > bestGap) {
            bestStart = first;
        }
        return bestStart;
    }

    /** Slots of a meter whose first slot is {@code first} inside {@code [start, end)}. */
    private long slotsIn(long first, long start, long end) {
        long fromK = Math.max(0, -Math.floorDiv(-(start - first), intervalMillis));
        long toK = Math.max(0, -Math.floorDiv(-(end - first), intervalMillis));
        return Math.max(0, toK - fromK);
    }

    private long phase(int meterIndex, long tsMillis, long reference) {
        return Math.floorMod(tsMillis - reference - intervalMillis * meterIndex / meters, intervalMillis);
    }

    /**
     * Counts the run against the gateway's grid.
     *
     * @param reference   the time the phases are relative to, epoch ms
     * @param phases      each meter's grid phase ({@link #originPhases})
     * @param windowStart window opening
     * @param windowEnd   window end (exclusive)
     * @param deadline    readings of window slots arriving after this do not count as done (the grace time)
     */
    public synchronized Analysis analyse(long reference, long[] phases, long windowStart, long windowEnd,
            long deadline) {
        long scheduled = 0;
        for (int i = 0; i < meters; i++) {
            scheduled += slotsIn(reference + phases[i] + intervalMillis * i / meters, windowStart, windowEnd);
        }
        Histogram lag = new Histogram(3);
        Histogram readToDelivery = new Histogram(3);
        Histogram slotToDelivery = new Histogram(3);
        Set<Long> seen = new HashSet<>(size * 2);
        BitSet upAtEnd = new BitSet(meters);
        long done = 0;
        long onTime = 0;
        long valuesRead = 0;
        long arrivedInWindow = 0;
        long duplicates = 0;
        long unknownDevices = 0;
        long extraPolls = 0;
        Set<Long> slots = new HashSet<>(size * 2);
        long earlyTolerance = Math.min(EARLY_TOLERANCE_MILLIS, intervalMillis / 10);
        for (int k = 0; k < size; k++) {
            int i = meter[k];
            if (i < 0 || i >= meters) {
                unknownDevices++;
                continue;
            }
            if (!seen.add(((long) i << 42) ^ ts[k])) {
                duplicates++;
                continue;
            }
            if (arrival[k] >= windowStart && arrival[k] < windowEnd) {
                arrivedInWindow++;
            }
            long lagMillis = phase(i, ts[k], reference + phases[i]);
            if (lagMillis >= intervalMillis - earlyTolerance) {
                // polled a little before the meter's most punctual poll of the sample: timer jitter, not a slot late
                lagMillis -= intervalMillis;
            }
            long slot = ts[k] - lagMillis;
            if (slot < windowStart || slot >= windowEnd || arrival[k] > deadline) {
                continue;
            }
            if (!slots.add(((long) i << 42) ^ slot)) {
                extraPolls++;
                continue;
            }
            lagMillis = Math.max(0, lagMillis);
            done++;
            if (lagMillis <= PollRecorder.ON_TIME_MILLIS) {
                onTime++;
            }
            valuesRead += values[k];
            lag.recordValue(lagMillis * 1000);
            readToDelivery.recordValue(Math.max(0, arrival[k] - ts[k]) * 1000);
            slotToDelivery.recordValue(Math.max(0, arrival[k] - slot) * 1000);
            if (slot >= windowEnd - intervalMillis) {
                upAtEnd.set(i);
            }
        }
        long minPhase = Arrays.stream(phases).min().orElse(0);
        long maxPhase = Arrays.stream(phases).max().orElse(0);
        return new Analysis(scheduled, minPhase, maxPhase, extraPolls, done, onTime, arrivedInWindow, valuesRead, size, seen.size(), duplicates,
                unknownDevices, upAtEnd.cardinality(), TargetSummary.Percentiles.ofMicros(lag),
                TargetSummary.Percentiles.ofMicros(readToDelivery), TargetSummary.Percentiles.ofMicros(slotToDelivery));
    }

    /** Writes every entry as {@code meter,ts,arrival} lines, for a closer look after the run. */
    public synchronized void writeCsv(java.nio.file.Path file) throws java.io.IOException {
        try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(file)) {
            w.write("meter,ts,arrival\n");
            for (int k = 0; k < size; k++) {
                w.write(meter[k] + "," + ts[k] + "," + arrival[k] + "\n");
            }
        }
    }

    /** Entries, unique (device, ts) pairs and duplicates over everything received. */
    public synchronized long[] totals() {
        Set<Long> seen = new HashSet<>(size * 2);
        for (int k = 0; k < size; k++) {
            seen.add(((long) meter[k] << 42) ^ ts[k]);
        }
        return new long[] {size, seen.size(), size - seen.size()};
    }

    /**
     * What the ledger says about the window.
     *
     * @param scheduled        slots of all meters in the window, on the grids as estimated
     * @param minPhase         earliest meter grid phase found (ms after the reference, mod interval)
     * @param maxPhase         latest one; a spread beyond a few ms is the gateway's start-up skew
     * @param extraPolls       unique readings of a window slot that already had one (not counted as done)
     * @param done             unique readings of window slots delivered by the deadline
     * @param onTime           of those, polled at most 1 s after their slot
     * @param arrivedInWindow  unique readings (of any slot) that arrived inside the window
     * @param valuesRead       values of the readings done
     * @param entries          entries received over the whole run
     * @param unique           unique (device, ts) over the whole run
     * @param duplicates       entries received more than once over the whole run
     * @param unknownDevices   entries of devices that are not {@code meter-i} of the grid
     * @param metersUpAtEnd    meters with a reading delivered for a slot in the window's last interval
     * @param lag              schedule lag (ts − slot) of the readings done, ms
     * @param readToDelivery   arrival at the subscriber − ts (poll start), ms
     * @param slotToDelivery   arrival − slot, ms
     */
    public record Analysis(long scheduled, long minPhase, long maxPhase, long extraPolls, long done, long onTime, long arrivedInWindow, long valuesRead,
                           long entries, long unique, long duplicates, long unknownDevices, int metersUpAtEnd,
                           TargetSummary.Percentiles lag, TargetSummary.Percentiles readToDelivery,
                           TargetSummary.Percentiles slotToDelivery) {
    }
}
