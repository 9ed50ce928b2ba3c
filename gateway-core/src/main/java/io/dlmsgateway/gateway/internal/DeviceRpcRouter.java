package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.MeasurementJson;
import io.dlmsgateway.thingsboard.DeviceRpcHandler;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;
import io.dlmsgateway.thingsboard.RpcMethodNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Answers ThingsBoard's RPCs to meters:
 * <ul>
 *   <li>{@code read}: reads now, outside the schedule. Params: a list of measurement names or OBIS codes
 *       ({@code ["voltage_l1","1.0.14.7.0.255"]}), an object {@code {"measurements":[...]}}, a comma-separated string,
 *       or nothing for the device's configured measurements. Reply: {@code {"voltage_l1":{"value":230.1,"unit":"V"},
 *       ...}}, refused objects as {@code {"error":"object-undefined","result":4}}.</li>
 *   <li>{@code reconnect}: drops the association and reconnects at once. Reply {@code {"result":"reconnecting"}}.</li>
 *   <li>{@code getStatistics}: the device's counters.</li>
 * </ul>
 * Other methods are answered "Method not found"; failures (meter down, unknown OBIS) with the reason.
 */
public final class DeviceRpcRouter implements DeviceRpcHandler {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final MeterFleet fleet;

    public DeviceRpcRouter(MeterFleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public Mono<JsonNode> handle(DeviceRpcRequest request) {
        return switch (request.method()) {
            case "read" -> fleet.readNow(request.device(), entries(request.params())).map(DeviceRpcRouter::reply);
            case "reconnect" -> fleet.reconnect(request.device())
                    .thenReturn(NODES.objectNode().put("result", "reconnecting"));
            case "getStatistics" -> Mono.fromCallable(() -> statistics(fleet.deviceStatistics(request.device())
                    .orElseThrow(() -> new IllegalArgumentException("no device named '" + request.device() + "'"))));
            default -> Mono.error(new RpcMethodNotFoundException(request.method()));
        };
    }

    static List<String> entries(JsonNode params) {
        JsonNode list = params.isObject() && params.has("measurements") ? params.get("measurements") : params;
        List<String> entries = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(e -> entries.add(e.asText().trim()));
        } else if (list.isTextual() && !list.asText().isBlank()) {
            Arrays.stream(list.asText().split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(entries::add);
        }
        return entries;
    }

    static ObjectNode reply(MeterReading reading) {
        return MeasurementJson.read(reading.values().values(), reading.refusals());
    }

    static ObjectNode statistics(DeviceStatistics s) {
        ObjectNode node = NODES.objectNode()
                .put("state", s.state().name())
                .put("polls", s.polls())
                .put("successes", s.successes())
                .put("failures", s.failures())
                .put("successRate", Math.round(s.successRate() * 10) / 10.0)
                .put("skipped", s.skipped())
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
