package io.dlmsgateway.gateway;

import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.DlmsType;
import java.util.Objects;
import java.util.Optional;

/**
 * A ThingsBoard shared attribute written to the meter when it changes ({@code attributeUpdates} of a device):
 * {@code {"key":"customerNote","obis":"0.0.96.1.1.255","classId":1,"attribute":2,"valueType":"octet-string",
 * "retry":true}}.
 *
 * @param key       the shared attribute's key
 * @param target    the meter's attribute it is written to
 * @param valueType the DLMS type it is written as; empty: the type of the attribute's current value
 * @param retry     a write that fails for want of the meter (not connected, timed out, association broken) is kept
 *                  and tried again on the meter's next association, the latest value only; a refusal is not retried
 */
public record AttributeWrite(String key, CosemAttribute target, Optional<DlmsType> valueType, boolean retry) {

    public AttributeWrite {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(valueType, "valueType");
    }
}
