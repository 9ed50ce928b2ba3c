package io.dlmsgateway.thingsboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import io.dlmsgateway.thingsboard.broker.BrokerListener;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The ThingsBoard side of the tests: an embedded broker recording everything published at it (which survives broker
 * restarts, unlike a subscriber), and a plain HiveMQ client subscribed to {@code v1/#} that sends the downlink
 * messages ThingsBoard would send.
 */
final class ThingsBoardStandIn implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A message as the broker or the ThingsBoard-side client saw it. */
    record Message(String clientId, String username, String topic, byte[] payload) {
        JsonNode json() {
            try {
                return JSON.readTree(payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The MQTT remaining length of this message as a QoS 1 PUBLISH. */
        int remainingLength() {
            return 2 + topic.getBytes(StandardCharsets.UTF_8).length + 2 + payload.length;
        }
    }

    final EmbeddedBroker broker;
    final List<Message> publishedAtBroker = new CopyOnWriteArrayList<>();
    final List<Message> connects = new CopyOnWriteArrayList<>();
    final List<Message> serverInbox = new CopyOnWriteArrayList<>();
    private final Mqtt3AsyncClient server;

    ThingsBoardStandIn() {
        this(EmbeddedBroker.DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** A broker taking messages up to {@code maxMessageSize}, to send the transport more than ThingsBoard would. */
    ThingsBoardStandIn(int maxMessageSize) {
        broker = EmbeddedBroker.builder().port(0).maxMessageSize(maxMessageSize).listener(new BrokerListener() {
            @Override
            public void onConnect(String clientId, String username) {
                connects.add(new Message(clientId, username, null, new byte[0]));
            }

            @Override
            public void onPublish(String clientId, String username, String topic, byte[] payload) {
                publishedAtBroker.add(new Message(clientId, username, topic, payload));
            }
        }).start();
        server = Mqtt3Client.builder()
                .identifier("thingsboard-" + broker.port())
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(500, TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .buildAsync();
        server.publishes(MqttGlobalPublishFilter.ALL, p -> serverInbox.add(
                new Message("thingsboard", null, p.getTopic().toString(), p.getPayloadAsBytes())));
        server.connect().join();
        server.subscribeWith().topicFilter("v1/#").qos(MqttQos.AT_LEAST_ONCE).send().join();
    }

    ThingsBoardSettings.Builder settings(String clientId, String token) {
        return ThingsBoardSettings.builder()
                .host("127.0.0.1")
                .port(broker.port())
                .clientId(clientId)
                .accessToken(token)
                .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(500))
                .sessionLimitsTimeout(Duration.ZERO)
                .closeTimeout(Duration.ofSeconds(2));
    }

    /** Publishes as ThingsBoard, QoS 1, and waits for the broker's acknowledgement. */
    void send(String topic, String json) {
        server.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(json.getBytes(StandardCharsets.UTF_8)).send().join();
    }

    /**
     * Publishes as ThingsBoard at QoS 0, without waiting: for messages far beyond ThingsBoard's limit, whose PUBACK
     * the embedded broker does not send.
     */
    void sendAtMostOnce(String topic, String json) {
        server.publishWith().topic(topic).qos(MqttQos.AT_MOST_ONCE)
                .payload(json.getBytes(StandardCharsets.UTF_8)).send();
    }

    List<Message> publishedBy(String clientId) {
        return publishedAtBroker.stream().filter(m -> m.clientId().equals(clientId)).toList();
    }

    List<Message> publishedBy(String clientId, String topic) {
        return publishedBy(clientId).stream().filter(m -> m.topic().equals(topic)).toList();
    }

    /** The first message received by the ThingsBoard side that matches. */
    Message awaitServerMessage(Predicate<Message> matching) {
        await(Duration.ofSeconds(10), () -> serverInbox.stream().anyMatch(matching));
        return serverInbox.stream().filter(matching).findFirst().orElseThrow();
    }

    static Predicate<Message> onTopic(String topic, Predicate<JsonNode> json) {
        return m -> m.topic().equals(topic) && json.test(m.json());
    }

    static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean sameText(JsonNode node, String field, String value) {
        return Objects.equals(node.path(field).asText(null), value);
    }

    @Override
    public void close() {
        server.disconnect().exceptionally(e -> null).join();
        broker.stop();
    }
}
