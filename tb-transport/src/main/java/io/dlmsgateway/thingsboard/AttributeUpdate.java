package io.dlmsgateway.thingsboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A change of shared attributes of a child device, received on {@code v1/gateway/attributes} as
 * {@code {"device":"Meter-001","data":{"pollingInterval":900}}} or, for deletions,
 * {@code {"device":"Meter-001","data":{"deleted":["k"]}}}.
 *
 * @param device      device name
 * @param values      changed attributes (without the {@code deleted} list); empty when only deletions came
 * @param deletedKeys keys deleted on the server
 */
public record AttributeUpdate(String device, ObjectNode values, List<String> deletedKeys) {

    public AttributeUpdate {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(values, "values");
        deletedKeys = List.copyOf(deletedKeys);
    }
}
