package io.dlmsgateway.dlms.sim;

import io.dlmsgateway.dlms.ObisCode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the simulated meters' profiles hold: pure functions of the meter index and the capture time, so that tests
 * compute every row a meter serves exactly.
 *
 * <p><b>Load profile</b> {@link #LOAD_PROFILE} (class 7), capture objects: clock {@code 0.0.1.0.0.255}/2, active
 * energy import {@link #ENERGY} (class 3/2, scaler 0, Wh, double-long-unsigned) and voltage L1 {@link #VOLTAGE}
 * (class 3/2, scaler -1, V, long-unsigned), the registers the meter also serves for reading (with the same
 * scaler_unit). Rows lie on the epoch-aligned grid of the capture period: at meter time {@code now} the buffer holds
 * the {@link #entries(Duration, Duration) history / period} rows up to and including
 * {@link #lastCapture(Instant, Duration) floor(now / period) x period}, oldest first (entry 1), so it moves on as
 * the meter's time does; nothing of it is kept in memory. Energy is the meter's active_energy register at the capture
 * time ({@link SimulatedMeasurements}: never decreases); voltage is
 * {@code 2300 + round(40 sin(2 pi (t mod 1 day) / 1 day + 0.7 i)) + ((7 i + floor(t / 15 min)) mod 11) - 5} tenths
 * of a volt.
 *
 * <p><b>Event log</b> {@link #EVENT_LOG} (class 7, capture period 0), capture objects: clock and the event code
 * {@link #EVENT_CODE} (Data, unsigned): one event every {@link #EVENT_SPACING} at {@code k x spacing + (i mod 60)
 * minutes}, code {@code 1 + ((31 k + i) mod 200)}, over the same history as the load profile.
 */
public final class SimulatedProfiles {

    /** The 15-minute load profile (its period is {@link SimulatorOptions#profilePeriod()}). */
    public static final ObisCode LOAD_PROFILE = ObisCode.parse("1.0.99.1.0.255");
    /** The standard event log. */
    public static final ObisCode EVENT_LOG = ObisCode.parse("0.0.99.98.0.255");
    /** Data object holding the last event code, the event log's second column. */
    public static final ObisCode EVENT_CODE = ObisCode.parse("0.0.96.11.0.255");
    /** The load profile's energy column: active energy import, Wh, scaler 0. */
    public static final ObisCode ENERGY = ObisCode.parse("1.0.1.8.0.255");
    /** The load profile's voltage column: voltage L1, V, scaler -1. */
    public static final ObisCode VOLTAGE = ObisCode.parse("1.0.32.7.0.255");

    public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(15);
    public static final Duration DEFAULT_HISTORY = Duration.ofDays(7);
    /** Time between two events of the event log. */
    public static final Duration EVENT_SPACING = Duration.ofHours(5);

    private static final long DAY_MILLIS = 86_400_000L;
    private static final long QUARTER_MILLIS = 900_000L;

    private SimulatedProfiles() {
    }

    /** The raw energy value (Wh, scaler 0) meter {@code meterIndex} captured at {@code time}. */
    public static long energyRaw(int meterIndex, Instant time) {
        return SimulatedMeasurements.raw("active_energy", meterIndex, time.toEpochMilli());
    }

    /** Energy captured at {@code time}, in Wh, as a reader applying the scaler gets it. */
    public static BigDecimal energy(int meterIndex, Instant time) {
        return BigDecimal.valueOf(energyRaw(meterIndex, time));
    }

    /** The raw voltage value (tenths of a volt, scaler -1) captured at {@code time}. */
    public static long voltageRaw(int meterIndex, Instant time) {
        long t = time.toEpochMilli();
        double dayAngle = 2 * Math.PI * Math.floorMod(t, DAY_MILLIS) / DAY_MILLIS;
        return 2300 + Math.round(40 * Math.sin(dayAngle + 0.7 * meterIndex))
                + Math.floorMod(7L * meterIndex + Math.floorDiv(t, QUARTER_MILLIS), 11) - 5;
    }

    /** Voltage captured at {@code time}, in V, as a reader applying the scaler gets it (one decimal). */
    public static BigDecimal voltage(int meterIndex, Instant time) {
        return BigDecimal.valueOf(voltageRaw(meterIndex, time), 1);
    }

    /** Rows the load profile holds: {@code history / period}, at least 1. */
    public static long entries(Duration period, Duration history) {
        return Math.max(1, history.toMillis() / period.toMillis());
    }

    /** The newest capture time at meter time {@code now}: the period's epoch-aligned grid point at or before it. */
    public static Instant lastCapture(Instant now, Duration period) {
        long p = period.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), p) * p);
    }

    /** The oldest capture time the load profile holds at meter time {@code now} (entry 1). */
    public static Instant firstCapture(Instant now, Duration period, Duration history) {
        return lastCapture(now, period).minusMillis((entries(period, history) - 1) * period.toMillis());
    }

    /** Every capture time the load profile holds at meter time {@code now}, oldest first (for tests). */
    public static List<Instant> captureTimes(Instant now, Duration period, Duration history) {
        long n = entries(period, history);
        Instant first = firstCapture(now, period, history);
        List<Instant> out = new ArrayList<>((int) Math.min(n, 1 << 20));
        for (long k = 0; k < n; k++) {
            out.add(first.plusMillis(k * period.toMillis()));
        }
        return out;
    }

    /** The time of event {@code k} of meter {@code meterIndex}. */
    public static Instant eventTime(int meterIndex, long k) {
        return Instant.ofEpochMilli(k * EVENT_SPACING.toMillis() + eventPhaseMillis(meterIndex));
    }

    /** The code of event {@code k} of meter {@code meterIndex}, 1..200. */
    public static int eventCode(int meterIndex, long k) {
        return 1 + (int) Math.floorMod(31 * k + meterIndex, 200L);
    }

    /** The first event number whose time is after {@code time}. */
    static long firstEventAfter(int meterIndex, long epochMillis) {
        return Math.floorDiv(epochMillis - eventPhaseMillis(meterIndex), EVENT_SPACING.toMillis()) + 1;
    }

    /** The last event number whose time is at or before {@code time}. */
    static long lastEventAtOrBefore(int meterIndex, long epochMillis) {
        return Math.floorDiv(epochMillis - eventPhaseMillis(meterIndex), EVENT_SPACING.toMillis());
    }

    /** Event numbers the event log holds at meter time {@code now}: those in (now - history, now], oldest first. */
    public static List<Long> events(int meterIndex, Instant now, Duration history) {
        long first = firstEventAfter(meterIndex, now.toEpochMilli() - history.toMillis());
        long last = lastEventAtOrBefore(meterIndex, now.toEpochMilli());
        List<Long> out = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            out.add(k);
        }
        return out;
    }

    /** Capacity of the event log: the most events its history can hold. */
    public static long eventEntries(Duration history) {
        return history.toMillis() / EVENT_SPACING.toMillis() + 1;
    }

    private static long eventPhaseMillis(int meterIndex) {
        return Math.floorMod(meterIndex, 60) * 60_000L;
    }
}
