package io.dlmsgateway.dlms.client;

import java.util.Objects;

/**
 * A column of a profile's buffer as read: its capture object and, for a captured register value (class 3 or 4
 * attribute 2, class 5 attribute 2 or 3), the register's scaler and unit symbol ({@link io.dlmsgateway.dlms.CosemUnit
 * #symbol}), read once per association; otherwise scaler 0 and unit "".
 *
 * @param scaled whether the column's values are register values a scaler applies to
 */
public record ProfileColumn(CaptureObject source, boolean scaled, int scaler, String unit) {

    public ProfileColumn {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(unit, "unit");
    }
}
