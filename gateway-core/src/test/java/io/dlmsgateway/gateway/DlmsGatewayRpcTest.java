package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeter;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.ControlClient;
import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12 end to end: ThingsBoard-side RPCs and shared attributes through a real MQTT broker, to simulated meters
 * over WRAPPER and HDLC on loopback, asserted on the meters themselves. {@code meter-0} acts through the management
 * client (its control association); {@code meter-1} has none, so its writes go through the public client, which the
 * meter refuses.
 */
class DlmsGatewayRpcTest {

    private static final String CUSTOMER_NOTE = "0.0.96.1.1.255";
    private static final String MEASUREMENT_PERIOD = "1.0.0.8.0.255";

    @TempDir
    Path dir;

    private MeterSimulator simulator;
    private final ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
    private EmbeddedBroker broker;
    private DlmsGateway gateway;
    private final AtomicInteger ids = new AtomicInteger(100);

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    private void start(Framing framing) throws Exception {
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(2)
                .framing(framing).physicalAddress(16, true).workerThreads(1).build());
        broker = thingsBoard.start();
        List<GatewayDevice> devices = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DlmsClientSettings.Builder client = DlmsClientSettings.builder().framing(framing)
                    .requestTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(2));
            if (framing == Framing.HDLC) {
                client.physicalAddress(simulator.addressing().physicalAddress(i));
            }
            DlmsClientSettings poll = client.build();
            Meter.Builder meter = Meter.builder("meter-" + i, "127.0.0.1", simulator.addresses().get(i).getPort())
                    .client(poll)
                    .pollingInterval(Duration.ofMillis(300))
                    .measurements("voltage_l1");
            if (i == 0) {
                meter.control(new ControlClient(poll.toBuilder()
                        .clientAddress(DlmsClientSettings.MANAGEMENT_CLIENT_ADDRESS)
                        .authentication(Authentication.LOW).password(simulator.options().password()).build(), false));
            }
            Map<String, RpcMethod> rpc = new LinkedHashMap<>();
            rpc.put("setCustomerNote", new RpcMethod("setCustomerNote", RpcMethod.Kind.SET, 1,
                    ObisCode.parse(CUSTOMER_NOTE), 2, Optional.of(DlmsType.OCTET_STRING), Optional.empty()));
            rpc.put("getMeasurementPeriod", new RpcMethod("getMeasurementPeriod", RpcMethod.Kind.GET, 1,
                    ObisCode.parse(MEASUREMENT_PERIOD), 2, Optional.empty(), Optional.empty()));
            Map<String, AttributeWrite> writes = new LinkedHashMap<>();
            writes.put("customerNote", new AttributeWrite("customerNote",
                    new CosemAttribute(1, ObisCode.parse(CUSTOMER_NOTE), 2), Optional.of(DlmsType.OCTET_STRING),
                    true));
            writes.put("measurementPeriod", new AttributeWrite("measurementPeriod",
                    new CosemAttribute(1, ObisCode.parse(MEASUREMENT_PERIOD), 2), Optional.empty(), false));
            devices.add(new GatewayDevice(meter.build(), "DLMS_Energy_Meter", Map.of(), Map.of(), Map.of(), rpc,
                    writes, Optional.empty(), true));
        }
        gateway = DlmsGateway.start(GatewayFixture.config(devices, broker.port(), dir, 65_536, null),
                GatewayFixture.quick());
        awaitTrue(Duration.ofSeconds(15), () -> thingsBoard.telemetry("meter-0").size() >= 1
                && thingsBoard.telemetry("meter-1").size() >= 1, "both meters polled");
    }

    /** Sends an RPC as ThingsBoard does and returns the reply's data. */
    private JsonNode rpc(String device, String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"" + device + "\",\"data\":{\"id\":" + id + ",\"method\":\""
                + method + "\"" + (params == null ? "" : ",\"params\":" + params) + "}}");
        JsonNode reply = thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt() == id
                && json.path("device").asText().equals(device), Duration.ofSeconds(10)).json();
        return reply.path("data");
    }

    private static JsonNode json(String text) {
        return ThingsBoardStandIn.parse(text);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void remoteDisconnectOpensTheRelayAndRemoteReconnectClosesIt(Framing framing) throws Exception {
        start(framing);
        SimulatedMeter meter = simulator.meter(0);
        assertThat(meter.relayConnected()).isTrue();

        assertThat(rpc("meter-0", "remoteDisconnect", null))
                .isEqualTo(json("{\"result\":\"success\",\"outputState\":false,\"controlState\":\"disconnected\"}"));
        assertThat(meter.relayConnected()).isFalse();
        assertThat(meter.controlState()).isEqualTo(SimulatedMeter.ControlState.DISCONNECTED);
        assertThat(rpc("meter-0", "getRelayState", null)).isEqualTo(json(
                "{\"outputState\":false,\"controlState\":\"disconnected\",\"controlMode\":1}"));

        assertThat(rpc("meter-0", "remoteReconnect", null))
                .isEqualTo(json("{\"result\":\"success\",\"outputState\":true,\"controlState\":\"connected\"}"));
        assertThat(meter.relayConnected()).isTrue();
        assertThat(rpc("meter-0", "getRelayState", null)).isEqualTo(json(
                "{\"outputState\":true,\"controlState\":\"connected\",\"controlMode\":1}"));

        // the public client may read the relay but not act on it: a refusal by name, and the relay stays closed
        JsonNode denied = rpc("meter-1", "remoteDisconnect", null);
        assertThat(denied.path("error").asText()).isEqualTo("read-write-denied");
        assertThat(denied.path("result").asInt()).isEqualTo(3);
        assertThat(denied.path("reason").asText()).contains("0.0.96.3.10.255");
        assertThat(simulator.meter(1).relayConnected()).isTrue();
        // the TCP reconnect keeps its meaning
        assertThat(rpc("meter-0", "reconnect", null)).isEqualTo(json("{\"result\":\"reconnecting\"}"));
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void getSetAndExecuteAnswerValuesAndRefusalsByName(Framing framing) throws Exception {
        start(framing);
        String note = "{\"obis\":\"" + CUSTOMER_NOTE + "\",\"classId\":1,\"attribute\":2";
        String period = "{\"obis\":\"" + MEASUREMENT_PERIOD + "\",\"classId\":1,\"attribute\":2";

        assertThat(rpc("meter-0", "set", note + ",\"value\":{\"type\":\"octet-string\",\"text\":\"front door\"}}"))
                .isEqualTo(json("{\"result\":\"success\"}"));
        assertThat(new String(simulator.meter(0).customerNote(), StandardCharsets.US_ASCII)).isEqualTo("front door");
        assertThat(rpc("meter-1", "get", note + "}")).isEqualTo(json(
                "{\"type\":\"octet-string\",\"value\":\"\"}"));
        assertThat(rpc("meter-0", "get", note + "}")).isEqualTo(json(
                "{\"type\":\"octet-string\",\"value\":\"66726f6e7420646f6f72\",\"text\":\"front door\"}"));

        // a bare value takes the type of the attribute's current value (long-unsigned)
        assertThat(rpc("meter-0", "set", period + ",\"value\":1500}")).isEqualTo(json("{\"result\":\"success\"}"));
        assertThat(simulator.meter(0).measurementPeriod()).isEqualTo(1500);
        assertThat(rpc("meter-0", "get", period + "}"))
                .isEqualTo(json("{\"type\":\"long-unsigned\",\"value\":1500}"));

        // wrong type: refused by the gateway before the meter (400), or by the meter by name
        JsonNode outOfRange = rpc("meter-0", "set", period + ",\"value\":70000}");
        assertThat(outOfRange).isEqualTo(json("{\"error\":\"set: long-unsigned takes a whole number in 0..65535,"
                + " got 70000\",\"code\":400}"));
        JsonNode unmatched = rpc("meter-0", "set", period + ",\"value\":{\"type\":\"visible-string\",\"value\":\"x\"}}");
        assertThat(unmatched.path("error").asText()).isEqualTo("type-unmatched");
        assertThat(unmatched.path("result").asInt()).isEqualTo(12);
        assertThat(simulator.meter(0).measurementPeriod()).isEqualTo(1500);

        // denied: the public client reads, never writes
        JsonNode denied = rpc("meter-1", "set", period + ",\"value\":60}");
        assertThat(denied.path("error").asText()).isEqualTo("read-write-denied");
        assertThat(denied.path("result").asInt()).isEqualTo(3);
        assertThat(simulator.meter(1).measurementPeriod()).isEqualTo(SimulatedMeter.DEFAULT_MEASUREMENT_PERIOD);

        // undefined: an object the meter does not have
        JsonNode undefined = rpc("meter-0", "get", "{\"obis\":\"0.0.96.1.99.255\",\"classId\":1,\"attribute\":2}");
        assertThat(undefined.path("error").asText()).isEqualTo("object-undefined");
        assertThat(undefined.path("result").asInt()).isEqualTo(4);

        // execute: the Disconnect control's remote_disconnect with its integer 0, then remote_reconnect
        String disconnect = "{\"obis\":\"0.0.96.3.10.255\",\"classId\":70,\"method\":1,"
                + "\"value\":{\"type\":\"integer\",\"value\":0}}";
        assertThat(rpc("meter-0", "execute", disconnect)).isEqualTo(json("{\"result\":\"success\"}"));
        assertThat(simulator.meter(0).relayConnected()).isFalse();
        assertThat(rpc("meter-0", "execute", disconnect.replace("\"method\":1", "\"method\":2")))
                .isEqualTo(json("{\"result\":\"success\"}"));
        assertThat(simulator.meter(0).relayConnected()).isTrue();
        JsonNode noSuchMethod = rpc("meter-0", "execute", disconnect.replace("\"method\":1", "\"method\":9"));
        assertThat(noSuchMethod.has("error")).as("%s", noSuchMethod).isTrue();
        assertThat(noSuchMethod.has("result")).as("%s", noSuchMethod).isTrue();

        // selective access: entries 1 to 2 of the load profile's buffer, every column
        JsonNode rows = rpc("meter-1", "get", "{\"obis\":\"1.0.99.1.0.255\",\"classId\":7,\"attribute\":2,"
                + "\"access\":{\"selector\":2,\"parameters\":[{\"type\":\"double-long-unsigned\",\"value\":1},"
                + "{\"type\":\"double-long-unsigned\",\"value\":2},{\"type\":\"long-unsigned\",\"value\":1},"
                + "{\"type\":\"long-unsigned\",\"value\":0}]}}");
        assertThat(rows.path("type").asText()).as("%s", rows).isEqualTo("array");
        assertThat(rows.path("value")).hasSize(2);
        assertThat(rows.path("value").get(0).path("type").asText()).isEqualTo("structure");
        // the capture clock, a date-time carried as an octet-string of 12 as COSEM clocks are
        assertThat(rows.path("value").get(0).path("value").get(0).path("type").asText()).isEqualTo("octet-string");
        assertThat(rows.path("value").get(0).path("value").get(0).path("value").asText()).hasSize(24);

        // bad params never reach the meter
        assertThat(rpc("meter-0", "get", "{\"obis\":\"0.0.96.1.1\",\"classId\":1,\"attribute\":2}")
                .path("code").asInt()).isEqualTo(400);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void namedRpcsAndSharedAttributeWritesReachTheMeter(Framing framing) throws Exception {
        start(framing);
        assertThat(rpc("meter-0", "setCustomerNote", "{\"value\":\"4142\"}")).isEqualTo(json("{\"result\":\"success\"}"));
        assertThat(simulator.meter(0).customerNote()).containsExactly(0x41, 0x42);
        assertThat(rpc("meter-0", "getMeasurementPeriod", null)).isEqualTo(json(
                "{\"type\":\"long-unsigned\",\"value\":" + SimulatedMeter.DEFAULT_MEASUREMENT_PERIOD + "}"));

        thingsBoard.send("v1/gateway/attributes", "{\"device\":\"meter-0\",\"data\":{\"customerNote\":\"4e4f5445\","
                + "\"measurementPeriod\":600}}");
        awaitTrue(Duration.ofSeconds(10), () -> simulator.meter(0).measurementPeriod() == 600
                && new String(simulator.meter(0).customerNote(), StandardCharsets.US_ASCII).equals("NOTE"),
                "both shared attributes written to the meter");
        awaitTrue(Duration.ofSeconds(5), () -> gateway.statistics().attributeWrites() == 2, "two writes counted");

        // refused: the public client of meter-1 may not write; counted, not kept
        thingsBoard.send("v1/gateway/attributes", "{\"device\":\"meter-1\",\"data\":{\"measurementPeriod\":60}}");
        awaitTrue(Duration.ofSeconds(10), () -> gateway.statistics().attributeWritesFailed() == 1, "a refusal");
        assertThat(gateway.statistics().attributeWritesPending()).isZero();
        assertThat(simulator.meter(1).measurementPeriod()).isEqualTo(SimulatedMeter.DEFAULT_MEASUREMENT_PERIOD);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aWriteThatFailedForWantOfTheMeterIsWrittenOnceItIsBack(Framing framing) throws Exception {
        start(framing);
        simulator.meter(0).fault(MeterFault.CLOSE_CONNECTION);
        awaitTrue(Duration.ofSeconds(10), () -> state("meter-0") == DeviceState.DOWN, "meter-0 down");

        thingsBoard.send("v1/gateway/attributes", "{\"device\":\"meter-0\",\"data\":{\"customerNote\":\"6f6c64\"}}");
        thingsBoard.send("v1/gateway/attributes", "{\"device\":\"meter-0\",\"data\":{\"customerNote\":\"6e6577\"}}");
        awaitTrue(Duration.ofSeconds(10), () -> gateway.statistics().attributeWritesPending() == 1,
                "the write kept for the next association");
        assertThat(gateway.statistics().attributeWrites()).isZero();
        assertThat(simulator.meter(0).customerNote()).isEmpty();

        simulator.meter(0).heal();
        awaitTrue(Duration.ofSeconds(15), () -> new String(simulator.meter(0).customerNote(),
                StandardCharsets.US_ASCII).equals("new"), "the latest value written once the meter is back");
        // the meter has the value before the gateway has its reply: wait for the count
        awaitTrue(Duration.ofSeconds(5), () -> gateway.statistics().attributeWrites() == 1, "the write counted");
        assertThat(gateway.statistics().attributeWritesPending()).isZero();
    }

    private DeviceState state(String device) {
        return gateway.fleet().deviceStatistics(device).map(DeviceStatistics::state).orElseThrow();
    }
}
