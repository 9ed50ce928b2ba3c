package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.thingsboard.DeviceRpcHandler;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;
import io.dlmsgateway.thingsboard.GatewayRpcHandler;
import io.dlmsgateway.thingsboard.RpcMethodNotFoundException;
import io.dlmsgateway.thingsboard.TransportStatistics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import reactor.core.publisher.Mono;

/**
 * Server-side RPCs and their replies: device RPCs on {@code v1/gateway/rpc}, answered there; gateway RPCs on
 * {@code v1/devices/me/rpc/request/{id}}, answered on {@code .../response/{id}}, with the ThingsBoard IoT Gateway's
 * built-ins {@code gateway_ping}, {@code gateway_devices} and {@code gateway_stats}. Outcomes take that gateway's reply
 * shapes: a timeout is {@code {"error":"Request timeout","code":408}}, an unknown method
 * {@code {"error":"Method not found","code":404}}.
 *
 * <p>Threading: the handlers are confined to the lane; registrations from any thread hop onto it, so a request is
 * served by the handler registered before it arrived. Requests are dispatched on the lane, where the handlers are
 * subscribed; their results, the timeout and the reply's publish complete on other threads and touch no state here.
 */
final class RpcDispatcher {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;
    private static final String GATEWAY_PREFIX = "gateway_";

    private final OutgoingPublishes publishes;
    private final PayloadEncoder encoder;
    private final TransportCounters counters;
    private final TransportThreads threads;
    private final ClientSideRpc clientRpc;
    private final Duration timeout;
    private DeviceRpcHandler deviceHandler;
    /** Gateway RPC handlers by method name without the {@code gateway_} prefix. */
    private final Map<String, GatewayRpcHandler> gatewayHandlers = new HashMap<>();

    RpcDispatcher(OutgoingPublishes publishes, PayloadEncoder encoder, TransportCounters counters,
            TransportThreads threads, ClientSideRpc clientRpc, Duration timeout) {
        this.publishes = publishes;
        this.encoder = encoder;
        this.counters = counters;
        this.threads = threads;
        this.clientRpc = clientRpc;
        this.timeout = timeout;
    }

    /** Before the transport is shared: the built-in gateway RPCs, replaceable through {@link #onGatewayRpc}. */
    void registerBuiltIns(ObjectMapper mapper, Supplier<Map<String, String>> devices,
            Supplier<TransportStatistics> statistics) {
        gatewayHandlers.put("ping", params -> Mono.just(
                JsonNodeFactory.instance.objectNode().put("code", 200).put("resp", "pong")));
        gatewayHandlers.put("devices", params -> Mono.fromSupplier(() -> {
            ObjectNode reply = JsonNodeFactory.instance.objectNode().put("code", 200);
            reply.set("resp", mapper.valueToTree(devices.get()));
            return reply;
        }));
        gatewayHandlers.put("stats", params -> Mono.fromSupplier(() -> mapper.valueToTree(statistics.get())));
    }

    void onDeviceRpc(DeviceRpcHandler handler) {
        threads.lane.execute(() -> deviceHandler = handler);
    }

    void onGatewayRpc(String method, GatewayRpcHandler handler) {
        String name = stripGatewayPrefix(method);
        threads.lane.execute(() -> {
            if (handler == null) {
                gatewayHandlers.remove(name);
            } else {
                gatewayHandlers.put(name, handler);
            }
        });
    }

    /**
     * On the lane: {@code {"device":..,"data":{"id":..,"method":..,"params":..}}}. A message with a top-level
     * {@code id} is a reply, seen only when a plain MQTT broker stands in for ThingsBoard and echoes our own
     * publishes: ignored.
     */
    void onDeviceRpcMessage(JsonNode json) {
        JsonNode data = json.path("data");
        if (!json.path("device").isTextual() || json.has("id") || !data.path("method").isTextual()
                || !data.path("id").canConvertToInt()) {
            LOG.debug("Ignored message on {} that is no device RPC request: {}", Topics.GATEWAY_RPC, json);
            return;
        }
        counters.rpcRequests.increment();
        DeviceRpcRequest request = new DeviceRpcRequest(json.get("device").asText(), data.get("id").asInt(),
                data.get("method").asText(), data.path("params"));
        DeviceRpcHandler handler = deviceHandler;
        Mono<JsonNode> handled = handler == null
                ? Mono.error(new RpcMethodNotFoundException(request.method()))
                : Mono.defer(() -> handler.handle(request));
        answer(handled, request.method())
                .flatMap(reply -> publishes.publishNow(Topics.GATEWAY_RPC,
                        encoder.deviceRpcReply(request.device(), request.id(), reply)))
                .subscribe(null, e -> LOG.warn("Could not reply to RPC {} of device {}", request.id(),
                        request.device(), e));
    }

    /** On the lane: {@code {"method":..,"params":..}} on {@code v1/devices/me/rpc/request/{requestId}}. */
    void onGatewayRpcMessage(String requestId, JsonNode json) {
        if (!json.path("method").isTextual()) {
            return;
        }
        String method = json.get("method").asText();
        if (clientRpc.isOwnRequest(requestId, method)) {
            // our own client-side RPC request, echoed by a plain broker standing in for ThingsBoard
            return;
        }
        counters.rpcRequests.increment();
        GatewayRpcHandler handler = gatewayHandlers.get(stripGatewayPrefix(method));
        JsonNode params = json.path("params");
        Mono<JsonNode> handled = handler == null
                ? Mono.error(new RpcMethodNotFoundException(method))
                : Mono.defer(() -> handler.handle(params));
        answer(handled, method)
                .flatMap(reply -> publishes.publishNow(Topics.ME_RPC_RESPONSE_PREFIX + requestId, encoder.json(reply)))
                .subscribe(null, e -> LOG.warn("Could not reply to gateway RPC {}", requestId, e));
    }

    /** Applies the RPC timeout and turns outcomes into the ThingsBoard IoT Gateway's reply shapes. */
    private Mono<JsonNode> answer(Mono<JsonNode> handled, String method) {
        return handled
                .timeout(timeout, threads.timer)
                .defaultIfEmpty(JsonNodeFactory.instance.objectNode().put("success", true))
                .onErrorResume(e -> {
                    ObjectNode error = JsonNodeFactory.instance.objectNode();
                    if (e instanceof TimeoutException) {
                        counters.rpcTimeouts.increment();
                        LOG.warn("RPC {} timed out after {}", method, timeout);
                        error.put("error", "Request timeout").put("code", 408);
                    } else if (e instanceof RpcMethodNotFoundException) {
                        error.put("error", "Method not found").put("code", 404);
                    } else {
                        LOG.debug("RPC {} failed", method, e);
                        error.put("error", e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
                    }
                    return Mono.just(error);
                });
    }

    private static String stripGatewayPrefix(String method) {
        return method.startsWith(GATEWAY_PREFIX) ? method.substring(GATEWAY_PREFIX.length()) : method;
    }
}
