package io.dlmsgateway.dlms.client;

import java.util.List;

/**
 * What one read of several measurements brought back. A meter that lacks one object still delivers the others:
 * the missing one is a {@link DlmsAccessException} in {@link #failures()}, not a failed read.
 *
 * @param values   the values read, in the order asked
 * @param failures attributes the meter refused, each naming the OBIS code and the data-access-result
 */
public record ReadResult(List<MeasuredValue> values, List<DlmsAccessException> failures) {

    public ReadResult {
        values = List.copyOf(values);
        failures = List.copyOf(failures);
    }

    /** The value of the measurement of that name, or null when it was not read. */
    public MeasuredValue value(String name) {
        for (MeasuredValue v : values) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }
}
