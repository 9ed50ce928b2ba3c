package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clock checks end to end: meters 90 s ahead ({@code simulate --clock-offset 90}), their deviation arriving in
 * ThingsBoard as {@code clockDeviationMs} telemetry, and the {@code getClock} / {@code syncClock} RPCs over a real
 * broker.
 */
class DlmsGatewayClockTest {

    private static final long OFFSET_MS = 90_000;

    @TempDir
    Path dir;

    @Test
    void theDeviationArrivesAsTelemetryAndTheRpcsReadAndCorrectTheClock() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2)
                .framing(Framing.WRAPPER).workerThreads(1).clockOffset(Duration.ofMillis(OFFSET_MS)).build());
             EmbeddedBroker broker = thingsBoard.start()) {
            List<GatewayDevice> devices = new ArrayList<>();
            for (GatewayDevice d : GatewayFixture.devices(simulator, Duration.ofSeconds(1), Duration.ofSeconds(2))) {
                // meter-0: the management client, which may set the clock; meter-1: the public client, which may not
                DlmsClientSettings client = d.name().equals("meter-0")
                        ? d.meter().client().toBuilder().clientAddress(MeterAddressing.MANAGEMENT_CLIENT)
                                .authentication(Authentication.LOW).password(simulator.addressing().password()).build()
                        : d.meter().client();
                devices.add(new GatewayDevice(d.meter().toBuilder().client(client)
                        .clockCheck(ClockCheck.defaults().withInterval(Duration.ofMillis(500))).build(),
                        d.deviceType(), d.attributesMapping(), d.timeseriesMapping()));
            }
            DlmsGateway gateway = DlmsGateway.start(GatewayFixture.config(devices, broker.port(), dir, 65_536, null),
                    GatewayFixture.quick());
            try {
                // the fixture maps telemetry keys (voltage, ...): the deviation comes beside them, under its name
                awaitTrue(Duration.ofSeconds(10), () -> deviations("meter-0", thingsBoard).size() >= 2
                        && deviations("meter-1", thingsBoard).size() >= 2, "clockDeviationMs of both meters");
                assertThat(deviations("meter-0", thingsBoard)).allSatisfy(ms -> assertThat(ms)
                        .isCloseTo(OFFSET_MS, within(1_000L)));
                ThingsBoardStandIn.Entry entry = thingsBoard.telemetry("meter-1").stream()
                        .filter(e -> e.values().has(ClockCheck.DEVIATION_KEY)).findFirst().orElseThrow();
                assertThat(entry.values().fieldNames()).toIterable().containsExactly(ClockCheck.DEVIATION_KEY);
                assertThat(entry.ts()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(
                        30_000L));

                JsonNode clock = rpc(thingsBoard, "meter-0", 51, "getClock");
                assertThat(clock.get("deviationMs").asLong()).isCloseTo(OFFSET_MS, within(1_000L));
                assertThat(clock.get("meterTime").asText()).endsWith("Z");

                JsonNode sync = rpc(thingsBoard, "meter-0", 52, "syncClock");
                assertThat(sync.get("method").asText()).isEqualTo("shift_time");
                assertThat(sync.get("shiftedSeconds").asLong()).isEqualTo(-90);
                assertThat(sync.get("deviationBeforeMs").asLong()).isCloseTo(OFFSET_MS, within(1_000L));
                assertThat(Math.abs(sync.get("deviationAfterMs").asLong())).isLessThan(1_000L);
                assertThat(simulator.meter(0).clockOffset().abs()).isLessThan(Duration.ofSeconds(1));
                assertThat(Math.abs(rpc(thingsBoard, "meter-0", 53, "getClock").get("deviationMs").asLong()))
                        .isLessThan(1_000L);

                JsonNode refused = rpc(thingsBoard, "meter-1", 54, "syncClock");
                assertThat(refused.get("error").asText()).isEqualTo("read-write-denied");
                assertThat(refused.get("result").asInt()).isEqualTo(3);
                assertThat(refused.get("reason").asText()).contains("ACTION 0.0.1.0.0.255 class 8 method 6");
                assertThat(simulator.meter(1).clockOffset()).isEqualTo(Duration.ofMillis(OFFSET_MS));
            } finally {
                gateway.close();
            }
        }
    }

    private static List<Long> deviations(String device, ThingsBoardStandIn thingsBoard) {
        return thingsBoard.telemetry(device).stream().filter(e -> e.values().has(ClockCheck.DEVIATION_KEY))
                .map(e -> e.values().get(ClockCheck.DEVIATION_KEY).asLong()).toList();
    }

    private static JsonNode rpc(ThingsBoardStandIn thingsBoard, String device, int id, String method)
            throws Exception {
        thingsBoard.send("v1/gateway/rpc", "{\"device\":\"" + device + "\",\"data\":{\"id\":" + id
                + ",\"method\":\"" + method + "\"}}");
        return thingsBoard.await("v1/gateway/rpc", json -> json.path("id").asInt() == id, Duration.ofSeconds(5))
                .json().get("data");
    }
}
