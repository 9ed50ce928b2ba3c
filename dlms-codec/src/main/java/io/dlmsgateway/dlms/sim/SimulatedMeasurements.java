package io.dlmsgateway.dlms.sim;

import gurux.dlms.enums.DataType;
import gurux.dlms.enums.Unit;
import io.dlmsgateway.dlms.MeasurementCatalog;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The values the simulated meters serve for the twelve registers of {@link MeasurementCatalog#standard()}: a pure
 * function of the measurement, the meter index and the time, so tests can predict exactly what a read returns.
 *
 * <p>Raw values are integers; {@code raw x 10^scaler} is the engineering value. With {@code t} the time in
 * milliseconds since the epoch, {@code i} the meter index, {@code p} the phase (0, 1, 2),
 * {@code th = 2 pi t / 60 000} (one cycle a minute) and {@code ph = 0.7 i}:
 * <ul>
 *   <li>voltage_lN: {@code 230 + 3 sin(th + ph + 2 pi p / 3) + 0.2 (((7 i + 3 p) mod 11) - 5)} V, scaler -1:
 *       226..234 V</li>
 *   <li>current_lN: {@code b + sin(th / 2 + ph + 2 pi p / 3 + 1)} A with {@code b = 4 + 0.5 (i mod 8)}, scaler -2:
 *       3..8.5 A</li>
 *   <li>power_factor: {@code 0.95 + 0.03 sin(th / 3 + ph)}, scaler -3, no unit: 0.92..0.98</li>
 *   <li>apparent_power: {@code S = sum over phases of V x I} (of the scaled values above) VA, scaler 0</li>
 *   <li>active_power: {@code S x pf} W, reactive_power: {@code S x sqrt(1 - pf^2)} var, scaler 0</li>
 *   <li>frequency: {@code 50 + 0.05 sin(th / 5 + ph)} Hz, scaler -2: 49.95..50.05 Hz</li>
 *   <li>active_energy: {@code 1 000 000 + 1000 (i mod 1000) + floor(Pn (t - 2024-01-01T00:00Z) / 3 600 000)} Wh,
 *       scaler 0, with the nominal power {@code Pn = 3 x 230 x b x 0.95} W: never decreases</li>
 * </ul>
 * Every value is rounded half-up to the register's resolution. {@link #range} gives loose bounds that hold for every
 * meter at every time.
 */
public final class SimulatedMeasurements {

    /** Origin of the energy counters. */
    public static final Instant ENERGY_EPOCH = Instant.parse("2024-01-01T00:00:00Z");

    /** Bounds a measurement's engineering value stays within, for every meter and every time. */
    public record Range(double min, double max) {
        public boolean contains(double value) {
            return value >= min && value <= max;
        }
    }

    /** How one register is encoded: scaler, unit and the DLMS type of its value attribute. */
    record Spec(String name, int scaler, Unit unit, String unitSymbol, DataType dataType, Range range) {
    }

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static {
        spec("voltage_l1", -1, Unit.VOLTAGE, "V", DataType.UINT16, 220, 240);
        spec("voltage_l2", -1, Unit.VOLTAGE, "V", DataType.UINT16, 220, 240);
        spec("voltage_l3", -1, Unit.VOLTAGE, "V", DataType.UINT16, 220, 240);
        spec("current_l1", -2, Unit.CURRENT, "A", DataType.UINT16, 2, 10);
        spec("current_l2", -2, Unit.CURRENT, "A", DataType.UINT16, 2, 10);
        spec("current_l3", -2, Unit.CURRENT, "A", DataType.UINT16, 2, 10);
        spec("active_power", 0, Unit.ACTIVE_POWER, "W", DataType.INT32, 1_500, 7_000);
        spec("reactive_power", 0, Unit.REACTIVE_POWER, "var", DataType.INT32, 300, 2_500);
        spec("apparent_power", 0, Unit.APPARENT_POWER, "VA", DataType.UINT32, 1_500, 7_000);
        spec("power_factor", -3, Unit.NO_UNIT, "", DataType.INT16, 0.9, 1.0);
        spec("frequency", -2, Unit.FREQUENCY, "Hz", DataType.UINT16, 49.9, 50.1);
        spec("active_energy", 0, Unit.ACTIVE_ENERGY, "Wh", DataType.UINT32, 1_000_000, 4_294_967_295.0);
        for (var m : MeasurementCatalog.standard()) {
            if (!SPECS.containsKey(m.name())) {
                throw new ExceptionInInitializerError("no simulation for " + m.name());
            }
        }
    }

    private static final double TWO_PI = 2 * Math.PI;
    private static final double PHASE_SHIFT = TWO_PI / 3;
    private static final long ENERGY_EPOCH_MILLIS = ENERGY_EPOCH.toEpochMilli();

    private SimulatedMeasurements() {
    }

    private static void spec(String name, int scaler, Unit unit, String symbol, DataType type, double min,
            double max) {
        SPECS.put(name, new Spec(name, scaler, unit, symbol, type, new Range(min, max)));
    }

    static Spec spec(String name) {
        Spec s = SPECS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("not a simulated measurement: '" + name + "'; known: "
                    + SPECS.keySet());
        }
        return s;
    }

    /** Names of the simulated registers, the same as {@link MeasurementCatalog#standard()}'s. */
    public static Set<String> names() {
        return SPECS.keySet();
    }

    /** The register's scaler: the value attribute times 10^scaler is the engineering value. */
    public static int scaler(String name) {
        return spec(name).scaler();
    }

    /** The register's unit as Gurux names it. */
    public static Unit unit(String name) {
        return spec(name).unit();
    }

    /** The unit's symbol: V, A, W, var, VA, Hz, Wh, or an empty string for the power factor. */
    public static String unitSymbol(String name) {
        return spec(name).unitSymbol();
    }

    /** Bounds that hold for every meter at every time (active_energy: its whole counter range). */
    public static Range range(String name) {
        return spec(name).range();
    }

    /** The engineering value meter {@code meterIndex} serves at {@code epochMillis}: {@code raw x 10^scaler}. */
    public static double value(String name, int meterIndex, long epochMillis) {
        Spec s = spec(name);
        return raw(s.name(), meterIndex, epochMillis) * Math.pow(10, s.scaler());
    }

    /** The integer the meter's value attribute holds at {@code epochMillis}. */
    public static long raw(String name, int meterIndex, long epochMillis) {
        double th = TWO_PI * (epochMillis % 60_000L) / 60_000.0;
        double ph = 0.7 * meterIndex;
        return switch (name) {
            case "voltage_l1" -> voltageRaw(meterIndex, 0, th, ph);
            case "voltage_l2" -> voltageRaw(meterIndex, 1, th, ph);
            case "voltage_l3" -> voltageRaw(meterIndex, 2, th, ph);
            case "current_l1" -> currentRaw(meterIndex, 0, th, ph);
            case "current_l2" -> currentRaw(meterIndex, 1, th, ph);
            case "current_l3" -> currentRaw(meterIndex, 2, th, ph);
            case "power_factor" -> powerFactorRaw(th, ph);
            case "apparent_power" -> Math.round(apparent(meterIndex, th, ph));
            case "active_power" -> Math.round(apparent(meterIndex, th, ph) * powerFactorRaw(th, ph) / 1000.0);
            case "reactive_power" -> {
                double pf = powerFactorRaw(th, ph) / 1000.0;
                yield Math.round(apparent(meterIndex, th, ph) * Math.sqrt(1 - pf * pf));
            }
            case "frequency" -> Math.round(5000 + 5 * Math.sin(th / 5 + ph));
            case "active_energy" -> energyRaw(meterIndex, epochMillis);
            default -> throw new IllegalArgumentException("not a simulated measurement: '" + name + "'");
        };
    }

    private static long voltageRaw(int i, int p, double th, double ph) {
        double v = 230 + 3 * Math.sin(th + ph + p * PHASE_SHIFT) + 0.2 * (Math.floorMod(7 * i + 3 * p, 11) - 5);
        return Math.round(v * 10);
    }

    private static double baseCurrent(int i) {
        return 4 + 0.5 * Math.floorMod(i, 8);
    }

    private static long currentRaw(int i, int p, double th, double ph) {
        return Math.round((baseCurrent(i) + Math.sin(th / 2 + ph + p * PHASE_SHIFT + 1)) * 100);
    }

    private static long powerFactorRaw(double th, double ph) {
        return Math.round((0.95 + 0.03 * Math.sin(th / 3 + ph)) * 1000);
    }

    private static double apparent(int i, double th, double ph) {
        double s = 0;
        for (int p = 0; p < 3; p++) {
            s += voltageRaw(i, p, th, ph) / 10.0 * (currentRaw(i, p, th, ph) / 100.0);
        }
        return s;
    }

    private static long energyRaw(int i, long epochMillis) {
        double nominalWatts = 3 * 230 * baseCurrent(i) * 0.95;
        long sinceEpoch = Math.max(0, epochMillis - ENERGY_EPOCH_MILLIS);
        long offset = 1_000_000L + 1000L * Math.floorMod(i, 1000);
        return offset + (long) Math.floor(nominalWatts * (sinceEpoch / 3_600_000.0));
    }
}
