package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.DlmsValue;
import java.util.Objects;

/**
 * The access-selection of a GET (IEC 62056-5-3): a selector the object's class defines and its parameters, e.g.
 * selector 2 (by entry) on a profile's buffer with {@code structure {double-long-unsigned 1, double-long-unsigned 10,
 * long-unsigned 1, long-unsigned 0}}.
 *
 * @param selector   1..255
 * @param parameters the selector's parameters as the class defines them
 */
public record SelectiveAccess(int selector, DlmsValue parameters) {

    public SelectiveAccess {
        Objects.requireNonNull(parameters, "parameters");
        if (selector < 1 || selector > 255) {
            throw new IllegalArgumentException("selector " + selector + " is out of range 1..255");
        }
    }
}
