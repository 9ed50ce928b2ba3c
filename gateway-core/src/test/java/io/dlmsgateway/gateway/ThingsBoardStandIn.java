package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.broker.BrokerListener;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * What ThingsBoard sees of the gateway: every message the real in-process MQTT broker accepted from it, in arrival
 * order, parsed with Jackson; and a way to send it what ThingsBoard sends (RPCs, shared attributes).
 */
public final class ThingsBoardStandIn implements BrokerListener {

    static final ObjectMapper JSON = new ObjectMapper();

    public record Message(String topic, String clientId, String username, byte[] payload, JsonNode json) {
    }

    /** One telemetry entry of one device as it arrived in a {@code v1/gateway/telemetry} message. */
    public record Entry(String device, long ts, JsonNode values) {
    }

    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<String> connectedUsernames = new CopyOnWriteArrayList<>();
    EmbeddedBroker broker;

    public EmbeddedBroker start() {
        return start(0);
    }

    /** Starts the broker on loopback at {@code port} (0: any free port). */
    public EmbeddedBroker start(int port) {
        broker = EmbeddedBroker.builder().host("127.0.0.1").port(port).listener(this).start();
        return broker;
    }

    @Override
    public void onConnect(String clientId, String username) {
        connectedUsernames.add(username);
    }

    @Override
    public void onPublish(String clientId, String username, String topic, byte[] payload) {
        JsonNode json;
        try {
            json = JSON.readTree(payload);
        } catch (IOException e) {
            json = null;
        }
        messages.add(new Message(topic, clientId, username, payload, json));
    }

    public List<Message> on(String topic) {
        return messages.stream().filter(m -> m.topic().equals(topic)).toList();
    }

    public List<Entry> telemetry() {
        List<Entry> entries = new ArrayList<>();
        for (Message m : on("v1/gateway/telemetry")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.json().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> device = it.next();
                for (JsonNode e : device.getValue()) {
                    entries.add(new Entry(device.getKey(), e.get("ts").asLong(), e.get("values")));
                }
            }
        }
        return entries;
    }

    public List<Entry> telemetry(String device) {
        return telemetry().stream().filter(e -> e.device().equals(device)).toList();
    }

    /** Sends what ThingsBoard would send to the gateway on a topic. */
    public void send(String topic, String json) {
        broker.publish(topic, json.getBytes(StandardCharsets.UTF_8));
    }

    /** The first message on a topic matching the condition, waiting for it. */
    Message await(String topic, java.util.function.Predicate<JsonNode> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Message m : on(topic)) {
                if (m.json() != null && condition.test(m.json())) {
                    return m;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no message on " + topic + " matching the condition within " + timeout
                + "; got " + on(topic).stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList());
    }

    public static void awaitTrue(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
