package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, the gateway's RPCs kept within bounds end to end: {@code gateway_devices} of a hundred meters under a
 * 1 KiB payload limit comes in pages that each fit, walked with the {@code next} offset; a {@code read} of more objects
 * than the bound is refused with the reason and the meter keeps its schedule.
 */
class DlmsGatewayRpcBoundsTest {

    private static final int METERS = 100;
    private static final int MAX_PAYLOAD = 1_024;

    @TempDir
    Path dir;

    private MeterSimulator simulator;
    private final ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
    private EmbeddedBroker broker;
    private DlmsGateway gateway;

    @BeforeEach
    void start() throws Exception {
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(METERS)
                .framing(Framing.WRAPPER).workerThreads(1).build());
        broker = thingsBoard.start();
    }

    private void startGateway(int maxPayloadSize) {
        gateway = DlmsGateway.start(GatewayFixture.config(
                GatewayFixture.devices(simulator, Duration.ofSeconds(30), Duration.ofSeconds(2)), broker.port(), dir,
                maxPayloadSize, null), GatewayFixture.quick());
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        broker.close();
        simulator.close();
    }

    @Test
    void gatewayDevicesComesInPagesThatEachFitThePayloadLimit() throws Exception {
        startGateway(MAX_PAYLOAD);
        awaitTrue(Duration.ofSeconds(30), () -> gateway.transport().isConnected(), "connected");
        List<String> names = new ArrayList<>();
        long offset = 0;
        int pages = 0;
        while (true) {
            String id = "page-" + pages;
            thingsBoard.send("v1/devices/me/rpc/request/" + id,
                    "{\"method\":\"gateway_devices\",\"params\":{\"offset\":" + offset + "}}");
            ThingsBoardStandIn.Message reply = thingsBoard.await("v1/devices/me/rpc/response/" + id, json -> true,
                    Duration.ofSeconds(10));
            assertThat(2 + reply.topic().length() + 2 + reply.payload().length).isLessThanOrEqualTo(MAX_PAYLOAD);
            JsonNode json = reply.json();
            assertThat(json.path("code").asInt()).isEqualTo(200);
            assertThat(json.path("total").asInt()).isEqualTo(METERS);
            assertThat(json.path("offset").asLong()).isEqualTo(offset);
            for (Iterator<String> it = json.path("resp").fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            pages++;
            if (!json.has("next")) {
                break;
            }
            offset = json.path("next").asLong();
        }
        assertThat(pages).isGreaterThan(1);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < METERS; i++) {
            expected.add("meter-" + i);
        }
        assertThat(names).containsExactlyElementsOf(expected);

        thingsBoard.send("v1/devices/me/rpc/request/bad", "{\"method\":\"gateway_devices\",\"params\":{\"offset\":-1}}");
        assertThat(thingsBoard.await("v1/devices/me/rpc/response/bad", json -> true, Duration.ofSeconds(10)).json())
                .isEqualTo(ThingsBoardStandIn.parse("{\"error\":\"gateway_devices: offset must be a whole number of"
                        + " at least 0, got -1\",\"code\":400}"));
    }

    @Test
    void aReadOfMoreObjectsThanTheBoundIsRefusedWithTheReason() throws Exception {
        startGateway(65_536);
        awaitTrue(Duration.ofSeconds(30), () -> gateway.transport().isConnected(), "connected");
        // 1 001 entries as a comma-separated string: 15 KB, within the transport's size bound, beyond the read's
        StringBuilder codes = new StringBuilder();
        for (int i = 0; i < 1_001; i++) {
            codes.append(i == 0 ? "" : ",").append("1.0.").append(i % 250).append(".7.0.255");
        }
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"meter-0\",\"data\":{\"id\":5,\"method\":\"read\",\"params\":\""
                + codes + "\"}}");

        JsonNode reply = thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt(-1) == 5,
                Duration.ofSeconds(10)).json();
        assertThat(reply.path("data").path("code").asInt()).isEqualTo(400);
        assertThat(reply.path("data").path("error").asText()).isEqualTo(
                "read: 1001 objects asked for; at most 1000 objects per read (split the request)");
    }
}
