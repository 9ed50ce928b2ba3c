package io.dlmsgateway.dlms;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One thing to read from a meter: a named COSEM attribute.
 *
 * <p>For registers (class 3) and extended registers (class 4) read at attribute 2, the reader also fetches the
 * scaler_unit (attribute 3) once per association and applies it, so the value comes out in engineering units.
 *
 * @param name           the key the value is published under, e.g. {@code voltage_l1}
 * @param obis           the object's logical name
 * @param classId        COSEM interface class: 1 data, 3 register, 4 extended register, 8 clock, ...
 * @param attributeIndex attribute to read, usually 2 (value)
 */
public record Measurement(String name, ObisCode obis, int classId, int attributeIndex) {

    /** COSEM interface class of Data objects. */
    public static final int CLASS_DATA = 1;
    /** COSEM interface class of Register objects. */
    public static final int CLASS_REGISTER = 3;
    /** COSEM interface class of Extended register objects. */
    public static final int CLASS_EXTENDED_REGISTER = 4;
    /** COSEM interface class of the Clock object. */
    public static final int CLASS_CLOCK = 8;

    /** {@code CLASS/OBIS/ATTRIBUTE}, e.g. {@code 8/0.0.1.0.0.255/2}. */
    private static final Pattern ATTRIBUTE_REFERENCE = Pattern.compile("(\\d+)/([^/]+)/(\\d+)");

    public Measurement {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(obis, "obis");
        if (name.isBlank()) {
            throw new IllegalArgumentException("measurement name is blank");
        }
        if (classId < 1 || classId > 0xFFFF) {
            throw new IllegalArgumentException("class id out of range 1..65535: " + classId);
        }
        if (attributeIndex < 1 || attributeIndex > 127) {
            throw new IllegalArgumentException("attribute index out of range 1..127: " + attributeIndex);
        }
    }

    /** A register's value attribute (class 3, attribute 2). */
    public static Measurement register(String name, String obis) {
        return new Measurement(name, ObisCode.parse(obis), CLASS_REGISTER, 2);
    }

    /**
     * Parses an attribute given by address, as configurations, RPC parameters and the command line write it:
     * <ul>
     *   <li>{@code A.B.C.D.E.F} or {@code A-B:C.D.E*F}: a register's value (class 3, attribute 2), scaled by its
     *       scaler_unit; named by the dotted OBIS code, e.g. {@code 1.0.32.7.0.255};</li>
     *   <li>{@code CLASS/OBIS/ATTRIBUTE}: any attribute of any class, e.g. {@code 8/0.0.1.0.0.255/2} for the clock;
     *       named {@code CLASS/A.B.C.D.E.F/ATTRIBUTE}. Registers (3 or 4) at attribute 2 are scaled all the same.</li>
     * </ul>
     * Names are normalised, so the same attribute gets the same name however it was written. For names (such as
     * {@code voltage_l1}) see {@link MeasurementCatalog#resolve}.
     *
     * @throws IllegalArgumentException naming what is wrong with the entry
     */
    public static Measurement parse(String entry) {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("empty entry: expected A.B.C.D.E.F or CLASS/A.B.C.D.E.F/ATTRIBUTE");
        }
        String text = entry.trim();
        Matcher m = ATTRIBUTE_REFERENCE.matcher(text);
        if (m.matches()) {
            int classId = parseBounded(m.group(1), 1, 0xFFFF, "class id", text);
            ObisCode obis = ObisCode.parse(m.group(2));
            int attribute = parseBounded(m.group(3), 1, 127, "attribute", text);
            return new Measurement(classId + "/" + obis + "/" + attribute, obis, classId, attribute);
        }
        if (text.contains("/")) {
            throw new IllegalArgumentException("malformed attribute reference '" + text + "': expected A.B.C.D.E.F or "
                    + "CLASS/A.B.C.D.E.F/ATTRIBUTE such as 8/0.0.1.0.0.255/2");
        }
        ObisCode obis = ObisCode.parse(text);
        return new Measurement(obis.toString(), obis, CLASS_REGISTER, 2);
    }

    private static int parseBounded(String text, int min, int max, String what, String entry) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("malformed attribute reference '" + entry + "': " + what + " " + text
                + " is outside " + min + ".." + max);
    }

    /** True when a scaler_unit (attribute 3) applies to this attribute's value. */
    public boolean isScaled() {
        return attributeIndex == 2 && (classId == CLASS_REGISTER || classId == CLASS_EXTENDED_REGISTER);
    }
}
