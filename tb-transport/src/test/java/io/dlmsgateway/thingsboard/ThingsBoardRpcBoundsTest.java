package io.dlmsgateway.thingsboard;

import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.await;
import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.json;
import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.onTopic;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.thingsboard.ThingsBoardStandIn.Message;
import io.dlmsgateway.thingsboard.internal.HiveMqThingsBoardTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Issue 14, the ThingsBoard side of "one RPC freezes the gateway" and "replies are not kept within the payload
 * limit": what ThingsBoard sends is checked and bounded before a handler sees it, and what goes back fits.
 */
class ThingsBoardRpcBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int MAX_PAYLOAD = 4_096;

    private static ThingsBoardStandIn thingsBoard;
    private ThingsBoardTransport transport;
    private final String gateway = "gw-bounds-" + System.nanoTime();
    private final List<DeviceRpcRequest> handled = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void startBroker() {
        // the broker passes on more than ThingsBoard would, to see what the gateway makes of it
        thingsBoard = new ThingsBoardStandIn(8 << 20);
    }

    @AfterAll
    static void stopBroker() {
        thingsBoard.close();
    }

    @BeforeEach
    void start() {
        log.start();
        ((Logger) LoggerFactory.getLogger(HiveMqThingsBoardTransport.class)).addAppender(log);
        transport = ThingsBoardTransport.create(thingsBoard.settings(gateway, "t")
                .maxPayloadSize(MAX_PAYLOAD).build());
        transport.onDeviceRpc(request -> {
            handled.add(request);
            return switch (request.method()) {
                case "echo" -> Mono.just(JsonNodeFactory.instance.objectNode().set("params", request.params()));
                case "huge" -> Mono.just(huge());
                case "picky" -> Mono.error(new RpcRefusedException("picky: at most 3 objects per call"));
                default -> Mono.error(new RpcMethodNotFoundException(request.method()));
            };
        });
        transport.onGatewayRpc("gateway_huge", params -> Mono.just(huge()));
        transport.start();
        transport.connectionStates().filter(s -> s == ConnectionState.CONNECTED).blockFirst(WAIT);
    }

    @AfterEach
    void stop() {
        transport.close().block(WAIT);
        ((Logger) LoggerFactory.getLogger(HiveMqThingsBoardTransport.class)).detachAppender(log);
    }

    private static ObjectNode huge() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < 2_000; i++) {
            node.put("object-" + i, "value of object " + i);
        }
        return node;
    }

    @Test
    void aReadOfHundredThousandCodesIsRefusedWithTheLimitBeforeAnyHandlerSeesIt() {
        StringBuilder codes = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            codes.append(i == 0 ? "" : ",").append("\"1.0.").append(i % 100).append(".7.0.255\"");
        }
        String request = "{\"device\":\"Meter-1\",\"data\":{\"id\":41,\"method\":\"read\",\"params\":[" + codes
                + "]}}";
        assertThat(request.length()).isGreaterThan(1_500_000);

        thingsBoard.sendAtMostOnce("v1/gateway/rpc", request);

        JsonNode reply = deviceReply(j -> j.path("id").asInt(-1) == 41);
        assertThat(reply.path("device").asText()).isEqualTo("Meter-1");
        assertThat(reply.path("data").path("code").asInt()).isEqualTo(413);
        assertThat(reply.path("data").path("error").asText())
                .contains("bytes is larger than the " + MAX_PAYLOAD + " bytes");
        assertThat(handled).isEmpty();
    }

    @Test
    void aStringIdIsAnsweredWithTheSameStringId() {
        thingsBoard.send("v1/gateway/rpc",
                "{\"device\":\"Meter-2\",\"data\":{\"id\":\"req-7f\",\"method\":\"echo\",\"params\":[\"a\"]}}");

        JsonNode reply = deviceReply(j -> j.path("id").isTextual() && j.path("id").asText().equals("req-7f"));
        assertThat(reply).isEqualTo(json("{\"device\":\"Meter-2\",\"id\":\"req-7f\",\"data\":{\"params\":[\"a\"]}}"));
    }

    @Test
    void anRpcWithoutIdIsLoggedAtWarnAndReachesNoHandler() {
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"Meter-3\",\"data\":{\"method\":\"echo\"}}");

        await(WAIT, () -> warnings().stream().anyMatch(m -> m.contains("no id") && m.contains("Meter-3")));
        assertThat(handled).isEmpty();
    }

    @Test
    void aDeviceNameWithALineBreakStaysOnOneLogLine() {
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"Meter\\nFORGED LINE\",\"data\":{\"method\":\"echo\"}}");

        await(WAIT, () -> warnings().stream().anyMatch(m -> m.contains("FORGED LINE")));
        assertThat(warnings()).filteredOn(m -> m.contains("FORGED LINE")).allSatisfy(m ->
                assertThat(m).doesNotContain("\n").contains("Meter\\nFORGED LINE"));
    }

    @Test
    void aRefusalOfTheHandlerIsAnsweredWithItsReasonAndCode400() {
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"Meter-4\",\"data\":{\"id\":44,\"method\":\"picky\"}}");

        assertThat(deviceReply(j -> j.path("id").asInt(-1) == 44)).isEqualTo(json(
                "{\"device\":\"Meter-4\",\"id\":44,\"data\":{\"error\":\"picky: at most 3 objects per call\",\"code\":400}}"));
    }

    @Test
    void aReplyLargerThanThePayloadLimitIsReplacedByARefusalThatSaysTheLimit() {
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"Meter-5\",\"data\":{\"id\":45,\"method\":\"huge\"}}");
        thingsBoard.send("v1/devices/me/rpc/request/46", "{\"method\":\"gateway_huge\"}");

        JsonNode device = deviceReply(j -> j.path("id").asInt(-1) == 45);
        assertThat(device.path("data").path("code").asInt()).isEqualTo(413);
        assertThat(device.path("data").path("error").asText()).contains("ThingsBoard takes in one message");
        Message gatewayReply = thingsBoard.awaitServerMessage(m -> m.topic().equals("v1/devices/me/rpc/response/46"));
        assertThat(gatewayReply.json().path("code").asInt()).isEqualTo(413);
        // the broker tells its interceptors after it delivered to subscribers: both replies may arrive first
        await(WAIT, () -> thingsBoard.publishedBy(gateway).size() >= 2);
        assertThat(thingsBoard.publishedBy(gateway)).allSatisfy(m ->
                assertThat(m.remainingLength()).isLessThanOrEqualTo(MAX_PAYLOAD));
    }

    private static JsonNode deviceReply(Predicate<JsonNode> matching) {
        return thingsBoard.awaitServerMessage(onTopic("v1/gateway/rpc", j -> j.has("data") && !j.path("data")
                .has("method") && matching.test(j))).json();
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
