package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.SelectiveAccess;
import io.dlmsgateway.gateway.DlmsJson;
import io.dlmsgateway.gateway.DlmsJson.DeviceClock;
import io.dlmsgateway.gateway.RpcMethod;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import java.util.Locale;
import java.util.Optional;

/**
 * The params of the {@code get}, {@code set} and {@code execute} RPCs and of named RPCs, checked when the request
 * arrives, before anything reaches a meter's session. Every refusal is an {@link RpcRefusedException} whose message
 * starts with the RPC's name and says what is wrong (answered {@code {"error":..,"code":400}}).
 *
 * <p>Bounds: a value nests at most {@link DlmsJson#MAX_DEPTH} deep; its size is bounded by ThingsBoard's payload
 * limit, which the transport applies before a request gets here.
 */
public final class OperationParams {

    private OperationParams() {
    }

    /** {@code {"obis":"0.0.96.1.1.255","classId":1,"attribute":2}}. */
    public static CosemAttribute attribute(String rpc, JsonNode params) {
        requireObject(rpc, params, "{\"obis\":\"0.0.96.1.1.255\",\"classId\":1,\"attribute\":2}");
        return refusedAs(rpc, () -> new CosemAttribute(number(rpc, params, "classId", 0, 0xFFFF),
                obis(rpc, params), number(rpc, params, "attribute", 1, 127)));
    }

    /** {@code {"obis":"0.0.96.3.10.255","classId":70,"method":1}}. */
    public static CosemMethod method(String rpc, JsonNode params) {
        requireObject(rpc, params, "{\"obis\":\"0.0.96.3.10.255\",\"classId\":70,\"method\":1}");
        return refusedAs(rpc, () -> new CosemMethod(number(rpc, params, "classId", 0, 0xFFFF), obis(rpc, params),
                number(rpc, params, "method", 1, 127)));
    }

    /**
     * The optional {@code "access":{"selector":2,"parameters":[...typed values]}} of a {@code get}; the parameters
     * are a structure of typed values (or one typed value), as {@link DlmsJson#typed} reads them.
     */
    public static Optional<SelectiveAccess> access(String rpc, JsonNode params, DeviceClock clock) {
        JsonNode access = params.get("access");
        if (access == null || access.isNull()) {
            return Optional.empty();
        }
        if (!access.isObject()) {
            throw new RpcRefusedException(rpc + ": \"access\" must be {\"selector\":N,\"parameters\":[...]}, got "
                    + kind(access));
        }
        int selector = number(rpc, access, "selector", 1, 255);
        JsonNode parameters = access.get("parameters");
        DlmsValue value = parameters == null ? DlmsValue.NULL : refusedAs(rpc + " access parameters",
                () -> DlmsJson.typed(parameters, null, clock));
        return Optional.of(new SelectiveAccess(selector, value));
    }

    /** The {@code "value"} of a {@code set} or {@code execute}; empty when there is none. */
    public static Optional<JsonNode> value(JsonNode params) {
        JsonNode value = params.get("value");
        return value == null || value.isMissingNode() ? Optional.empty() : Optional.of(value);
    }

    /**
     * The value a named RPC writes or passes: the method's fixed one, else the RPC's params {@code {"value":..}},
     * a typed value {@code {"type":..,"value":..}} or the bare params; empty when the params are none.
     */
    public static Optional<JsonNode> namedValue(RpcMethod method, JsonNode params) {
        if (method.value().isPresent()) {
            return method.value();
        }
        if (params == null || params.isMissingNode() || params.isNull()) {
            return Optional.empty();
        }
        if (params.isObject() && !params.has("type") && params.has("value")) {
            return Optional.of(params.get("value"));
        }
        return Optional.of(params);
    }

    /** A value from JSON; what DlmsJson refuses is refused as a bad request with its reason. */
    public static DlmsValue typed(String rpc, JsonNode json, io.dlmsgateway.dlms.DlmsType fallback,
            DeviceClock clock) {
        return refusedAs(rpc, () -> DlmsJson.typed(json, fallback, clock));
    }

    /** A value typed as the attribute's current value. */
    public static DlmsValue like(String rpc, JsonNode json, DlmsValue current, DeviceClock clock) {
        return refusedAs(rpc, () -> DlmsJson.like(json, current, clock));
    }

    /** Whether the JSON names its own type ({@code {"type":..,"value":..}}), so the current value need not be read. */
    public static boolean namesItsType(JsonNode json) {
        return json.isObject() && json.has("type");
    }

    private interface Parse<T> {
        T parse();
    }

    private static <T> T refusedAs(String rpc, Parse<T> parse) {
        try {
            return parse.parse();
        } catch (IllegalArgumentException e) {
            throw new RpcRefusedException(rpc + ": " + e.getMessage());
        }
    }

    private static void requireObject(String rpc, JsonNode params, String example) {
        if (params == null || !params.isObject()) {
            throw new RpcRefusedException(rpc + ": expected params as " + example + ", got "
                    + (params == null ? "none" : kind(params)));
        }
    }

    private static ObisCode obis(String rpc, JsonNode params) {
        JsonNode obis = params.get("obis");
        if (obis == null || !obis.isTextual()) {
            throw new RpcRefusedException(rpc + ": \"obis\" must be a string such as \"0.0.96.1.1.255\", got "
                    + (obis == null ? "none" : kind(obis)));
        }
        String text = obis.textValue();
        if (text.length() > 40) {
            throw new RpcRefusedException(rpc + ": \"obis\" of " + text.length() + " characters is no OBIS code");
        }
        return ObisCode.parse(text);
    }

    private static int number(String rpc, JsonNode params, String field, int min, int max) {
        JsonNode node = params.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min
                || node.intValue() > max) {
            throw new RpcRefusedException(rpc + ": \"" + field + "\" must be a whole number in " + min + ".." + max
                    + ", got " + (node == null ? "none" : node.isNumber() ? node.asText() : kind(node)));
        }
        return node.intValue();
    }

    private static String kind(JsonNode json) {
        return json.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
