package io.dlmsgateway.dlms.client;

import java.util.List;

/**
 * What one read of several measurements brought back. A meter that lacks one object still delivers the others:
 * the missing one is a {@link Refusal} in {@link #refusals()}, not a failed read. The read as a whole fails (its
 * future completes exceptionally) only when the association does: timeout, connection lost, malformed reply.
 *
 * @param values   the values read, in the order asked
 * @param refusals the measurements the meter refused, in the order asked, each with its data-access-result
 */
public record ReadResult(List<MeasuredValue> values, List<Refusal> refusals) {

    public ReadResult {
        values = List.copyOf(values);
        refusals = List.copyOf(refusals);
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

    /** The refusal of the measurement of that name, or null when the meter did not refuse it. */
    public Refusal refusal(String name) {
        for (Refusal r : refusals) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }
}
