package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;

/**
 * DLMS values to and from JSON, the one place that says how: the {@code get}, {@code set} and {@code execute} RPCs,
 * named RPCs, shared-attribute writes, push bodies and {@code check-config} (a configured fixed value) all use it.
 */
public final class DlmsJson {

    // contract for issue 12: implemented on branch h-gateway

    private DlmsJson() {
    }

    /**
     * The JSON value written as the given type: {@code 1500} as long-unsigned, {@code "4142"} (hex) as octet-string.
     *
     * @throws IllegalArgumentException naming the type and what is wrong, when the JSON cannot be that type
     */
    public static DlmsValue value(JsonNode json, DlmsType type) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * A JSON value as the client gives it in an RPC: {@code {"type":"long-unsigned","value":1500}} with an explicit
     * type, or a bare JSON value typed by {@code fallback} when not null, else by its natural type.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static DlmsValue typed(JsonNode json, DlmsType fallback) {
        throw new UnsupportedOperationException("not yet");
    }

    /** A DLMS value as JSON for an RPC reply or telemetry: {@code {"type":"long-unsigned","value":1500}}. */
    public static JsonNode json(DlmsValue value) {
        throw new UnsupportedOperationException("not yet");
    }
}
