package io.dlmsgateway.thingsboard;

import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.thingsboard.ThingsBoardStandIn.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code getSessionLimits} exchange after connecting, answered (or not) by the test as ThingsBoard. */
class ThingsBoardSessionLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

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
    }

    private ThingsBoardTransport started(String gw, Duration sessionLimitsTimeout) {
        ThingsBoardTransport transport = ThingsBoardTransport.create(thingsBoard.settings(gw, "t")
                .maxPayloadSize(4096)
                .maxInflight(20)
                .sessionLimitsTimeout(sessionLimitsTimeout)
                .build());
        transports.add(transport);
        transport.start();
        return transport;
    }

    /** The gateway's session limits request, as the broker received it. */
    private static Message limitsRequestOf(String gw) {
        await(WAIT, () -> thingsBoard.publishedBy(gw).stream().anyMatch(m -> isLimitsRequest(m)));
        return thingsBoard.publishedBy(gw).stream().filter(m -> isLimitsRequest(m)).findFirst().orElseThrow();
    }

    private static boolean isLimitsRequest(Message m) {
        return m.topic().startsWith("v1/devices/me/rpc/request/")
                && m.json().path("method").asText().equals("getSessionLimits");
    }

    private static void answer(Message request, String json) {
        thingsBoard.send(request.topic().replace("/request/", "/response/"), json);
    }

    private static void awaitConnected(ThingsBoardTransport transport) {
        transport.connectionStates().filter(s -> s == ConnectionState.CONNECTED).blockFirst(WAIT);
    }

    @Test
    void staysConnectingUntilTheLimitsAreAnsweredThenKeepsEightyPercentOfThem() {
        ThingsBoardTransport transport = started("gw-limits-answered", Duration.ofSeconds(5));
        Message request = limitsRequestOf("gw-limits-answered");
        assertThat(request.json().path("params").path("timeout").asLong()).isEqualTo(5000);
        assertThat(transport.isConnected()).isFalse();

        answer(request, "{\"maxPayloadSize\":3000,\"maxInflightMessages\":10}");
        awaitConnected(transport);

        assertThat(transport.statistics().maxPayloadSize()).isEqualTo(2400);
        assertThat(transport.statistics().maxInflight()).isEqualTo(8);
    }

    @Test
    void ignoresAnAnswerOnItsResponseTopicThatCarriesNoLimits() {
        ThingsBoardTransport transport = started("gw-limits-other-answer", Duration.ofSeconds(5));
        Message request = limitsRequestOf("gw-limits-other-answer");

        // ThingsBoard numbers its own RPCs independently: a reply to one of those may share the id
        answer(request, "{\"code\":200,\"resp\":\"pong\"}");
        answer(request, "{\"maxPayloadSize\":2000}");
        awaitConnected(transport);

        assertThat(transport.statistics().maxPayloadSize()).isEqualTo(1600);
        assertThat(transport.statistics().maxInflight()).isEqualTo(20);
    }

    @Test
    void keepsTheConfiguredLimitsWhenThingsBoardAnnouncesMoreThanThose() {
        ThingsBoardTransport transport = started("gw-limits-generous", Duration.ofSeconds(5));

        answer(limitsRequestOf("gw-limits-generous"), "{\"maxPayloadSize\":1000000,\"maxInflightMessages\":1000}");
        awaitConnected(transport);

        assertThat(transport.statistics().maxPayloadSize()).isEqualTo(4096);
        assertThat(transport.statistics().maxInflight()).isEqualTo(20);
    }

    @Test
    void connectsWithTheConfiguredLimitsWhenThingsBoardDoesNotAnswerInTime() {
        ThingsBoardTransport transport = started("gw-limits-silent", Duration.ofMillis(300));
        limitsRequestOf("gw-limits-silent");

        awaitConnected(transport);

        assertThat(transport.statistics().maxPayloadSize()).isEqualTo(4096);
        assertThat(transport.statistics().maxInflight()).isEqualTo(20);
    }
}
