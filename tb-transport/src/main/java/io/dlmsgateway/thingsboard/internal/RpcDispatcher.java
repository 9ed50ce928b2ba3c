package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.resources.LogText;
import io.dlmsgateway.thingsboard.DeviceRpcHandler;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;
import io.dlmsgateway.thingsboard.GatewayRpcHandler;
import io.dlmsgateway.thingsboard.RpcMethodNotFoundException;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import io.dlmsgateway.thingsboard.TransportStatistics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
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
    private final SessionLimits limits;
    private final Duration timeout;
    private DeviceRpcHandler deviceHandler;
    /** Gateway RPC handlers by method name without the {@code gateway_} prefix. */
    private final Map<String, GatewayRpcHandler> gatewayHandlers = new HashMap<>();

    RpcDispatcher(OutgoingPublishes publishes, PayloadEncoder encoder, TransportCounters counters,
            TransportThreads threads, ClientSideRpc clientRpc, SessionLimits limits, Duration timeout) {
        this.publishes = publishes;
        this.encoder = encoder;
        this.counters = counters;
        this.threads = threads;
        this.clientRpc = clientRpc;
        this.limits = limits;
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
     * On the lane: a message on {@code v1/gateway/rpc}, read and checked by {@link IncomingJson}. A request is handed
     * to the handler; one that can be answered but not served gets its refusal; one without a device or a usable id
     * cannot be answered at all and is logged, as ThingsBoard will time it out.
     */
    void onDeviceRpcMessage(IncomingJson.DeviceRpc message) {
        if (message instanceof IncomingJson.Ignored ignored) {
            LOG.debug("Ignored message on {} that is no device RPC request: {}", Topics.GATEWAY_RPC, ignored.reason());
            return;
        }
        counters.rpcRequests.increment();
        if (message instanceof IncomingJson.Unanswerable unanswerable) {
            LOG.warn("Device RPC not answered: {}", unanswerable.reason());
            return;
        }
        if (message instanceof IncomingJson.Refused refused) {
            LOG.warn("Device RPC {} {} to '{}' refused: {}", LogText.remote(refused.id().toString()),
                    LogText.remote(refused.method()), LogText.remote(refused.device()), refused.reason());
            replyToDevice(refused.device(), refused.id(), Mono.just(error(refused.reason(), refused.code())));
            return;
        }
        DeviceRpcRequest request = ((IncomingJson.Request) message).request();
        DeviceRpcHandler handler = deviceHandler;
        Mono<JsonNode> handled = handler == null
                ? Mono.error(new RpcMethodNotFoundException(request.method()))
                : Mono.defer(() -> handler.handle(request));
        replyToDevice(request.device(), request.id(), answer(handled, request.method()));
    }

    private void replyToDevice(String device, JsonNode id, Mono<JsonNode> reply) {
        String topic = Topics.GATEWAY_RPC;
        reply.map(data -> withinLimit(topic, encoder.deviceRpcReply(device, id, data),
                        tooLarge -> encoder.deviceRpcReply(device, id, tooLarge)))
                .flatMap(payload -> publishes.publishNow(topic, payload))
                .subscribe(null, e -> LOG.warn("Could not reply to RPC {} of device '{}'", LogText.remote(id.toString()),
                        LogText.remote(device), e));
    }

    /** On the lane: a message on {@code v1/devices/me/rpc/request/{requestId}}, read by {@link IncomingJson}. */
    void onGatewayRpcMessage(String requestId, IncomingJson.GatewayRpc message) {
        if (message instanceof IncomingJson.Ignored) {
            return;
        }
        if (message instanceof IncomingJson.GatewayRefused refused) {
            if (refused.method() != null && clientRpc.isOwnRequest(requestId, refused.method())) {
                return;
            }
            counters.rpcRequests.increment();
            LOG.warn("Gateway RPC {} {} refused: {}", LogText.remote(requestId), LogText.remote(refused.method()),
                    refused.reason());
            replyToGateway(requestId, Mono.just(error(refused.reason(), refused.code())));
            return;
        }
        IncomingJson.GatewayRequest request = (IncomingJson.GatewayRequest) message;
        String method = request.method();
        if (clientRpc.isOwnRequest(requestId, method)) {
            // our own client-side RPC request, echoed by a plain broker standing in for ThingsBoard
            return;
        }
        counters.rpcRequests.increment();
        GatewayRpcHandler handler = gatewayHandlers.get(stripGatewayPrefix(method));
        JsonNode params = request.params();
        Mono<JsonNode> handled = handler == null
                ? Mono.error(new RpcMethodNotFoundException(method))
                : Mono.defer(() -> handler.handle(params));
        replyToGateway(requestId, answer(handled, method));
    }

    private void replyToGateway(String requestId, Mono<JsonNode> reply) {
        String topic = Topics.ME_RPC_RESPONSE_PREFIX + requestId;
        reply.map(data -> withinLimit(topic, encoder.json(data), encoder::json))
                .flatMap(payload -> publishes.publishNow(topic, payload))
                .subscribe(null, e -> LOG.warn("Could not reply to gateway RPC {}", LogText.remote(requestId), e));
    }

    /**
     * The reply as encoded when it fits ThingsBoard's payload limit in force, else a refusal saying so: a reply
     * ThingsBoard would drop (or close the connection over) is no answer at all. Replies with a natural split page
     * themselves (see {@code gateway_devices}); the rest are bounded by what was asked.
     */
    private byte[] withinLimit(String topic, byte[] payload, Function<JsonNode, byte[]> encode) {
        int budget = limits.payloadBudget(topic);
        if (payload.length <= budget) {
            return payload;
        }
        String reason = "reply of " + payload.length + " bytes is larger than the " + budget + " bytes ThingsBoard"
                + " takes in one message (maxPayloadSizeBytes, or 80 % of its session limit); ask for less";
        LOG.warn("RPC reply on {} refused: {}", LogText.remote(topic), reason);
        return encode.apply(error(reason, IncomingJson.TOO_LARGE));
    }

    private static ObjectNode error(String reason, int code) {
        return JsonNodeFactory.instance.objectNode().put("error", reason).put("code", code);
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
                        LOG.warn("RPC {} timed out after {}", LogText.remote(method), timeout);
                        error.put("error", "Request timeout").put("code", 408);
                    } else if (e instanceof RpcMethodNotFoundException) {
                        error.put("error", "Method not found").put("code", 404);
                    } else if (e instanceof RpcRefusedException) {
                        LOG.info("RPC {} refused: {}", LogText.remote(method), e.getMessage());
                        error.put("error", e.getMessage()).put("code", RpcRefusedException.CODE);
                    } else {
                        LOG.debug("RPC {} failed", LogText.remote(method), e);
                        error.put("error", e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
                    }
                    return Mono.just(error);
                });
    }

    private static String stripGatewayPrefix(String method) {
        return method.startsWith(GATEWAY_PREFIX) ? method.substring(GATEWAY_PREFIX.length()) : method;
    }
}
