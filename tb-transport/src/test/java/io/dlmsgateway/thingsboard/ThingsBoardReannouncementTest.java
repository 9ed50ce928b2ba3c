package io.dlmsgateway.thingsboard;

import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.thingsboard.ThingsBoardStandIn.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Child devices are announced again in every new MQTT connection, because ThingsBoard ties their sessions to the
 * gateway's: the broker is restarted on the same port to end one connection and let the next begin.
 */
class ThingsBoardReannouncementTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private ThingsBoardStandIn thingsBoard;
    private ThingsBoardTransport transport;

    @BeforeEach
    void startBroker() {
        thingsBoard = new ThingsBoardStandIn();
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close().block(WAIT);
        }
        thingsBoard.close();
    }

    private ThingsBoardTransport connected(String gw) {
        transport = ThingsBoardTransport.create(thingsBoard.settings(gw, "token").build());
        transport.start();
        awaitState(ConnectionState.CONNECTED);
        return transport;
    }

    private void awaitState(ConnectionState state) {
        transport.connectionStates().filter(s -> s == state).blockFirst(WAIT);
    }

    /** Ends the MQTT connection and waits for the next one to be ready; returns how many messages came before. */
    private int reconnect(String gw) {
        thingsBoard.broker.stop();
        awaitState(ConnectionState.RECONNECTING);
        int before = thingsBoard.publishedBy(gw).size();
        thingsBoard.broker.restart();
        awaitState(ConnectionState.CONNECTED);
        return before;
    }

    /** Payloads of the connects the gateway published from its message number {@code from} on. */
    private List<JsonNode> connectsSince(String gw, int from) {
        List<Message> published = thingsBoard.publishedBy(gw);
        return published.subList(from, published.size()).stream()
                .filter(m -> m.topic().equals("v1/gateway/connect"))
                .map(Message::json)
                .toList();
    }

    @Test
    void announcesEveryConnectedDeviceAgainWithItsTypeButNotADisconnectedOne() {
        String gw = "gw-reannounce";
        connected(gw);
        transport.connectDevice("Meter-1", "DLMS_Energy_Meter").block(WAIT);
        transport.connectDevice("Meter-2", null).block(WAIT);
        transport.connectDevice("Meter-3", "DLMS_Water_Meter").block(WAIT);
        transport.disconnectDevice("Meter-3").block(WAIT);

        int before = reconnect(gw);

        await(WAIT, () -> connectsSince(gw, before).size() >= 2);
        assertThat(connectsSince(gw, before)).containsExactlyInAnyOrder(
                ThingsBoardStandIn.json("{\"device\":\"Meter-1\",\"type\":\"DLMS_Energy_Meter\"}"),
                ThingsBoardStandIn.json("{\"device\":\"Meter-2\"}"));
        assertThat(transport.devices()).containsOnlyKeys("Meter-1", "Meter-2");
        assertThat(transport.statistics().reconnects()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void announcesADeviceOncePerConnectionAndWithTheLastTypeGiven() {
        String gw = "gw-retype";
        connected(gw);
        transport.connectDevice("Meter-R", "Old_Profile").block(WAIT);
        // same connection: already announced, nothing is sent, but the new type is remembered
        transport.connectDevice("Meter-R", "New_Profile").block(WAIT);
        // no type given: the remembered one stays
        transport.publishAttributes("Meter-R", null, Map.of("host", "10.0.0.9")).block(WAIT);
        assertThat(thingsBoard.publishedBy(gw, "v1/gateway/connect")).hasSize(1);
        assertThat(transport.devices()).containsExactly(Map.entry("Meter-R", "New_Profile"));

        int before = reconnect(gw);

        await(WAIT, () -> !connectsSince(gw, before).isEmpty());
        assertThat(connectsSince(gw, before)).containsExactly(
                ThingsBoardStandIn.json("{\"device\":\"Meter-R\",\"type\":\"New_Profile\"}"));
    }

    @Test
    void telemetryOfAKnownDeviceAfterAReconnectFollowsItsNewConnect() {
        String gw = "gw-reannounce-order";
        connected(gw);
        transport.connectDevice("Meter-T", "DLMS").block(WAIT);

        int before = reconnect(gw);
        TelemetryAck<String> ack = transport.publishTelemetry(Flux.just(new TelemetryBatch<>(
                List.of(new DeviceTelemetry("Meter-T", "DLMS", 1_700_000_000_000L, Map.of("v", 1))), "after")))
                .blockLast(WAIT);

        assertThat(ack.isSuccess()).isTrue();
        await(WAIT, () -> thingsBoard.publishedBy(gw, "v1/gateway/telemetry").size() == 1);
        List<Message> since = thingsBoard.publishedBy(gw).subList(before, thingsBoard.publishedBy(gw).size());
        assertThat(since).extracting(Message::topic)
                .containsSubsequence("v1/gateway/connect", "v1/gateway/telemetry")
                .containsOnlyOnce("v1/gateway/connect");
    }
}
