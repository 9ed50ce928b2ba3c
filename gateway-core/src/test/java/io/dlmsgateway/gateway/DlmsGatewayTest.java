package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeasurements;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway end to end on loopback: simulated meters, the real pipeline, a real MQTT broker; what arrives is parsed
 * with Jackson and compared field by field with ThingsBoard's Gateway API.
 */
class DlmsGatewayTest {

    private static final Instant METER_TIME = Instant.parse("2025-11-04T10:30:45Z");

    @TempDir
    Path dir;

    private MeterSimulator simulator;
    private final ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
    private EmbeddedBroker broker;
    private DlmsGateway gateway;

    @BeforeEach
    void start() throws Exception {
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(3)
                .framing(Framing.WRAPPER).workerThreads(1).clock(Clock.fixed(METER_TIME, ZoneOffset.UTC)).build());
        broker = thingsBoard.start();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        broker.close();
        simulator.close();
    }

    private void startGateway(int maxPayloadSize) {
        gateway = DlmsGateway.start(GatewayFixture.config(
                GatewayFixture.devices(simulator, Duration.ofMillis(300), Duration.ofSeconds(1)), broker.port(), dir,
                maxPayloadSize, Duration.ofSeconds(1)), GatewayFixture.quick());
    }

    @Test
    void telemetryAttributesAndStatisticsArriveInThingsBoardsGatewayFormat() throws Exception {
        startGateway(65_536);
        awaitTrue(Duration.ofSeconds(15), () -> List.of("meter-0", "meter-1", "meter-2").stream()
                .allMatch(d -> thingsBoard.telemetry(d).size() >= 3), "three readings of every meter");
        thingsBoard.await("v1/devices/me/telemetry", json -> json.has("devicesTotal"), Duration.ofSeconds(5));

        assertThat(thingsBoard.connectedUsernames).contains(GatewayFixture.TOKEN);
        List<ThingsBoardStandIn.Message> messages = thingsBoard.messages;
        for (int i = 0; i < 3; i++) {
            String device = "meter-" + i;
            int port = simulator.addresses().get(i).getPort();
            int connect = indexOf(messages, "v1/gateway/connect", json -> json.path("device").asText().equals(device));
            int firstData = indexOf(messages, "v1/gateway/telemetry", json -> json.has(device));
            assertThat(connect).as("connect of %s comes before its first data", device).isBetween(0, firstData);
            assertThat(messages.get(connect).json()).isEqualTo(ThingsBoardStandIn.parse(
                    "{\"device\":\"" + device + "\",\"type\":\"DLMS_Energy_Meter\"}"));

            JsonNode attributes = thingsBoard.await("v1/gateway/attributes", json -> json.has(device),
                    Duration.ofSeconds(1)).json();
            assertThat(attributes).isEqualTo(ThingsBoardStandIn.parse("{\"" + device + "\":{\"host\":\"127.0.0.1\","
                    + "\"port\":" + port + ",\"meter_type\":\"DLMS/COSEM\",\"label\":\"" + device
                    + " (DLMS_Energy_Meter)\"}}"));

            for (ThingsBoardStandIn.Entry entry : thingsBoard.telemetry(device)) {
                JsonNode v = entry.values();
                assertThat(v.fieldNames()).toIterable()
                        .containsExactly("voltage", "current_l1", "active_power", "frequency");
                assertThat(v.get("voltage").isNumber()).isTrue();
                assertThat(v.get("voltage").decimalValue()).isEqualByComparingTo(expected("voltage_l1", i));
                assertThat(v.get("current_l1").decimalValue()).isEqualByComparingTo(expected("current_l1", i));
                assertThat(v.get("active_power").decimalValue()).isEqualByComparingTo(expected("active_power", i));
                assertThat(v.get("frequency").decimalValue()).isEqualByComparingTo(expected("frequency", i));
                assertThat(entry.ts()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(
                        30_000L));
            }
        }
        JsonNode stats = thingsBoard.await("v1/devices/me/telemetry", json -> json.path("devicesUp").asInt() == 3,
                Duration.ofSeconds(5)).json();
        assertThat(stats.fieldNames()).toIterable().contains("devicesTotal", "devicesUp", "devicesDown",
                "bytesReceived", "bytesSent", "messagesReceived", "messagesSent", "readingsSpooled",
                "readingsPublished", "spoolBacklog", "readingsDropped", "readingsDroppedSpoolFull",
                "readingsDroppedDiskSpace", "readingsDroppedSpoolFailing", "spoolFailing", "spoolError");
        assertThat(stats.get("spoolFailing").asBoolean()).isFalse();
        assertThat(stats.get("devicesTotal").asInt()).isEqualTo(3);
        assertThat(stats.get("readingsSpooled").isIntegralNumber()).isTrue();
        assertThat(stats.get("readingsPublished").asLong()).isBetween(0L, gateway.readingsPublished());
        assertThat(stats.get("bytesReceived").asLong()).isPositive();
    }

    @Test
    void noPublishExceedsTheMaximumPayloadSizeAndEveryReadingArrivesOnce() throws Exception {
        startGateway(1_024);
        awaitTrue(Duration.ofSeconds(15), () -> thingsBoard.telemetry().size() >= 60, "sixty readings");
        gateway.close();
        assertThat(thingsBoard.on("v1/gateway/telemetry"))
                .allSatisfy(m -> assertThat(m.payload().length).isLessThanOrEqualTo(1_024));
        List<ThingsBoardStandIn.Entry> entries = thingsBoard.telemetry();
        assertThat(entries.stream().map(e -> e.device() + "@" + e.ts()).distinct().count())
                .isEqualTo(entries.size());
        assertThat((long) entries.size()).isEqualTo(gateway.fleet().statistics().successes());
    }

    @Test
    void deviceRpcsAreRoutedToTheMeterAndAnswered() throws Exception {
        // the RPC timeout (500 ms) is shorter than the meter's request timeout (1 s), as in the field, where
        // ThingsBoard's RPC timeout is the one the user sees
        GatewayOptions quick = GatewayFixture.quick();
        gateway = DlmsGateway.start(GatewayFixture.config(
                GatewayFixture.devices(simulator, Duration.ofMillis(300), Duration.ofSeconds(1)), broker.port(), dir,
                65_536, Duration.ofSeconds(1)), GatewayOptions.builder().fleet(quick.fleet())
                .transport(b -> quick.transport().apply(b).rpcTimeout(Duration.ofMillis(500))).build());
        awaitTrue(Duration.ofSeconds(10), () -> gateway.fleet().statistics().devicesUp() == 3, "meters up");

        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"meter-1\",\"data\":{\"id\":42,\"method\":\"read\","
                + "\"params\":[\"voltage_l2\",\"1.0.14.7.0.255\"]}}");
        JsonNode reply = thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt() == 42,
                Duration.ofSeconds(5)).json();
        assertThat(reply.get("device").asText()).isEqualTo("meter-1");
        assertThat(reply.at("/data/voltage_l2/value").decimalValue()).isEqualByComparingTo(expected("voltage_l2", 1));
        assertThat(reply.at("/data/voltage_l2/unit").asText()).isEqualTo("V");
        assertThat(reply.at("/data/1.0.14.7.0.255/unit").asText()).isEqualTo("Hz");

        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"meter-1\",\"data\":{\"id\":43,\"method\":\"format\","
                + "\"params\":{}}}");
        JsonNode unknown = thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt() == 43,
                Duration.ofSeconds(5)).json();
        assertThat(unknown.at("/data/error").asText()).containsIgnoringCase("method not found");

        long connects = gateway.fleet().deviceStatistics("meter-2").orElseThrow().connects();
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"meter-2\",\"data\":{\"id\":44,\"method\":\"reconnect\"}}");
        thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt() == 44, Duration.ofSeconds(5));
        awaitTrue(Duration.ofSeconds(5), () -> gateway.fleet().deviceStatistics("meter-2").orElseThrow().connects()
                > connects, "meter-2 reconnected");

        // a meter that stopped answering: the reply is ThingsBoard's request timeout
        simulator.meter(0).fault(MeterFault.STOP_ANSWERING);
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"meter-0\",\"data\":{\"id\":45,\"method\":\"read\","
                + "\"params\":[\"voltage_l1\"]}}");
        JsonNode timeout = thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt() == 45,
                Duration.ofSeconds(10)).json();
        assertThat(timeout.get("data")).isEqualTo(ThingsBoardStandIn.parse(
                "{\"error\":\"Request timeout\",\"code\":408}"));
    }

    @Test
    void gatewayRpcsAreAnswered() throws Exception {
        startGateway(65_536);
        awaitTrue(Duration.ofSeconds(10), () -> gateway.fleet().statistics().devicesUp() == 3, "meters up");
        thingsBoard.await("v1/gateway/connect", json -> true, Duration.ofSeconds(10));

        thingsBoard.send("v1/devices/me/rpc/request/7", "{\"method\":\"gateway_ping\",\"params\":{}}");
        assertThat(thingsBoard.await("v1/devices/me/rpc/response/7", json -> true, Duration.ofSeconds(5)).json()
                .toString()).contains("pong");

        thingsBoard.send("v1/devices/me/rpc/request/8", "{\"method\":\"gateway_devices\",\"params\":{}}");
        assertThat(thingsBoard.await("v1/devices/me/rpc/response/8", json -> true, Duration.ofSeconds(5)).json())
                .isEqualTo(ThingsBoardStandIn.parse("{\"code\":200,\"resp\":{\"meter-0\":\"UP\",\"meter-1\":\"UP\","
                        + "\"meter-2\":\"UP\"},\"total\":3,\"offset\":0}"));

        thingsBoard.send("v1/devices/me/rpc/request/9", "{\"method\":\"gateway_stats\",\"params\":{}}");
        assertThat(thingsBoard.await("v1/devices/me/rpc/response/9", json -> true, Duration.ofSeconds(5)).json()
                .path("devicesTotal").asInt()).isEqualTo(3);
    }

    @Test
    void aSharedPollingIntervalAttributeChangesTheMetersScheduleLive() throws Exception {
        // every minute: meter-0 polls at once, meter-1 and meter-2 only after 20 and 40 s (first polls are spread)
        gateway = DlmsGateway.start(GatewayFixture.config(
                GatewayFixture.devices(simulator, Duration.ofMinutes(1), Duration.ofSeconds(1)), broker.port(), dir,
                65_536, null), GatewayFixture.quick());
        awaitTrue(Duration.ofSeconds(10), () -> thingsBoard.telemetry("meter-0").size() == 1, "first reading");

        thingsBoard.send("v1/gateway/attributes", "{\"device\":\"meter-0\",\"data\":{\"pollingInterval\":100}}");
        awaitTrue(Duration.ofSeconds(10), () -> thingsBoard.telemetry("meter-0").size() >= 6,
                "meter-0 polled every 100 ms");
        assertThat(gateway.fleet().deviceStatistics("meter-0").orElseThrow().polls()).isGreaterThanOrEqualTo(6);
        assertThat(thingsBoard.telemetry("meter-1")).isEmpty();
    }

    @Test
    void aMeterRemovedFromTheConfigurationIsDisconnectedAtTheNextStart() throws Exception {
        List<GatewayDevice> all = GatewayFixture.devices(simulator, Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        try (DlmsGateway first = DlmsGateway.start(GatewayFixture.config(all, broker.port(), dir, 65_536, null),
                GatewayFixture.quick())) {
            thingsBoard.await("v1/gateway/connect", json -> json.path("device").asText().equals("meter-2"),
                    Duration.ofSeconds(10));
        }
        assertThat(thingsBoard.on("v1/gateway/disconnect")).isEmpty();

        gateway = DlmsGateway.start(GatewayFixture.config(all.subList(0, 2), broker.port(), dir, 65_536, null),
                GatewayFixture.quick());
        JsonNode disconnect = thingsBoard.await("v1/gateway/disconnect", json -> true, Duration.ofSeconds(10)).json();
        assertThat(disconnect).isEqualTo(ThingsBoardStandIn.parse("{\"device\":\"meter-2\"}"));
    }

    /** Exactly what meter {@code index} serves: its raw integer scaled by its power of ten, no floating point. */
    private static java.math.BigDecimal expected(String measurement, int index) {
        return java.math.BigDecimal.valueOf(SimulatedMeasurements.raw(measurement, index, METER_TIME.toEpochMilli()))
                .scaleByPowerOfTen(SimulatedMeasurements.scaler(measurement));
    }

    private static int indexOf(List<ThingsBoardStandIn.Message> messages, String topic,
            java.util.function.Predicate<JsonNode> condition) {
        for (int i = 0; i < messages.size(); i++) {
            ThingsBoardStandIn.Message m = messages.get(i);
            if (m.topic().equals(topic) && m.json() != null && condition.test(m.json())) {
                return i;
            }
        }
        return -1;
    }
}
