package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterPushes;
import io.dlmsgateway.dlms.sim.PushOptions;
import io.dlmsgateway.dlms.sim.SentNotification;
import io.dlmsgateway.fleet.PushListenerOptions;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.gateway.PushMapping.PushValue;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
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
 * Issue 12, pushes end to end: simulated meters push DataNotifications to the gateway's listener on loopback, and
 * what arrives in the real broker is compared with exactly what they sent; push-only devices beside polled ones.
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
        simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(2)
                .framing(Framing.WRAPPER).workerThreads(1).utcOffset(ZoneOffset.ofHours(1)).build());
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
        devices.remove(1);
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

    /** Devices {@code pusher-<i>} for the simulator's meters, known by their logical device names. */
    private List<GatewayDevice> pushers() {
        return pushers(simulator.meterCount());
    }

    private static List<GatewayDevice> pushers(int meters) {
        List<GatewayDevice> devices = new ArrayList<>();
        for (int i = 0; i < meters; i++) {
            devices.add(pushOnly("pusher-" + i, PushMatch.logicalDeviceName(String.format("GRXSIM%010d", i)),
                    List.of(new PushValue(List.of(0), "serial", true, 0),
                            new PushValue(List.of(2), "active_energy", false, -3),
                            new PushValue(List.of(3), "voltage", false, -1))));
        }
        return devices;
    }

    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    private void startPushGateway() {
        startPushGateway(pushers(), PushListenerOptions.of("127.0.0.1", 0));
    }

    private void startPushGateway(List<GatewayDevice> devices, PushListenerOptions listener) {
        GatewaySettings base = GatewayFixture.config(devices, broker.port(), dir, 65_536, null);
        GatewayOptions quick = GatewayFixture.quick();
        gateway = DlmsGateway.start(new GatewaySettings(base.devices(), base.thingsBoard(), base.spool(),
                base.statisticsPeriod(), base.packDelay(), base.inputRules(), Optional.of(listener)),
                GatewayOptions.builder().fleet(quick.fleet()).transport(quick.transport())
                        .metrics(new MetricsOptions(registry, false, 1)).build());
    }

    /** What ThingsBoard must show for a notification: its own time (the meter's clock at +01:00) and its values. */
    private static String expected(SentNotification n) {
        long ts = CosemDateTime.decode(n.dateTime()).toInstant(DeviationSign.STANDARD, ZoneOffset.UTC).orElseThrow()
                .toEpochMilli();
        List<DlmsValue> body = n.body().elements();
        return "pusher-" + n.meterIndex() + "@" + ts + " active_energy="
                + BigDecimal.valueOf(body.get(2).longValue()).scaleByPowerOfTen(-3).stripTrailingZeros()
                .toPlainString() + " voltage=" + BigDecimal.valueOf(body.get(3).longValue()).scaleByPowerOfTen(-1)
                .stripTrailingZeros().toPlainString();
    }

    private static String arrived(ThingsBoardStandIn.Entry e) {
        return e.device() + "@" + e.ts() + " active_energy="
                + e.values().get("active_energy").decimalValue().stripTrailingZeros().toPlainString() + " voltage="
                + e.values().get("voltage").decimalValue().stripTrailingZeros().toPlainString();
    }

    private Set<String> pushedTelemetry() {
        return thingsBoard.telemetry().stream().filter(e -> e.device().startsWith("pusher-"))
                .map(DlmsGatewayPushTest::arrived).collect(Collectors.toSet());
    }

    @Test
    void notificationsArriveInThingsBoardAsTelemetryAtTheirOwnTimeExactlyAsSent() throws Exception {
        startPushGateway();
        ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
        try (MeterPushes pushes = simulator.startPushing(PushOptions.to(gateway.pushAddress().orElseThrow(),
                Duration.ofMillis(200)).withCount(3), sent::add)) {
            awaitTrue(Duration.ofSeconds(15), () -> sent.size() == 6 && pushedTelemetry().size() == 6,
                    "six notifications sent and in ThingsBoard; got " + pushedTelemetry());
        }
        assertThat(pushedTelemetry()).isEqualTo(sent.stream().map(DlmsGatewayPushTest::expected)
                .collect(Collectors.toSet()));
        // the serial as a client attribute of each device
        thingsBoard.await("v1/gateway/attributes", json -> json.path("pusher-1").path("serial").asText()
                .equals("GRXSIM0000000001"), Duration.ofSeconds(5));
        assertThat(gateway.statistics().push().notifications()).isEqualTo(6);
        assertThat(gateway.statistics().asTelemetry()).containsEntry("pushNotifications", 6L)
                .containsEntry("devicesPushOnly", 2L);
        assertThat(gateway.fleet().meters()).isEmpty();
        assertThat(registry.get("dlms.gateway.push.notifications").tag("result", "accepted").functionCounter()
                .count()).isEqualTo(6.0);
        assertThat(registry.get("dlms.gateway.push.connections").gauge().value()).isBetween(0.0, 2.0);
    }

    /**
     * The issue's own case: a thousand meters push at once through the gateway, every notification reaches ThingsBoard
     * exactly as sent, while a peer sending garbage and one sending half a frame then nothing, on the same port, are
     * closed and counted.
     */
    @Test
    void aThousandMetersPushAtOnceIntoThingsBoardWhileAGarbagePeerAndASlowPeerAreIsolated() throws Exception {
        int meters = 1_000;
        int perMeter = 2;
        try (MeterSimulator many = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(meters).framing(Framing.WRAPPER).workerThreads(1).utcOffset(ZoneOffset.ofHours(1))
                .build())) {
            startPushGateway(pushers(meters),
                    PushListenerOptions.of("127.0.0.1", 0).withIdleTimeout(Duration.ofSeconds(2)));
            InetSocketAddress port = gateway.pushAddress().orElseThrow();
            ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
            try (Socket garbage = new Socket(port.getAddress(), port.getPort());
                    Socket slow = new Socket(port.getAddress(), port.getPort());
                    MeterPushes pushes = many.startPushing(PushOptions.to(port, Duration.ofMillis(500))
                            .withCount(perMeter), sent::add)) {
                garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: meter\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                garbage.getOutputStream().flush();
                // a wrapper header announcing 40 bytes, then 10 of them, then nothing
                slow.getOutputStream().write(new byte[]{0, 1, 0, 1, 0, 16, 0, 40, 0x0F, 0, 0, 0, 1, 0, 2, 2, 9, 1});
                slow.getOutputStream().flush();

                awaitTrue(Duration.ofSeconds(90), () -> sent.size() == meters * perMeter
                        && pushedTelemetry().size() == meters * perMeter,
                        "every notification sent and in ThingsBoard");
                assertThat(pushedTelemetry()).isEqualTo(sent.stream().map(DlmsGatewayPushTest::expected)
                        .collect(Collectors.toSet()));
                awaitTrue(Duration.ofSeconds(10), () -> gateway.statistics().push().undecodable() >= 1
                        && gateway.statistics().push().idleClosed() >= 1, "both hostile peers counted");
                for (Socket closedByTheGateway : List.of(garbage, slow)) {
                    closedByTheGateway.setSoTimeout(5_000);
                    assertThat(closedByTheGateway.getInputStream().read()).isEqualTo(-1);
                }
            }
            assertThat(gateway.statistics().push().notifications()).isEqualTo(meters * perMeter);
            // the garbage peer only; idle closes also count meters that went quiet after their last push
            assertThat(gateway.statistics().push().undecodable()).isEqualTo(1);
        }
    }

    @Test
    void aPushDuringAThingsBoardOutageIsSpooledAndDeliveredLater() throws Exception {
        startPushGateway();
        awaitTrue(Duration.ofSeconds(10), () -> gateway.statistics().connected(), "connected to ThingsBoard");
        broker.stop();
        awaitTrue(Duration.ofSeconds(10), () -> !gateway.statistics().connected(), "ThingsBoard gone");

        ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
        try (MeterPushes pushes = simulator.startPushing(PushOptions.to(gateway.pushAddress().orElseThrow(),
                Duration.ofMillis(200)).withCount(2), sent::add)) {
            awaitTrue(Duration.ofSeconds(15), () -> sent.size() == 4 && gateway.statistics().pushSpooled() == 4,
                    "four notifications spooled while ThingsBoard is away");
        }
        assertThat(gateway.statistics().spool().backlogRecords()).isEqualTo(4);
        assertThat(pushedTelemetry()).isEmpty();

        broker.restart();
        awaitTrue(Duration.ofSeconds(30), () -> pushedTelemetry().size() == 4, "the spooled pushes delivered");
        assertThat(pushedTelemetry()).isEqualTo(sent.stream().map(DlmsGatewayPushTest::expected)
                .collect(Collectors.toSet()));
        awaitTrue(Duration.ofSeconds(5), () -> gateway.statistics().spool().backlogRecords() == 0, "spool empty");
    }

    @Test
    void aPushPortInUseFailsTheStartAndLeavesNothingBehind() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            GatewaySettings base = GatewayFixture.config(pushers(), broker.port(), dir, 65_536, null);
            GatewaySettings settings = new GatewaySettings(base.devices(), base.thingsBoard(), base.spool(),
                    base.statisticsPeriod(), base.packDelay(), base.inputRules(),
                    Optional.of(PushListenerOptions.of("127.0.0.1", taken.getLocalPort())));
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                    () -> DlmsGateway.start(settings, GatewayFixture.quick()));
            assertThat(failure).as("the start fails").isNotNull();
            assertThat(String.valueOf(failure) + failure.getCause()).containsIgnoringCase("address already in use");
        }
        // the spool directory was released: the same settings start once the port is free
        startPushGateway();
        assertThat(gateway.pushAddress()).isPresent();
    }
}
