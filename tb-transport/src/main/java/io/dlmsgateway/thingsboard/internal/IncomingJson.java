package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.resources.LogText;
import io.dlmsgateway.thingsboard.AttributeUpdate;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What ThingsBoard's downlink messages ask for, read and checked before anything acts on them: the shape of a
 * device RPC, a gateway RPC and a shared attribute update, and a bound on their size. Every outcome is a value (a
 * request, a refusal to answer, a reason to ignore), never an exception, so that no message can take the lane down.
 *
 * <p>Bound: a message larger than {@code maxBytes} (the configured {@code maxPayloadSize}, ThingsBoard's own limit
 * for what a device sends, which no legitimate request comes near) is not turned into a tree; an RPC among them is
 * scanned as a stream for its device, id and method only (linear, skipping the rest without keeping it) and refused
 * with the reason, so ThingsBoard still gets an answer instead of a timeout.
 *
 * <p>Threading: immutable; called on the lane.
 */
final class IncomingJson {

    /** Longest string id answered; ThingsBoard's own ids are numbers. */
    static final int MAX_ID_CHARS = 128;
    /** Longest device name or method taken: ThingsBoard's entity names have at most 255 characters. */
    static final int MAX_NAME_CHARS = 255;
    /** Code of the refusal of a request too large to read, as HTTP's "content too large". */
    static final int TOO_LARGE = 413;

    /** What a message on {@code v1/gateway/rpc} is. */
    sealed interface DeviceRpc {
    }

    /** A well-formed request, to be handled. */
    record Request(DeviceRpcRequest request) implements DeviceRpc {
    }

    /** A request that can be answered but not served: the reply carries the reason. */
    record Refused(String device, JsonNode id, String method, String reason, int code) implements DeviceRpc {
    }

    /** A message that asked for something but cannot be answered (no device or no usable id): logged at WARN. */
    record Unanswerable(String reason) implements DeviceRpc {
    }

    /** Nothing asked for: our own reply or upload echoed by a plain broker standing in for ThingsBoard (DEBUG). */
    record Ignored(String reason) implements DeviceRpc, GatewayRpc, Attributes {
    }

    /** What a message on {@code v1/devices/me/rpc/request/{id}} is. */
    sealed interface GatewayRpc {
    }

    record GatewayRequest(String method, JsonNode params) implements GatewayRpc {
    }

    record GatewayRefused(String method, String reason, int code) implements GatewayRpc {
    }

    /** What a message on {@code v1/gateway/attributes} is. */
    sealed interface Attributes {
    }

    record Update(AttributeUpdate update) implements Attributes {
    }

    /** A message meant as an update that is not one: logged at WARN. */
    record Malformed(String reason) implements Attributes {
    }

    private final ObjectMapper mapper;
    private final int maxBytes;

    IncomingJson(ObjectMapper mapper, int maxBytes) {
        this.mapper = mapper;
        this.maxBytes = maxBytes;
    }

    int maxBytes() {
        return maxBytes;
    }

    DeviceRpc deviceRpc(byte[] payload) {
        if (payload.length > maxBytes) {
            Envelope e = Envelope.scan(mapper, payload);
            String reason = tooLarge(payload.length);
            if (e.device == null || e.device.isEmpty()) {
                // as for a message within the bound: an empty name is no device a reply could go to
                return new Unanswerable(reason + "; no device to answer");
            }
            if (!usableId(e.id)) {
                return new Unanswerable(reason + "; no usable id to answer");
            }
            return new Refused(e.device, e.id, e.method, reason, TOO_LARGE);
        }
        JsonNode json = tree(payload);
        if (json == null) {
            return new Unanswerable("not JSON");
        }
        return deviceRpc(json);
    }

    /** {@code {"device":..,"data":{"id":..,"method":..,"params":..}}}. */
    static DeviceRpc deviceRpc(JsonNode json) {
        if (!json.isObject()) {
            return new Unanswerable("expected an object, got " + json.getNodeType());
        }
        JsonNode data = json.path("data");
        if (json.has("id") && !data.has("method")) {
            return new Ignored("a reply (it has a top-level id)");
        }
        JsonNode device = json.path("device");
        if (!device.isTextual() || device.textValue().isEmpty() || device.textValue().length() > MAX_NAME_CHARS) {
            return new Unanswerable("no device name (a string of 1.." + MAX_NAME_CHARS + " characters)");
        }
        String name = device.textValue();
        if (!data.isObject()) {
            return new Unanswerable("no data object in the RPC to '" + LogText.remote(name) + "'");
        }
        JsonNode id = data.path("id");
        JsonNode method = data.path("method");
        String methodText = method.isTextual() ? method.textValue() : null;
        if (!usableId(id)) {
            return new Unanswerable((id.isMissingNode() ? "no id" : "an id that is neither a whole number nor a"
                    + " string of 1.." + MAX_ID_CHARS + " characters") + " in the RPC "
                    + (methodText == null ? "" : LogText.remote(methodText) + " ") + "to '" + LogText.remote(name)
                    + "', so it cannot be answered");
        }
        if (methodText == null || methodText.isEmpty() || methodText.length() > MAX_NAME_CHARS) {
            return new Refused(name, id, null, "no method: expected \"method\" as a string of 1.." + MAX_NAME_CHARS
                    + " characters", 400);
        }
        return new Request(new DeviceRpcRequest(name, id, methodText, data.path("params")));
    }

    GatewayRpc gatewayRpc(byte[] payload) {
        if (payload.length > maxBytes) {
            Envelope e = Envelope.scan(mapper, payload);
            return new GatewayRefused(e.method, tooLarge(payload.length), TOO_LARGE);
        }
        JsonNode json = tree(payload);
        if (json == null) {
            return new GatewayRefused(null, "not JSON", 400);
        }
        return gatewayRpc(json);
    }

    /** {@code {"method":..,"params":..}}. */
    static GatewayRpc gatewayRpc(JsonNode json) {
        JsonNode method = json.path("method");
        if (!method.isTextual() || method.textValue().isEmpty() || method.textValue().length() > MAX_NAME_CHARS) {
            return new GatewayRefused(null, "no method: expected \"method\" as a string of 1.." + MAX_NAME_CHARS
                    + " characters", 400);
        }
        return new GatewayRequest(method.textValue(), json.path("params"));
    }

    Attributes attributes(byte[] payload) {
        if (payload.length > maxBytes) {
            return new Malformed(tooLarge(payload.length));
        }
        JsonNode json = tree(payload);
        if (json == null) {
            return new Malformed("not JSON");
        }
        return attributes(json);
    }

    /**
     * {@code {"device":..,"data":{..}}}, deletions as {@code "data":{"deleted":["k"]}}; our own uploads
     * ({@code {"dev":{..}}}) echoed by a plain broker are ignored.
     */
    static Attributes attributes(JsonNode json) {
        if (!json.isObject()) {
            return new Malformed("expected an object, got " + json.getNodeType());
        }
        if (!json.has("device") && !json.has("data")) {
            return new Ignored("an upload of client attributes");
        }
        JsonNode device = json.path("device");
        if (!device.isTextual() || device.textValue().isEmpty() || device.textValue().length() > MAX_NAME_CHARS) {
            return new Malformed("no device name (a string of 1.." + MAX_NAME_CHARS + " characters)");
        }
        JsonNode data = json.path("data");
        if (!data.isObject()) {
            return new Malformed("no data object in the update of '" + LogText.remote(device.textValue()) + "'");
        }
        ObjectNode values = ((ObjectNode) data).deepCopy();
        List<String> deleted = new ArrayList<>();
        JsonNode deletedNode = values.remove("deleted");
        if (deletedNode != null && deletedNode.isArray()) {
            deletedNode.forEach(k -> deleted.add(k.asText()));
        } else if (deletedNode != null) {
            values.set("deleted", deletedNode);
        }
        return new Update(new AttributeUpdate(device.textValue(), values, deleted));
    }

    /** The tree of a message within the size bound, or null when it is no JSON (or nested beyond Jackson's bound). */
    JsonNode tree(byte[] payload) {
        try {
            JsonNode json = mapper.readTree(payload);
            return json == null || json.isMissingNode() ? null : json;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Ids ThingsBoard can match its request with: a whole number, or a short string. */
    static boolean usableId(JsonNode id) {
        if (id == null) {
            return false;
        }
        if (id.isIntegralNumber()) {
            return id.canConvertToLong();
        }
        return id.isTextual() && !id.textValue().isEmpty() && id.textValue().length() <= MAX_ID_CHARS;
    }

    private String tooLarge(int bytes) {
        return "request of " + bytes + " bytes is larger than the " + maxBytes + " bytes a message may have"
                + " (maxPayloadSizeBytes)";
    }

    /**
     * The device, id and method of an RPC too large to read as a tree, found by streaming over it: nested values
     * are skipped, not kept, so the work is linear and the memory small whatever the message holds. What a broken
     * message did not reach stays null.
     */
    private static final class Envelope {
        String device;
        JsonNode id = MissingNode.getInstance();
        String method;

        static Envelope scan(ObjectMapper mapper, byte[] payload) {
            Envelope e = new Envelope();
            try (JsonParser p = mapper.getFactory().createParser(payload)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return e;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("device".equals(field) && value == JsonToken.VALUE_STRING) {
                        e.device = shortText(p);
                    } else if ("method".equals(field) && value == JsonToken.VALUE_STRING) {
                        e.method = shortText(p);
                    } else if ("data".equals(field) && value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String inner = p.currentName();
                            JsonToken innerValue = p.nextToken();
                            if ("id".equals(inner)) {
                                e.id = scalarId(p, innerValue);
                            } else if ("method".equals(inner) && innerValue == JsonToken.VALUE_STRING) {
                                e.method = shortText(p);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // a broken message keeps what was found before the break
            }
            return e;
        }

        private static String shortText(JsonParser p) throws IOException {
            return p.getTextLength() <= MAX_NAME_CHARS ? p.getText() : null;
        }

        private static JsonNode scalarId(JsonParser p, JsonToken token) throws IOException {
            if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return JsonNodeFactory.instance.numberNode(p.getLongValue());
            }
            if (token == JsonToken.VALUE_STRING && p.getTextLength() <= MAX_ID_CHARS) {
                return JsonNodeFactory.instance.textNode(p.getText());
            }
            p.skipChildren();
            return MissingNode.getInstance();
        }
    }
}
