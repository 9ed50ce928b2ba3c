package io.dlmsgateway.dlms;

import java.util.Objects;

/**
 * One attribute of one COSEM object: what a GET reads and a SET writes, e.g. {@code 70/0.0.96.3.10.255/2} (the
 * Disconnect control's output_state).
 *
 * @param classId the interface class (1 Data, 3 Register, 8 Clock, 70 Disconnect control, ...), 0..65535
 * @param obis    the object's logical name
 * @param index   the attribute, 1..127 (1 is the logical name)
 */
public record CosemAttribute(int classId, ObisCode obis, int index) {

    public CosemAttribute {
        Objects.requireNonNull(obis, "obis");
        if (classId < 0 || classId > 0xFFFF) {
            throw new IllegalArgumentException("class id " + classId + " is out of range 0..65535");
        }
        if (index < 1 || index > 127) {
            throw new IllegalArgumentException("attribute " + index + " is out of range 1..127");
        }
    }

    /** {@code CLASS/OBIS/ATTRIBUTE}, as {@code read} and the configuration write it. */
    @Override
    public String toString() {
        return classId + "/" + obis + "/" + index;
    }
}
