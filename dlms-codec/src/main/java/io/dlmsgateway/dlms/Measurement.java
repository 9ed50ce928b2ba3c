package io.dlmsgateway.dlms;

import java.util.Objects;

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

    /** True when a scaler_unit (attribute 3) applies to this attribute's value. */
    public boolean isScaled() {
        return attributeIndex == 2 && (classId == CLASS_REGISTER || classId == CLASS_EXTENDED_REGISTER);
    }
}
