package io.dlmsgateway.thingsboard.internal;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

/** Topics of the ThingsBoard Gateway MQTT API and device API used by the transport. */
final class Topics {

    static final String GATEWAY_CONNECT = "v1/gateway/connect";
    static final String GATEWAY_DISCONNECT = "v1/gateway/disconnect";
    static final String GATEWAY_TELEMETRY = "v1/gateway/telemetry";
    static final String GATEWAY_ATTRIBUTES = "v1/gateway/attributes";
    static final String GATEWAY_RPC = "v1/gateway/rpc";
    static final String ME_TELEMETRY = "v1/devices/me/telemetry";
    static final String ME_RPC_REQUEST_PREFIX = "v1/devices/me/rpc/request/";
    static final String ME_RPC_RESPONSE_PREFIX = "v1/devices/me/rpc/response/";
    static final String ME_RPC_REQUEST_FILTER = ME_RPC_REQUEST_PREFIX + "+";
    static final String ME_RPC_RESPONSE_FILTER = ME_RPC_RESPONSE_PREFIX + "+";

    private Topics() {
    }

    /** The subscriptions to everything ThingsBoard sends a gateway. */
    static Mqtt3Subscribe downlink(MqttQos qos) {
        return Mqtt3Subscribe.builder()
                .addSubscriptions(Stream.of(GATEWAY_RPC, GATEWAY_ATTRIBUTES,
                                ME_RPC_REQUEST_FILTER, ME_RPC_RESPONSE_FILTER)
                        .map(filter -> Mqtt3Subscription.builder().topicFilter(filter).qos(qos).build())
                        .toList())
                .build();
    }

    /**
     * Bytes of a QoS 1 PUBLISH's remaining length that are not payload: topic length prefix, topic and packet id.
     * ThingsBoard's decoder limit applies to the whole remaining length, so payloads get what is left.
     */
    static int publishOverhead(String topic) {
        return 2 + topic.getBytes(StandardCharsets.UTF_8).length + 2;
    }
}
