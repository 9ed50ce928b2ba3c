package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.dlmsgateway.thingsboard.AttributeUpdate;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Everything ThingsBoard sends: parses each message once and routes it by topic to the RPC dispatcher, the client-side
 * RPC calls or the shared attribute updates, which are emitted here.
 *
 * <p>Threading: {@link #dispatch} runs on the lane, one message at a time, which also makes the lane the only emitter
 * of the attribute updates sink (a sink emitted from several threads fails with FAIL_NON_SERIALIZED).
 */
final class IncomingMessages {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;
    /** Updates kept for slow subscribers of the hot flux before they are dropped and counted. */
    private static final int ATTRIBUTE_UPDATE_BUFFER = 1024;

    private final ObjectMapper mapper;
    private final TransportCounters counters;
    private final RpcDispatcher rpc;
    private final ClientSideRpc clientRpc;
    private final Sinks.Many<AttributeUpdate> attributeUpdates =
            Sinks.many().multicast().onBackpressureBuffer(ATTRIBUTE_UPDATE_BUFFER, false);

    IncomingMessages(ObjectMapper mapper, TransportCounters counters, RpcDispatcher rpc, ClientSideRpc clientRpc) {
        this.mapper = mapper;
        this.counters = counters;
        this.rpc = rpc;
        this.clientRpc = clientRpc;
    }

    Flux<AttributeUpdate> attributeUpdates() {
        return attributeUpdates.asFlux();
    }

    /** On the lane, at close. */
    void complete() {
        attributeUpdates.tryEmitComplete();
    }

    /** On the lane. */
    void dispatch(Mqtt3Publish publish) {
        counters.messagesReceived.increment();
        String topic = publish.getTopic().toString();
        JsonNode json;
        try {
            json = mapper.readTree(publish.getPayloadAsBytes());
        } catch (Exception e) {
            LOG.warn("Ignored a message on {} that is not JSON: {}", topic, e.getMessage());
            return;
        }
        if (json == null) {
            return;
        }
        try {
            if (topic.equals(Topics.GATEWAY_RPC)) {
                rpc.onDeviceRpcMessage(json);
            } else if (topic.equals(Topics.GATEWAY_ATTRIBUTES)) {
                onAttributeMessage(json);
            } else if (topic.startsWith(Topics.ME_RPC_REQUEST_PREFIX)) {
                rpc.onGatewayRpcMessage(topic.substring(Topics.ME_RPC_REQUEST_PREFIX.length()), json);
            } else if (topic.startsWith(Topics.ME_RPC_RESPONSE_PREFIX)) {
                clientRpc.onResponse(topic.substring(Topics.ME_RPC_RESPONSE_PREFIX.length()), json);
            }
        } catch (RuntimeException e) {
            LOG.warn("Failed to handle a message on {}", topic, e);
        }
    }

    /** {@code {"device":..,"data":{..}}}; ignores our own uploads ({@code {"dev":{..}}}) echoed by a plain broker. */
    private void onAttributeMessage(JsonNode json) {
        JsonNode data = json.path("data");
        if (!json.path("device").isTextual() || !data.isObject()) {
            LOG.debug("Ignored message on {} that is no attribute update: {}", Topics.GATEWAY_ATTRIBUTES, json);
            return;
        }
        ObjectNode values = ((ObjectNode) data).deepCopy();
        List<String> deleted = new ArrayList<>();
        JsonNode deletedNode = values.remove("deleted");
        if (deletedNode != null && deletedNode.isArray()) {
            deletedNode.forEach(k -> deleted.add(k.asText()));
        } else if (deletedNode != null) {
            values.set("deleted", deletedNode);
        }
        Sinks.EmitResult result = attributeUpdates.tryEmitNext(
                new AttributeUpdate(json.get("device").asText(), values, deleted));
        if (result.isFailure()) {
            counters.droppedAttributeUpdates.increment();
            LOG.warn("Dropped an attribute update of {} ({})", json.get("device").asText(), result);
        }
    }
}
