package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.gateway.PushMapping.PushValue;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, pushes end to end: push-only devices beside polled ones, through a real broker.
 */
class DlmsGatewayPushTest {

    @TempDir
    Path dir;

    private MeterSimulator simulator;
    private final ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
    private EmbeddedBroker broker;
    private DlmsGateway gateway;

    @BeforeEach
    void start() throws Exception {
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(1)
                .framing(Framing.WRAPPER).workerThreads(1).build());
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

    static GatewayDevice pushOnly(String name, PushMatch match, List<PushValue> values) {
        Meter meter = Meter.builder(name, "", 4059).measurements(List.of()).build();
        return new GatewayDevice(meter, "DLMS_Push_Meter", Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
                Optional.of(new PushMapping(match, values)), false);
    }

    @Test
    void aPushOnlyDeviceIsAnnouncedNeverPolledAndRefusesRpcsForWantOfAnAssociation() throws Exception {
        List<GatewayDevice> devices = new ArrayList<>(GatewayFixture.devices(simulator, Duration.ofMillis(300),
                Duration.ofSeconds(1)));
        devices.add(pushOnly("pusher-7", PushMatch.wPort(7), List.of()));
        gateway = DlmsGateway.start(GatewayFixture.config(devices, broker.port(), dir, 65_536, null),
                GatewayFixture.quick());

        thingsBoard.await("v1/gateway/connect", json -> json.path("device").asText().equals("pusher-7"),
                Duration.ofSeconds(10));
        awaitTrue(Duration.ofSeconds(10), () -> thingsBoard.telemetry("meter-0").size() >= 2, "the polled meter");
        assertThat(gateway.fleet().meters()).extracting(Meter::name).containsExactly("meter-0");
        assertThat(gateway.statistics().devicesPushOnly()).isEqualTo(1);
        assertThat(gateway.statistics().asTelemetry()).containsEntry("devicesPushOnly", 1L);

        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"pusher-7\",\"data\":{\"id\":1,\"method\":\"get\","
                + "\"params\":{\"obis\":\"0.0.96.1.1.255\",\"classId\":1,\"attribute\":2}}}");
        JsonNode reply = thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt() == 1,
                Duration.ofSeconds(5)).json();
        assertThat(reply.path("device").asText()).isEqualTo("pusher-7");
        assertThat(reply.path("data")).isEqualTo(ThingsBoardStandIn.parse(
                "{\"error\":\"push-only device: no association to 'pusher-7' for get\",\"code\":400}"));
        assertThat(thingsBoard.telemetry("pusher-7")).isEmpty();
    }
}
