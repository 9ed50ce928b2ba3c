package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.SelectiveAccess;
import io.dlmsgateway.gateway.DlmsJson;
import io.dlmsgateway.gateway.DlmsJson.DeviceClock;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.RpcMethod;
import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.fleet.ClockSync;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.MeasurementJson;
import io.dlmsgateway.thingsboard.DeviceRpcHandler;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;
import io.dlmsgateway.thingsboard.RpcMethodNotFoundException;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Answers ThingsBoard's RPCs to meters:
 * <ul>
 *   <li>{@code read}: reads now, outside the schedule. Params: a list of measurement names or OBIS codes
 *       ({@code ["voltage_l1","1.0.14.7.0.255"]}), an object {@code {"measurements":[...]}}, a comma-separated string,
 *       or nothing for the device's configured measurements; at most {@link #MAX_OBJECTS_PER_READ}, else the
 *       request is refused with the reason ({@code {"error":..,"code":400}}) and nothing is read.
 *       Reply: {@code {"voltage_l1":{"value":230.1,"unit":"V"},...}}, refused objects as {@code {"error":"object-undefined","result":4}}.</li>
 *   <li>{@code reconnect}: drops the association and reconnects at once. Reply {@code {"result":"reconnecting"}}.</li>
 *   <li>{@code getStatistics}: the device's counters.</li>
 *   <li>{@code getClock}: reads the meter's clock now. Reply {@code {"meterTime":"2026-11-30T21:30:00.120Z",
 *       "deviationMs":90012,"roundTripMs":4,"clockStatus":0,"dateTime":"..."}} (meter minus gateway).</li>
 *   <li>{@code syncClock}: corrects the meter's clock now (shift_time up to 900 s, else the time set) and reads it
 *       again. Reply {@code {"method":"shift_time","shiftedSeconds":-90,"deviationBeforeMs":90012,
 *       "deviationAfterMs":8}}; {@code "method":"none"} when it was off by less than half a second; a meter that
 *       refuses {@code {"error":"read-write-denied","result":3,"reason":"..."}}.</li>
 *   <li>{@code get}: {@code {"obis":"0.0.96.1.1.255","classId":1,"attribute":2,"access":{"selector":2,
 *       "parameters":[..typed]}}} (access optional). Reply the value as {@link DlmsJson#json} writes it.</li>
 *   <li>{@code set}: {@code {"obis","classId","attribute","value":1500 | {"type":"long-unsigned","value":1500}}};
 *       a value without a type is typed as the attribute's current value, read first. Reply
 *       {@code {"result":"success"}}.</li>
 *   <li>{@code execute}: {@code {"obis","classId","method","value"?}}. Reply {@code {"result":"success"}}, with
 *       {@code "returned"} when the method returns data.</li>
 *   <li>{@code remoteDisconnect}, {@code remoteReconnect}: the Disconnect control's (70, 0.0.96.3.10.255) method 1
 *       or 2 with integer 0, then output_state and control_state read back. Reply {@code {"result":"success",
 *       "outputState":false,"controlState":"disconnected"}}.</li>
 *   <li>{@code getRelayState}: {@code {"outputState":true,"controlState":"connected","controlMode":4}}.</li>
 *   <li>a device's named RPCs ({@link GatewayDevice#rpcMethods()}): a get, set or execute configured once; the value
 *       from the method's fixed one, else params {@code {"value":..}}, a typed value or bare params.</li>
 * </ul>
 * A meter's refusal of get, set, execute or the relay comes back as a normal reply naming the result
 * ({@code {"error":"read-write-denied","result":3,"reason":"..."}}, action-result names for an execute); bad params
 * are refused before anything reaches the meter ({@code {"error":"<reason>","code":400}}). A push-only device has no
 * association: every RPC to it is refused so.
 * Other methods are answered "Method not found"; failures (meter down, unknown OBIS) with the reason.
 */
public final class DeviceRpcRouter implements DeviceRpcHandler {

    /**
     * Most objects one {@code read} may ask for. The largest real meters expose a few hundred objects (the
     * association's object list of a polyphase industrial meter); a thousand covers any of them in one read and
     * keeps a request's work and its reply (a few dozen bytes per object) bounded.
     */
    public static final int MAX_OBJECTS_PER_READ = 1000;
    /** Longest entry: a measurement name (as a ThingsBoard key, at most 255) or {@code CLASS/OBIS/ATTRIBUTE}. */
    public static final int MAX_ENTRY_CHARS = 255;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The Disconnect control object (class 70): the supply breaker the built-in RPCs act on. */
    static final ObisCode DISCONNECT_CONTROL = ObisCode.of(0, 0, 96, 3, 10, 255);
    static final int DISCONNECT_CONTROL_CLASS = 70;
    private static final CosemAttribute OUTPUT_STATE = new CosemAttribute(DISCONNECT_CONTROL_CLASS,
            DISCONNECT_CONTROL, 2);
    private static final CosemAttribute CONTROL_STATE = new CosemAttribute(DISCONNECT_CONTROL_CLASS,
            DISCONNECT_CONTROL, 3);
    private static final CosemAttribute CONTROL_MODE = new CosemAttribute(DISCONNECT_CONTROL_CLASS,
            DISCONNECT_CONTROL, 4);
    /** remote_disconnect and remote_reconnect take integer 0 (Blue Book, class 70 methods 1 and 2). */
    private static final DlmsValue DISCONNECT_PARAMETER = DlmsValue.integer(DlmsType.INTEGER, 0);

    private final MeterFleet fleet;
    private final Map<String, GatewayDevice> devices;

    /** Routes RPCs to the fleet's meters, without named RPCs. */
    public DeviceRpcRouter(MeterFleet fleet) {
        this(fleet, Map.of());
    }

    /**
     * @param devices the gateway's devices by name: their named RPCs, clocks, and which are push-only (no
     *                association to act on)
     */
    public DeviceRpcRouter(MeterFleet fleet, Map<String, GatewayDevice> devices) {
        this.fleet = fleet;
        this.devices = devices;
    }

    @Override
    public Mono<JsonNode> handle(DeviceRpcRequest request) {
        GatewayDevice device = devices.get(request.device());
        if (device != null && !device.polled()) {
            return Mono.error(new RpcRefusedException("push-only device: no association to '" + device.name()
                    + "' for " + request.method()));
        }
        DeviceClock clock = device == null ? DeviceClock.UTC : DeviceClock.of(device.meter().client());
        String name = request.device();
        JsonNode params = request.params();
        // params are parsed here, on the transport's lane, before the fleet sees them: a bad request is refused
        // with its reason and nothing reaches the meter
        return Mono.defer(() -> switch (request.method()) {
            case "read" -> fleet.readNow(name, entries(params)).map(DeviceRpcRouter::reply);
            case "reconnect" -> fleet.reconnect(name).thenReturn(NODES.objectNode().put("result", "reconnecting"));
            case "getStatistics" -> Mono.fromCallable(() -> statistics(fleet.deviceStatistics(name)
                    .orElseThrow(() -> new IllegalArgumentException("no device named '" + name + "'"))));
            case "getClock" -> refusalsAnswered(fleet.readClock(name).map(DeviceRpcRouter::clock));
            case "syncClock" -> refusalsAnswered(fleet.syncClock(name).map(DeviceRpcRouter::sync));
            case "get" -> get(name, OperationParams.attribute("get", params),
                    OperationParams.access("get", params, clock).orElse(null), clock);
            case "set" -> set(name, "set", OperationParams.attribute("set", params),
                    OperationParams.value(params).orElseThrow(() -> new RpcRefusedException(
                            "set: \"value\" is missing (1500, or {\"type\":\"long-unsigned\",\"value\":1500})")),
                    null, clock);
            case "execute" -> execute(name, "execute", OperationParams.method("execute", params),
                    OperationParams.value(params).orElse(null), null, clock);
            case "remoteDisconnect" -> relay(name, 1);
            case "remoteReconnect" -> relay(name, 2);
            case "getRelayState" -> relayState(name);
            default -> {
                RpcMethod named = device == null ? null : device.rpcMethods().get(request.method());
                if (named == null) {
                    yield Mono.error(new RpcMethodNotFoundException(request.method()));
                }
                yield named(name, named, params, clock);
            }
        });
    }

    private Mono<JsonNode> get(String device, CosemAttribute attribute, SelectiveAccess access, DeviceClock clock) {
        return refusalsAnswered(fleet.get(device, attribute, access).map(value -> DlmsJson.json(value, clock)));
    }

    /**
     * Writes the value: typed as it says, else as {@code valueType}, else as the attribute's current value, which is
     * read first.
     */
    private Mono<JsonNode> set(String device, String rpc, CosemAttribute attribute, JsonNode json,
            DlmsType valueType, DeviceClock clock) {
        Mono<DlmsValue> value = OperationParams.namesItsType(json) || valueType != null
                ? Mono.just(OperationParams.typed(rpc, json, valueType, clock))
                : fleet.get(device, attribute, null).map(current -> OperationParams.like(rpc, json, current, clock));
        return refusalsAnswered(value.flatMap(v -> fleet.set(device, attribute, v))
                .then(Mono.fromSupplier(DeviceRpcRouter::success)));
    }

    private Mono<JsonNode> execute(String device, String rpc, CosemMethod method, JsonNode json, DlmsType valueType,
            DeviceClock clock) {
        DlmsValue parameter = json == null ? DlmsValue.NULL : OperationParams.typed(rpc, json, valueType, clock);
        return refusalsAnswered(fleet.execute(device, method, parameter)
                .map(returned -> {
                    ObjectNode reply = success();
                    reply.set("returned", DlmsJson.json(returned, clock));
                    return (JsonNode) reply;
                })
                .switchIfEmpty(Mono.fromSupplier(DeviceRpcRouter::success)));
    }

    private Mono<JsonNode> named(String device, RpcMethod method, JsonNode params, DeviceClock clock) {
        String rpc = method.name();
        DlmsType valueType = method.valueType().orElse(null);
        Optional<JsonNode> value = OperationParams.namedValue(method, params);
        return switch (method.kind()) {
            case GET -> get(device, new CosemAttribute(method.classId(), method.obis(), method.index()), null, clock);
            case SET -> set(device, rpc, new CosemAttribute(method.classId(), method.obis(), method.index()),
                    value.orElseThrow(() -> new RpcRefusedException(rpc + ": a value is needed, as params {\"value\":"
                            + ".."+ "} or bare")), valueType, clock);
            case EXECUTE -> execute(device, rpc, new CosemMethod(method.classId(), method.obis(), method.index()),
                    value.orElse(null), valueType, clock);
        };
    }

    /**
     * remote_disconnect (1) or remote_reconnect (2) of the Disconnect control, then its output_state and
     * control_state read back, so the reply says where the breaker is now, not only that the meter took the order.
     */
    private Mono<JsonNode> relay(String device, int methodIndex) {
        // one after the other, each assembled when the one before succeeded
        Mono<JsonNode> acted = fleet.execute(device, new CosemMethod(DISCONNECT_CONTROL_CLASS, DISCONNECT_CONTROL,
                        methodIndex), DISCONNECT_PARAMETER)
                .then(Mono.defer(() -> fleet.get(device, OUTPUT_STATE, null)))
                .flatMap(output -> fleet.get(device, CONTROL_STATE, null).map(control -> {
                    ObjectNode reply = success();
                    reply.put("outputState", bool(output));
                    reply.put("controlState", controlState(control));
                    return reply;
                }));
        return refusalsAnswered(acted);
    }

    private Mono<JsonNode> relayState(String device) {
        return refusalsAnswered(fleet.get(device, OUTPUT_STATE, null)
                .flatMap(output -> fleet.get(device, CONTROL_STATE, null)
                        .flatMap(control -> fleet.get(device, CONTROL_MODE, null).map(mode -> {
                            ObjectNode reply = NODES.objectNode();
                            reply.put("outputState", bool(output));
                            reply.put("controlState", controlState(control));
                            if (mode.type().isInteger()) {
                                reply.put("controlMode", mode.longValue());
                            }
                            return reply;
                        }))));
    }

    /** output_state is a boolean; a meter that sends it as a number means 0 off, else on. */
    private static boolean bool(DlmsValue value) {
        return value.value() instanceof Boolean b ? b : value.type().isInteger() && value.longValue() != 0;
    }

    /** control_state by the Blue Book's names (0 disconnected, 1 connected, 2 ready_for_reconnection). */
    static String controlState(DlmsValue state) {
        if (!state.type().isInteger()) {
            return String.valueOf(state.value());
        }
        long n = state.longValue();
        return n == 0 ? "disconnected" : n == 1 ? "connected" : n == 2 ? "ready_for_reconnection" : Long.toString(n);
    }

    private static ObjectNode success() {
        return NODES.objectNode().put("result", "success");
    }

    /** A meter's refusal is an answer ({@link #refusal}), not an error: the caller learns the result by name. */
    private static Mono<JsonNode> refusalsAnswered(Mono<? extends JsonNode> operation) {
        return operation.<JsonNode>map(n -> n).onErrorResume(DlmsAccessException.class, e -> Mono.just(refusal(e)));
    }

    /**
     * The entries a {@code read} asks for, checked and bounded before anything of them reaches a meter's session:
     * at most {@link #MAX_OBJECTS_PER_READ}, each a string of at most {@link #MAX_ENTRY_CHARS} characters, duplicates
     * read once. Linear in the size of the params, whatever they hold; the refusal names the bound.
     *
     * @throws RpcRefusedException with the reason, answered {@code {"error":..,"code":400}}
     */
    static List<String> entries(JsonNode params) {
        if (params == null || params.isMissingNode() || params.isNull()) {
            return List.of();
        }
        JsonNode list = params;
        if (params.isObject()) {
            list = params.path("measurements");
            if (list.isMissingNode() || list.isNull()) {
                throw new RpcRefusedException("read: expected params as a list of measurement names or OBIS codes,"
                        + " or {\"measurements\":[...]}");
            }
        }
        Set<String> entries = new LinkedHashSet<>();
        if (list.isArray()) {
            requireWithinBound(list.size());
            for (JsonNode e : list) {
                if (!e.isTextual()) {
                    throw new RpcRefusedException("read: every entry must be a string (a measurement name or an"
                            + " OBIS code), got " + e.getNodeType().name().toLowerCase(Locale.ROOT));
                }
                add(entries, e.textValue());
            }
        } else if (list.isTextual()) {
            String text = list.textValue();
            // a comma-separated string: bounded in length before it is split, so no split of megabytes happens
            if (text.length() > (long) MAX_OBJECTS_PER_READ * (MAX_ENTRY_CHARS + 1)) {
                throw new RpcRefusedException("read: " + text.length() + " characters of entries is more than "
                        + MAX_OBJECTS_PER_READ + " entries can take; at most " + MAX_OBJECTS_PER_READ
                        + " objects per read");
            }
            String[] parts = text.split(",");
            requireWithinBound(parts.length);
            for (String part : parts) {
                if (!part.isBlank()) {
                    add(entries, part);
                }
            }
        } else {
            throw new RpcRefusedException("read: expected params as a list of measurement names or OBIS codes, got "
                    + list.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return List.copyOf(entries);
    }

    private static void requireWithinBound(int count) {
        if (count > MAX_OBJECTS_PER_READ) {
            throw new RpcRefusedException("read: " + count + " objects asked for; at most " + MAX_OBJECTS_PER_READ
                    + " objects per read (split the request)");
        }
    }

    private static void add(Set<String> entries, String entry) {
        String trimmed = entry.trim();
        if (trimmed.isEmpty()) {
            throw new RpcRefusedException("read: an entry is blank");
        }
        if (trimmed.length() > MAX_ENTRY_CHARS) {
            throw new RpcRefusedException("read: an entry of " + trimmed.length() + " characters; at most "
                    + MAX_ENTRY_CHARS + " (a measurement name or an OBIS code)");
        }
        entries.add(trimmed);
    }

    static ObjectNode reply(MeterReading reading) {
        return MeasurementJson.read(reading.values().values(), reading.refusals());
    }

    static ObjectNode clock(ClockReading reading) {
        ObjectNode node = NODES.objectNode();
        reading.meterTime().ifPresent(t -> node.put("meterTime", t.toString()));
        reading.deviation().ifPresent(d -> node.put("deviationMs", d.toMillis()));
        node.put("roundTripMs", reading.roundTrip().toMillis())
                .put("clockStatus", reading.time().clockStatus())
                .put("dateTime", reading.time().toString());
        return node;
    }

    static ObjectNode sync(ClockSync sync) {
        ObjectNode node = NODES.objectNode().put("method", switch (sync.method()) {
            case NONE -> "none";
            case SHIFT_TIME -> "shift_time";
            case SET_TIME -> "set_time";
        });
        if (sync.method() == ClockSync.Method.SHIFT_TIME) {
            node.put("shiftedSeconds", sync.shiftedSeconds());
        }
        sync.before().deviation().ifPresent(d -> node.put("deviationBeforeMs", d.toMillis()));
        sync.after().flatMap(ClockReading::deviation).ifPresent(d -> node.put("deviationAfterMs", d.toMillis()));
        return node;
    }

    /** A meter's refusal as a reply, as {@code read} gives it per object. */
    static ObjectNode refusal(DlmsAccessException e) {
        String message = e.getMessage();
        String prefix = "[" + e.meter() + "] ";
        return NODES.objectNode().put("error", e.resultName()).put("result", e.result())
                .put("reason", message != null && message.startsWith(prefix) ? message.substring(prefix.length())
                        : message);
    }

    static ObjectNode statistics(DeviceStatistics s) {
        ObjectNode node = NODES.objectNode()
                .put("state", s.state().name())
                .put("polls", s.polls())
                .put("successes", s.successes())
                .put("failures", s.failures());
        if (s.polls() > 0) {
            // a meter never polled has no success rate (100 % would say all is well with a meter never reached)
            node.put("successRate", Math.round(s.successRate() * 10) / 10.0);
        }
        node.put("skipped", s.skipped())
                .put("missed", s.missed())
                .put("bytesReceived", s.bytesReceived())
                .put("bytesSent", s.bytesSent())
                .put("protocolViolations", s.protocolViolations());
        s.lastPoll().ifPresent(t -> node.put("lastPoll", t.toString()));
        s.lastLatency().ifPresent(l -> node.put("lastLatencyMs", l.toMillis()));
        s.lastError().ifPresent(e -> node.put("lastError", e));
        return node;
    }
}
