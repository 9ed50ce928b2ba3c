package io.dlmsgateway.gateway;

import io.dlmsgateway.fleet.PushMatch;
import java.util.List;
import java.util.Objects;

/**
 * How a device's pushed notifications are recognised and become ThingsBoard data ({@code push} of a device).
 *
 * @param match  how the listener knows the device ({@link PushMatch})
 * @param values which element of the notification's body goes to which key; empty: every top-level element
 *               {@code i} of a structure body as telemetry {@code push_<i>} (the whole body as {@code push_0} when it
 *               is no structure)
 */
public record PushMapping(PushMatch match, List<PushValue> values) {

    public PushMapping {
        Objects.requireNonNull(match, "match");
        values = List.copyOf(values);
    }

    /**
     * One element of the body as one key.
     *
     * @param path      the element's position: {@code [2]} the third element of the body's structure, {@code [2, 1]}
     *                  the second element inside that
     * @param key       the ThingsBoard key
     * @param attribute true to send it as a client attribute, false as telemetry (with the notification's own time
     *                  as {@code ts} when it carries one)
     * @param scaler    a number is multiplied by 10^scaler (as a register's scaler_unit would)
     */
    public record PushValue(List<Integer> path, String key, boolean attribute, int scaler) {

        public PushValue {
            path = List.copyOf(path);
            Objects.requireNonNull(key, "key");
            if (path.isEmpty()) {
                throw new IllegalArgumentException("a push value's path is empty");
            }
        }
    }
}
