package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.ObisCode;

/**
 * One capture object of a Profile Generic (class 7): an entry of its attribute 3, capture_objects, saying which
 * attribute of which object a buffer column holds.
 *
 * @param classId        COSEM class of the captured object (3 register, 8 clock, 1 data, ...)
 * @param obis           its logical name
 * @param attributeIndex the captured attribute (2 for a register's value or a clock's time)
 * @param dataIndex      0 for the whole attribute, else the element of an array or structure it takes
 */
public record CaptureObject(int classId, ObisCode obis, int attributeIndex, int dataIndex) {

    public CaptureObject {
        java.util.Objects.requireNonNull(obis, "obis");
    }

    /** Whether this column is a clock's time (class 8, attribute 2), the column a range read restricts on. */
    public boolean isClock() {
        return classId == 8 && attributeIndex == 2;
    }

    @Override
    public String toString() {
        return classId + "/" + obis + "/" + attributeIndex + (dataIndex == 0 ? "" : "/" + dataIndex);
    }
}
