package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.Measurement;
import java.util.Objects;

/**
 * The meter answered a GET of one measurement with a data-access-result other than success, e.g.
 * {@code object-undefined} for an OBIS code it does not have. A value, not a failure: the association is fine and the
 * other measurements of the read were delivered.
 *
 * @param measurement    what was asked: name, OBIS code, class and attribute, as the caller gave them
 * @param attributeIndex the attribute the meter refused: the measurement's own, or 3 when it refused the register's
 *                       scaler_unit (without which the value cannot be given in engineering units)
 * @param result         the data-access-result code of IEC 62056-5-3 (3 read-write-denied, 4 object-undefined, ...)
 * @param reason         null when the meter refused; else why this client refused what the meter sent
 *                       ("scaler 127 outside -20..20"), with {@code result} other-reason (250)
 */
public record Refusal(Measurement measurement, int attributeIndex, int result, String reason) {

    public Refusal {
        Objects.requireNonNull(measurement, "measurement");
    }

    /** A refusal by the meter. */
    public Refusal(Measurement measurement, int attributeIndex, int result) {
        this(measurement, attributeIndex, result, null);
    }

    /**
     * A value the meter gave but this client will not pass on, as implausible: a scaler no meter uses, a value that
     * is not a finite number.
     */
    public static Refusal implausible(Measurement measurement, String reason) {
        return new Refusal(measurement, measurement.attributeIndex(), DataAccessResults.OTHER_REASON,
                Objects.requireNonNull(reason, "reason"));
    }

    /** A refusal of the measurement's own attribute. */
    public Refusal(Measurement measurement, int result) {
        this(measurement, measurement.attributeIndex(), result);
    }

    /** The measurement's name, the key it would have been published under. */
    public String name() {
        return measurement.name();
    }

    /** The standard's name of {@link #result()}: {@code object-undefined}, {@code read-write-denied}, ... */
    public String resultName() {
        return DataAccessResults.name(result);
    }

    /** True when the meter refused the register's scaler_unit rather than its value. */
    public boolean isScalerUnit() {
        return attributeIndex != measurement.attributeIndex();
    }

    /** The refusal as an exception, for callers that asked for exactly this one attribute. */
    public DlmsAccessException toException(String meter) {
        return new DlmsAccessException(meter, measurement.obis(), measurement.classId(), attributeIndex, result);
    }

    /** {@code voltage_l1 (3/1.0.32.7.0.255/2): object-undefined (4)}. */
    @Override
    public String toString() {
        return measurement.name() + " (" + measurement.classId() + "/" + measurement.obis() + "/" + attributeIndex
                + "): " + resultName() + " (" + result + ")" + (reason == null ? "" : ": " + reason);
    }
}
