package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.dlmsgateway.resources.LogText;
import io.dlmsgateway.thingsboard.AttributeUpdate;
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

    private final IncomingJson json;
    private final TransportCounters counters;
    private final RpcDispatcher rpc;
    private final ClientSideRpc clientRpc;
    private final Sinks.Many<AttributeUpdate> attributeUpdates =
            Sinks.many().multicast().onBackpressureBuffer(ATTRIBUTE_UPDATE_BUFFER, false);

    IncomingMessages(IncomingJson json, TransportCounters counters, RpcDispatcher rpc, ClientSideRpc clientRpc) {
        this.json = json;
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

    /**
     * On the lane. The size bound comes first, before any parsing: the lane runs on an event loop shared with the
     * meters, and nothing ThingsBoard sends may hold it longer than reading a message of ThingsBoard's own size limit.
     */
    void dispatch(Mqtt3Publish publish) {
        counters.messagesReceived.increment();
        String topic = publish.getTopic().toString();
        byte[] payload = publish.getPayloadAsBytes();
        try {
            if (topic.equals(Topics.GATEWAY_RPC)) {
                rpc.onDeviceRpcMessage(json.deviceRpc(payload));
            } else if (topic.equals(Topics.GATEWAY_ATTRIBUTES)) {
                onAttributeMessage(json.attributes(payload));
            } else if (topic.startsWith(Topics.ME_RPC_REQUEST_PREFIX)) {
                rpc.onGatewayRpcMessage(topic.substring(Topics.ME_RPC_REQUEST_PREFIX.length()),
                        json.gatewayRpc(payload));
            } else if (topic.startsWith(Topics.ME_RPC_RESPONSE_PREFIX)) {
                JsonNode tree = payload.length <= json.maxBytes() ? json.tree(payload) : null;
                if (tree == null) {
                    LOG.warn("Ignored an answer on {} that is not JSON or larger than {} bytes ({} bytes)",
                            LogText.remote(topic), json.maxBytes(), payload.length);
                    return;
                }
                clientRpc.onResponse(topic.substring(Topics.ME_RPC_RESPONSE_PREFIX.length()), tree);
            }
        } catch (RuntimeException e) {
            LOG.warn("Failed to handle a message on {}", LogText.remote(topic), e);
        }
    }

    private void onAttributeMessage(IncomingJson.Attributes message) {
        if (message instanceof IncomingJson.Ignored ignored) {
            LOG.debug("Ignored message on {}: {}", Topics.GATEWAY_ATTRIBUTES, ignored.reason());
            return;
        }
        if (message instanceof IncomingJson.Malformed malformed) {
            LOG.warn("Ignored a shared attribute update: {}", malformed.reason());
            return;
        }
        AttributeUpdate update = ((IncomingJson.Update) message).update();
        Sinks.EmitResult result = attributeUpdates.tryEmitNext(update);
        if (result.isFailure()) {
            counters.droppedAttributeUpdates.increment();
            LOG.warn("Dropped an attribute update of '{}' ({})", LogText.remote(update.device()), result);
        }
    }
}
