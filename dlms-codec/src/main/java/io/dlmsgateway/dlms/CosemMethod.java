package io.dlmsgateway.dlms;

import java.util.Objects;

/**
 * One method of one COSEM object: what an ACTION invokes, e.g. {@code 70/0.0.96.3.10.255/1} (the Disconnect
 * control's remote_disconnect).
 *
 * @param classId the interface class, 0..65535
 * @param obis    the object's logical name
 * @param index   the method, 1..127
 */
public record CosemMethod(int classId, ObisCode obis, int index) {

    public CosemMethod {
        Objects.requireNonNull(obis, "obis");
        if (classId < 0 || classId > 0xFFFF) {
            throw new IllegalArgumentException("class id " + classId + " is out of range 0..65535");
        }
        if (index < 1 || index > 127) {
            throw new IllegalArgumentException("method " + index + " is out of range 1..127");
        }
    }

    /** {@code CLASS/OBIS/METHOD}. */
    @Override
    public String toString() {
        return classId + "/" + obis + "/" + index;
    }
}
