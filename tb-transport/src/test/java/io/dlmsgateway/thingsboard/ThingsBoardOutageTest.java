package io.dlmsgateway.thingsboard;

import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.thingsboard.ThingsBoardStandIn.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

/** ThingsBoard going away and coming back: the broker is stopped and restarted on the same port. */
class ThingsBoardOutageTest {

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

    private static TelemetryBatch<Integer> batch(int seq, String... devices) {
        return new TelemetryBatch<>(java.util.Arrays.stream(devices)
                .map(d -> new DeviceTelemetry(d, "DLMS", 1_700_000_000_000L + seq, Map.of("seq", seq)))
                .toList(), seq);
    }

    private List<String> telemetryDevicesWithSeq(String gw, int seq) {
        return thingsBoard.publishedBy(gw, "v1/gateway/telemetry").stream()
                .flatMap(m -> {
                    List<String> devices = new java.util.ArrayList<>();
                    m.json().fields().forEachRemaining(d -> d.getValue().forEach(e -> {
                        if (e.get("values").get("seq").asInt() == seq) {
                            devices.add(d.getKey());
                        }
                    }));
                    return devices.stream();
                })
                .toList();
    }

    @Test
    void reconnectsAnnouncesKnownDevicesAgainAndAcksOnlyWhatTheBrokerAcknowledged() {
        String gw = "gw-outage";
        transport = ThingsBoardTransport.create(thingsBoard.settings(gw, "token").build());
        transport.start();
        Sinks.Many<TelemetryBatch<Integer>> spool = Sinks.many().unicast().onBackpressureBuffer();
        List<TelemetryAck<Integer>> acks = new CopyOnWriteArrayList<>();
        transport.publishTelemetry(spool.asFlux()).subscribe(acks::add);

        spool.tryEmitNext(batch(1, "Meter-A", "Meter-B"));
        await(WAIT, () -> acks.size() == 1);
        assertThat(acks.get(0).isSuccess()).isTrue();

        thingsBoard.broker.stop();
        transport.connectionStates().filter(s -> s == ConnectionState.RECONNECTING).blockFirst(WAIT);
        assertThat(transport.isConnected()).isFalse();
        int publishedBeforeRestart = thingsBoard.publishedBy(gw).size();
        spool.tryEmitNext(batch(2, "Meter-A"));
        spool.tryEmitNext(batch(3, "Meter-C"));
        sleep(Duration.ofMillis(800));
        assertThat(acks).hasSize(1);

        thingsBoard.broker.restart();
        transport.connectionStates().filter(s -> s == ConnectionState.CONNECTED).blockFirst(WAIT);
        await(WAIT, () -> acks.size() == 3);
        assertThat(acks).extracting(TelemetryAck::context).containsExactly(1, 2, 3);
        assertThat(acks).allSatisfy(a -> assertThat(a.isSuccess()).isTrue());

        // every acknowledged batch is at the broker
        await(WAIT, () -> telemetryDevicesWithSeq(gw, 3).contains("Meter-C"));
        assertThat(telemetryDevicesWithSeq(gw, 1)).contains("Meter-A", "Meter-B");
        assertThat(telemetryDevicesWithSeq(gw, 2)).contains("Meter-A");
        List<Message> afterRestart = thingsBoard.publishedBy(gw).subList(publishedBeforeRestart,
                thingsBoard.publishedBy(gw).size());
        assertThat(afterRestart).filteredOn(m -> m.topic().equals("v1/gateway/connect"))
                .extracting(m -> m.json().get("device").asText())
                .contains("Meter-A", "Meter-B", "Meter-C");
        // the connects of the new session come before its telemetry of the new device
        int connectC = indexOf(afterRestart, "v1/gateway/connect", "Meter-C");
        int telemetryC = indexOf(afterRestart, "v1/gateway/telemetry", "Meter-C");
        assertThat(connectC).isLessThan(telemetryC);
        // at least one: a reconnect attempt that meets the broker still starting is counted too
        assertThat(transport.statistics().reconnects()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void startsWhileThingsBoardIsDownAndPublishesOnceItIsUp() {
        String gw = "gw-late";
        List<TelemetryAck<Integer>> acks = new CopyOnWriteArrayList<>();
        Sinks.Many<TelemetryBatch<Integer>> spool = startWhileThingsBoardIsDown(gw, acks);
        spool.tryEmitNext(batch(1, "Meter-Z"));

        sleep(Duration.ofMillis(800));
        assertThat(transport.connectionStates().blockFirst(WAIT)).isEqualTo(ConnectionState.CONNECTING);
        assertThat(acks).isEmpty();

        thingsBoard.broker.restart();
        await(WAIT, () -> acks.size() == 1);
        assertThat(acks.get(0).isSuccess()).isTrue();
        await(WAIT, () -> telemetryDevicesWithSeq(gw, 1).contains("Meter-Z"));
        assertThat(thingsBoard.publishedBy(gw).get(0).json().get("device").asText()).isEqualTo("Meter-Z");
    }

    @Test
    void batchesWaitingForTheConnectionGoOutInTheirOrder() {
        String gw = "gw-order";
        List<TelemetryAck<Integer>> acks = new CopyOnWriteArrayList<>();
        Sinks.Many<TelemetryBatch<Integer>> spool = startWhileThingsBoardIsDown(gw, acks);
        for (int seq = 1; seq <= 8; seq++) {
            spool.tryEmitNext(batch(seq, "Meter-O"));
        }
        sleep(Duration.ofMillis(500));

        thingsBoard.broker.restart();
        await(WAIT, () -> acks.size() == 8);
        // every batch waited for the same connect acknowledgement; the readings still arrive oldest first
        List<Integer> arrived = thingsBoard.publishedBy(gw, "v1/gateway/telemetry").stream()
                .map(m -> m.json().get("Meter-O").get(0).get("values").get("seq").asInt())
                .toList();
        assertThat(arrived).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(acks).extracting(TelemetryAck::context).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    /** Starts gateway {@code gw}'s transport while ThingsBoard is down; returns the spool that feeds it. */
    private Sinks.Many<TelemetryBatch<Integer>> startWhileThingsBoardIsDown(String gw,
            List<TelemetryAck<Integer>> acks) {
        thingsBoard.broker.stop();
        transport = ThingsBoardTransport.create(thingsBoard.settings(gw, "token").build());
        transport.start();
        Sinks.Many<TelemetryBatch<Integer>> spool = Sinks.many().unicast().onBackpressureBuffer();
        transport.publishTelemetry(spool.asFlux()).subscribe(acks::add);
        return spool;
    }

    private static int indexOf(List<Message> messages, String topic, String device) {
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.topic().equals(topic) && m.json().toString().contains('"' + device + '"')) {
                return i;
            }
        }
        return -1;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
