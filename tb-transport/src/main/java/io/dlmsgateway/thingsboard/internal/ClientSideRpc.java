package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Client-side RPC of the gateway device: requests on {@code v1/devices/me/rpc/request/{id}}, answers on
 * {@code .../response/{id}}. ThingsBoard numbers server-side RPCs on the same topics independently, so a response is
 * taken only if the caller's predicate recognises it, and a request of ours echoed by a plain MQTT broker standing
 * in for ThingsBoard must not be taken for a server RPC.
 *
 * <p>Threading: the pending calls are confined to the lane. {@link #call} may be subscribed from any thread (it hops
 * onto the lane); {@link #onResponse}, {@link #isOwnRequest} and {@link #cancelAll} run on the lane.
 */
final class ClientSideRpc {

    private record Pending(String method, Predicate<JsonNode> accepts, Sinks.One<JsonNode> answer) {
    }

    private final OutgoingPublishes publishes;
    private final PayloadEncoder encoder;
    private final TransportThreads threads;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private int lastId;

    ClientSideRpc(OutgoingPublishes publishes, PayloadEncoder encoder, TransportThreads threads) {
        this.publishes = publishes;
        this.encoder = encoder;
        this.threads = threads;
    }

    /**
     * Sends {@code {"method":..,"params":..}} and emits the first response {@code accepts} recognises; errors with a
     * {@link java.util.concurrent.TimeoutException} when none arrives within {@code timeout}, completes empty when
     * the transport closes first.
     */
    Mono<JsonNode> call(String method, ObjectNode params, Predicate<JsonNode> accepts, Duration timeout) {
        return Mono.defer(() -> {
            int id = ++lastId;
            Pending call = new Pending(method, accepts, Sinks.one());
            pending.put(id, call);
            ObjectNode request = JsonNodeFactory.instance.objectNode().put("method", method);
            request.set("params", params);
            return publishes.publishNow(Topics.ME_RPC_REQUEST_PREFIX + id, encoder.json(request))
                    .then(call.answer.asMono())
                    .timeout(timeout, threads.timer)
                    .doFinally(signal -> threads.lane.execute(() -> pending.remove(id, call)));
        }).subscribeOn(threads.laneScheduler);
    }

    /** On the lane: whether a request with this id and method is one of ours, echoed back. */
    boolean isOwnRequest(String requestId, String method) {
        Integer id = parseId(requestId);
        Pending call = id == null ? null : pending.get(id);
        return call != null && call.method.equals(method);
    }

    /** On the lane. */
    void onResponse(String requestId, JsonNode json) {
        Integer id = parseId(requestId);
        Pending call = id == null ? null : pending.get(id);
        // a response to a server RPC of the same id, echoed by a plain broker, is not the answer we wait for
        if (call != null && call.accepts.test(json) && pending.remove(id, call)) {
            call.answer.tryEmitValue(json);
        }
    }

    /** On the lane, at close: every waiting call completes empty. */
    void cancelAll() {
        pending.values().forEach(call -> call.answer.tryEmitEmpty());
        pending.clear();
    }

    private static Integer parseId(String id) {
        try {
            return Integer.valueOf(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
