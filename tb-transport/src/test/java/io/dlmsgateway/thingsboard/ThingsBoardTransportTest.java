package io.dlmsgateway.thingsboard;

import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.await;
import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.json;
import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.onTopic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dlmsgateway.thingsboard.ThingsBoardStandIn.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The transport against a real MQTT broker, with a plain MQTT client playing ThingsBoard. */
class ThingsBoardTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger GATEWAYS = new AtomicInteger();

    private static ThingsBoardStandIn thingsBoard;
    private final List<ThingsBoardTransport> transports = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        thingsBoard = new ThingsBoardStandIn();
    }

    @AfterAll
    static void stopBroker() {
        thingsBoard.close();
    }

    @AfterEach
    void closeTransports() {
        transports.forEach(t -> t.close().block(WAIT));
        assertThat(transports).allSatisfy(t -> assertThat(t.connectionStates().blockLast(WAIT))
                .isEqualTo(ConnectionState.CLOSED));
    }

    private String newGatewayId() {
        return "gw-" + GATEWAYS.incrementAndGet();
    }

    private ThingsBoardTransport connected(ThingsBoardSettings settings) {
        ThingsBoardTransport transport = ThingsBoardTransport.create(settings);
        transports.add(transport);
        transport.start();
        transport.connectionStates().filter(s -> s == ConnectionState.CONNECTED).blockFirst(WAIT);
        return transport;
    }

    @Test
    void announcesDevicesThenPublishesOneTelemetryMessageForManyDevicesAndAcksTheBatch() {
        String gw = newGatewayId();
        ThingsBoardTransport transport = connected(thingsBoard.settings(gw, "token-" + gw).build());
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("voltage_l1", 230.1);
        first.put("active_energy", 12345L);
        TelemetryBatch<String> batch = new TelemetryBatch<>(List.of(
                new DeviceTelemetry("Meter-001", "DLMS_Energy_Meter", 1_700_000_000_000L, first),
                new DeviceTelemetry("Meter-002", null, 1_700_000_000_000L, Map.of("current_l1", 5.5)),
                new DeviceTelemetry("Meter-001", "DLMS_Energy_Meter", 1_700_000_060_000L, Map.of("voltage_l1", 231))),
                "spool-1..3");

        StepVerifier.create(transport.publishTelemetry(Flux.just(batch)))
                .assertNext(ack -> {
                    assertThat(ack.isSuccess()).isTrue();
                    assertThat(ack.context()).isEqualTo("spool-1..3");
                    assertThat(ack.publishes()).isEqualTo(1);
                    assertThat(ack.droppedValues()).isZero();
                })
                .expectComplete()
                .verify(WAIT);

        await(WAIT, () -> thingsBoard.publishedBy(gw).size() == 3);
        List<Message> published = thingsBoard.publishedBy(gw);
        assertThat(published.subList(0, 2)).extracting(Message::topic).containsOnly("v1/gateway/connect");
        assertThat(published.subList(0, 2)).extracting(Message::json).containsExactlyInAnyOrder(
                json("{\"device\":\"Meter-001\",\"type\":\"DLMS_Energy_Meter\"}"),
                json("{\"device\":\"Meter-002\"}"));
        assertThat(published.get(2).topic()).isEqualTo("v1/gateway/telemetry");
        assertThat(published.get(2).json()).isEqualTo(json("""
                {"Meter-001":[{"ts":1700000000000,"values":{"voltage_l1":230.1,"active_energy":12345}},
                              {"ts":1700000060000,"values":{"voltage_l1":231}}],
                 "Meter-002":[{"ts":1700000000000,"values":{"current_l1":5.5}}]}"""));
        assertThat(thingsBoard.connects).anySatisfy(c -> {
            assertThat(c.clientId()).isEqualTo(gw);
            assertThat(c.username()).isEqualTo("token-" + gw);
        });
        assertThat(transport.devices()).containsEntry("Meter-001", "DLMS_Energy_Meter").containsEntry("Meter-002", null);

        // a second batch of known devices goes without connects
        transport.publishTelemetry(Flux.just(new TelemetryBatch<>(List.of(
                new DeviceTelemetry("Meter-002", null, 1, Map.of("x", 1))), "b2"))).blockLast(WAIT);
        await(WAIT, () -> thingsBoard.publishedBy(gw).size() == 4);
        assertThat(thingsBoard.publishedBy(gw, "v1/gateway/connect")).hasSize(2);
        TransportStatistics stats = transport.statistics();
        assertThat(stats.batchesAcked()).isEqualTo(2);
        assertThat(stats.messagesSent()).isEqualTo(4);
        assertThat(stats.publishesAcked()).isEqualTo(4);
        assertThat(stats.telemetryValues()).isEqualTo(5);
    }

    @Test
    void splitsAtTheMaximumPayloadSizeAndDeliversEveryValueExactlyOnce() {
        String gw = newGatewayId();
        ThingsBoardTransport transport = connected(thingsBoard.settings(gw, "t").maxPayloadSize(1024).build());
        List<DeviceTelemetry> entries = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            for (int t = 0; t < 30; t++) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (int v = 0; v < 5; v++) {
                    values.put("register_" + v, d * 10_000 + t * 10 + v);
                }
                entries.add(new DeviceTelemetry("Meter-" + d, "DLMS", 1_700_000_000_000L + t * 1000L, values));
            }
        }
        Map<String, Object> wide = new LinkedHashMap<>();
        for (int v = 0; v < 60; v++) {
            wide.put("profile_value_" + v, 1000.25 + v);
        }
        entries.add(new DeviceTelemetry("Meter-wide", null, 5, wide));

        TelemetryAck<Integer> ack = transport.publishTelemetry(Flux.just(new TelemetryBatch<>(entries, 7)))
                .blockLast(WAIT);

        assertThat(ack.isSuccess()).isTrue();
        await(WAIT, () -> thingsBoard.publishedBy(gw, "v1/gateway/telemetry").size() == ack.publishes());
        List<Message> telemetry = thingsBoard.publishedBy(gw, "v1/gateway/telemetry");
        assertThat(telemetry.size()).isGreaterThan(10);
        assertThat(telemetry).allSatisfy(m -> assertThat(m.remainingLength()).isLessThanOrEqualTo(1024));
        Map<String, Integer> seen = new HashMap<>();
        for (Message m : telemetry) {
            m.json().fields().forEachRemaining(device -> device.getValue().forEach(entry ->
                    entry.get("values").fields().forEachRemaining(value -> seen.merge(device.getKey() + '|'
                            + entry.get("ts").asLong() + '|' + value.getKey() + '=' + value.getValue(), 1,
                            Integer::sum))));
        }
        assertThat(seen).hasSize(3 * 30 * 5 + 60);
        assertThat(seen.values()).containsOnly(1);
        assertThat(seen).containsKey("Meter-2|1700000029000|register_4=20294")
                .containsKey("Meter-wide|5|profile_value_59=1059.25");
        assertThat(transport.statistics().payloadSplits()).isEqualTo(telemetry.size() - 1);
    }

    @Test
    void answersDeviceRpcsWithTheHandlersResultATimeoutAnErrorOrMethodNotFound() {
        String gw = newGatewayId();
        ThingsBoardTransport transport = connected(thingsBoard.settings(gw, "t")
                .rpcTimeout(Duration.ofMillis(400)).build());
        transport.onDeviceRpc(request -> switch (request.method()) {
            case "read" -> Mono.just(JsonNodeFactory.instance.objectNode()
                    .put("device", request.device())
                    .put("value", 230.5)
                    .set("echo", request.params()));
            case "slow" -> Mono.never();
            case "fail" -> Mono.error(new IllegalStateException("meter offline"));
            default -> Mono.error(new RpcMethodNotFoundException(request.method()));
        });

        thingsBoard.send("v1/gateway/rpc",
                "{\"device\":\"Meter-7\",\"data\":{\"id\":11,\"method\":\"read\",\"params\":{\"obis\":\"1.0.32.7.0.255\"}}}");
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"Meter-7\",\"data\":{\"id\":12,\"method\":\"slow\"}}");
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"Meter-7\",\"data\":{\"id\":13,\"method\":\"reboot\"}}");
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"Meter-8\",\"data\":{\"id\":14,\"method\":\"fail\"}}");

        assertThat(reply(11).json()).isEqualTo(json("""
                {"device":"Meter-7","id":11,
                 "data":{"device":"Meter-7","value":230.5,"echo":{"obis":"1.0.32.7.0.255"}}}"""));
        assertThat(reply(12).json()).isEqualTo(json(
                "{\"device\":\"Meter-7\",\"id\":12,\"data\":{\"error\":\"Request timeout\",\"code\":408}}"));
        assertThat(reply(13).json()).isEqualTo(json(
                "{\"device\":\"Meter-7\",\"id\":13,\"data\":{\"error\":\"Method not found\",\"code\":404}}"));
        assertThat(reply(14).json()).isEqualTo(json(
                "{\"device\":\"Meter-8\",\"id\":14,\"data\":{\"error\":\"meter offline\"}}"));
        assertThat(transport.statistics().rpcRequests()).isEqualTo(4);
        assertThat(transport.statistics().rpcTimeouts()).isEqualTo(1);
    }

    private static Message reply(int id) {
        return thingsBoard.awaitServerMessage(onTopic("v1/gateway/rpc", j -> j.path("id").asInt(-1) == id));
    }

    @Test
    void publishesAttributesAndEmitsSharedAttributeUpdatesButNotItsOwnUploads() {
        String gw = newGatewayId();
        ThingsBoardTransport transport = connected(thingsBoard.settings(gw, "t").build());

        StepVerifier.create(transport.attributeUpdates().take(2))
                .then(() -> {
                    transport.publishAttributes("Meter-1", "DLMS", Map.of("host", "10.0.0.7", "port", 4059))
                            .block(WAIT);
                    thingsBoard.send("v1/gateway/attributes",
                            "{\"device\":\"Meter-1\",\"data\":{\"pollingInterval\":900,\"mode\":\"fast\"}}");
                    thingsBoard.send("v1/gateway/attributes", "{\"device\":\"Meter-1\",\"data\":{\"deleted\":[\"a\",\"b\"]}}");
                })
                .assertNext(update -> {
                    assertThat(update.device()).isEqualTo("Meter-1");
                    assertThat(update.values()).isEqualTo(json("{\"pollingInterval\":900,\"mode\":\"fast\"}"));
                    assertThat(update.deletedKeys()).isEmpty();
                })
                .assertNext(update -> {
                    assertThat(update.values().isEmpty()).isTrue();
                    assertThat(update.deletedKeys()).containsExactly("a", "b");
                })
                .expectComplete()
                .verify(WAIT);

        List<Message> published = thingsBoard.publishedBy(gw);
        assertThat(published).extracting(Message::topic)
                .containsExactly("v1/gateway/connect", "v1/gateway/attributes");
        assertThat(published.get(1).json()).isEqualTo(json("{\"Meter-1\":{\"host\":\"10.0.0.7\",\"port\":4059}}"));
    }

    @Test
    void answersGatewayRpcsAndPublishesGatewayTelemetryAndDeviceDisconnects() {
        String gw = newGatewayId();
        ThingsBoardTransport transport = connected(thingsBoard.settings(gw, "t").build());
        transport.onGatewayRpc("gateway_restart_meters", params ->
                Mono.just(JsonNodeFactory.instance.objectNode().put("restarted", params.path("count").asInt())));
        transport.connectDevice("Meter-X", "DLMS").block(WAIT);

        thingsBoard.send("v1/devices/me/rpc/request/501", "{\"method\":\"gateway_ping\",\"params\":{}}");
        thingsBoard.send("v1/devices/me/rpc/request/502", "{\"method\":\"gateway_devices\",\"params\":{}}");
        thingsBoard.send("v1/devices/me/rpc/request/503", "{\"method\":\"restart_meters\",\"params\":{\"count\":3}}");
        thingsBoard.send("v1/devices/me/rpc/request/504", "{\"method\":\"gateway_selfdestruct\"}");
        thingsBoard.send("v1/devices/me/rpc/request/505", "{\"method\":\"gateway_stats\"}");

        assertThat(gatewayReply(501)).isEqualTo(json("{\"code\":200,\"resp\":\"pong\"}"));
        assertThat(gatewayReply(502)).isEqualTo(json("{\"code\":200,\"resp\":{\"Meter-X\":\"DLMS\"}}"));
        assertThat(gatewayReply(503)).isEqualTo(json("{\"restarted\":3}"));
        assertThat(gatewayReply(504)).isEqualTo(json("{\"error\":\"Method not found\",\"code\":404}"));
        assertThat(gatewayReply(505).path("messagesSent").asLong()).isGreaterThanOrEqualTo(1);

        transport.publishGatewayTelemetry(Map.of("devicesConnected", 1)).block(WAIT);
        transport.disconnectDevice("Meter-X").block(WAIT);

        await(WAIT, () -> thingsBoard.publishedBy(gw, "v1/gateway/disconnect").size() == 1);
        assertThat(thingsBoard.publishedBy(gw, "v1/devices/me/telemetry")).singleElement()
                .extracting(Message::json).isEqualTo(json("{\"devicesConnected\":1}"));
        assertThat(thingsBoard.publishedBy(gw, "v1/gateway/disconnect").get(0).json())
                .isEqualTo(json("{\"device\":\"Meter-X\"}"));
        assertThat(transport.devices()).isEmpty();
    }

    private static JsonNode gatewayReply(int id) {
        return thingsBoard.awaitServerMessage(m -> m.topic().equals("v1/devices/me/rpc/response/" + id)).json();
    }

    @Test
    void keepsEightyPercentOfTheSessionLimitsThingsBoardAnnounces() {
        String gw = newGatewayId();
        // only this test asks for session limits, so the first such request seen is this gateway's
        Thread answering = new Thread(() -> {
            Message request = thingsBoard.awaitServerMessage(m -> m.topic().startsWith("v1/devices/me/rpc/request/")
                    && m.json().path("method").asText().equals("getSessionLimits"));
            thingsBoard.send(request.topic().replace("/request/", "/response/"), """
                    {"maxPayloadSize":2000,"maxInflightMessages":50,
                     "rateLimits":{"messages":"200:1","telemetryMessages":"100:1","telemetryDataPoints":"1000:1"},
                     "gatewayRateLimits":{"messages":"200:1"}}""");
        }, "thingsboard-session-limits");
        answering.start();
        ThingsBoardTransport transport = connected(thingsBoard.settings(gw, "t")
                .sessionLimitsTimeout(Duration.ofSeconds(5)).build());
        answering.interrupt();

        assertThat(transport.statistics().maxPayloadSize()).isEqualTo(1600);
        assertThat(transport.statistics().maxInflight()).isEqualTo(40);
        Message request = thingsBoard.publishedBy(gw).get(0);
        assertThat(request.topic()).matches("v1/devices/me/rpc/request/\\d+");
        assertThat(request.json()).isEqualTo(json("{\"method\":\"getSessionLimits\",\"params\":{\"timeout\":5000}}"));

        List<DeviceTelemetry> entries = new ArrayList<>();
        for (int t = 0; t < 100; t++) {
            entries.add(new DeviceTelemetry("Meter-L", null, t, Map.of("voltage", 230 + t, "current", 5 + t)));
        }
        TelemetryAck<String> ack = transport.publishTelemetry(Flux.just(new TelemetryBatch<>(entries, "x")))
                .blockLast(WAIT);
        assertThat(ack.isSuccess()).isTrue();
        await(WAIT, () -> thingsBoard.publishedBy(gw, "v1/gateway/telemetry").size() == ack.publishes());
        assertThat(thingsBoard.publishedBy(gw, "v1/gateway/telemetry"))
                .hasSizeGreaterThan(2)
                .allSatisfy(m -> assertThat(m.remainingLength()).isLessThanOrEqualTo(1600));
    }
}
