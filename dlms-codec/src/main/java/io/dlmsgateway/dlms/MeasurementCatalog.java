package io.dlmsgateway.dlms;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The measurement names our users know from the Python connector, mapped to the OBIS codes of polyphase
 * electricity meters (IEC 62056-6-1). All are registers read at attribute 2 with their scaler_unit applied.
 */
public final class MeasurementCatalog {

    private static final Map<String, Measurement> STANDARD;

    static {
        Map<String, Measurement> m = new LinkedHashMap<>();
        add(m, "voltage_l1", "1.0.32.7.0.255");
        add(m, "voltage_l2", "1.0.52.7.0.255");
        add(m, "voltage_l3", "1.0.72.7.0.255");
        add(m, "current_l1", "1.0.31.7.0.255");
        add(m, "current_l2", "1.0.51.7.0.255");
        add(m, "current_l3", "1.0.71.7.0.255");
        add(m, "active_power", "1.0.1.7.0.255");
        add(m, "reactive_power", "1.0.3.7.0.255");
        add(m, "apparent_power", "1.0.9.7.0.255");
        add(m, "power_factor", "1.0.13.7.0.255");
        add(m, "frequency", "1.0.14.7.0.255");
        add(m, "active_energy", "1.0.1.8.0.255");
        STANDARD = Collections.unmodifiableMap(m);
    }

    /** Logical name of the Clock object (class 8). */
    public static final ObisCode CLOCK = ObisCode.parse("0.0.1.0.0.255");

    private MeasurementCatalog() {
    }

    private static void add(Map<String, Measurement> m, String name, String obis) {
        m.put(name, Measurement.register(name, obis));
    }

    /** The twelve standard measurements, in the seed's order. */
    public static Collection<Measurement> standard() {
        return STANDARD.values();
    }

    /** The standard measurement of that name, if there is one. */
    public static Optional<Measurement> byName(String name) {
        return Optional.ofNullable(STANDARD.get(name));
    }

    /**
     * What an entry of a read request stands for: a measurement of {@code own} (a device's configured list) by name,
     * else a standard measurement by name, else an address as {@link Measurement#parse} reads it ({@code
     * 1.0.32.7.0.255}, {@code 8/0.0.1.0.0.255/2}).
     *
     * @param own measurements whose names go first, e.g. the device's; may be empty
     * @throws IllegalArgumentException when the entry is neither a known name nor a well-formed address
     */
    public static Measurement resolve(String entry, Collection<Measurement> own) {
        String name = entry == null ? "" : entry.trim();
        for (Measurement m : own) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        Measurement standard = STANDARD.get(name);
        if (standard != null) {
            return standard;
        }
        try {
            return Measurement.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is neither a measurement name nor an OBIS code ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The standard measurement of that name; throws naming the known names otherwise. */
    public static Measurement require(String name) {
        Measurement m = STANDARD.get(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown measurement '" + name + "'; known: " + STANDARD.keySet());
        }
        return m;
    }
}
