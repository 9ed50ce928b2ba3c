package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's series in a host's registry: per-device series only when asked for and for at most
 * {@code maxDevices} meters, and every series gone once the gateway stops.
 */
class GatewayMetricsTest {

    @TempDir
    Path dir;

    @Test
    void perDeviceSeriesAreBoundedAndEverySeriesLeavesWithTheGateway() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddedBroker broker = thingsBoard.start();
             MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                     .basePort(0).meterCount(3).framing(Framing.WRAPPER).workerThreads(1).build())) {
            GatewaySettings settings = GatewayFixture.config(GatewayFixture.devices(simulator, Duration.ofMillis(300),
                    Duration.ofSeconds(2)), broker.port(), dir, 65_536, null);
            GatewayOptions options = GatewayOptions.builder().fleet(GatewayFixture.quick().fleet())
                    .transport(GatewayFixture.quick().transport())
                    .metrics(new MetricsOptions(registry, true, 2)).build();
            try (DlmsGateway gateway = DlmsGateway.start(settings, options)) {
                awaitTrue(Duration.ofSeconds(30), () -> gateway.readingsPublished() >= 6, "readings published");
                Set<String> devices = registry.getMeters().stream().map(m -> m.getId().getTag("device"))
                        .filter(d -> d != null).collect(Collectors.toSet());
                assertThat(devices).containsExactlyInAnyOrder("meter-0", "meter-1");
                assertThat(registry.get("dlms.gateway.device.up").tag("device", "meter-0").gauge().value())
                        .isEqualTo(1.0);
                assertThat(registry.get("dlms.gateway.poll.latency").timer().count()).isPositive();
                assertThat(registry.get("dlms.gateway.polls").tag("result", "success").functionCounter().count())
                        .isPositive();
            }
            assertThat(registry.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName)
                    .noneMatch(name -> name.startsWith("dlms.gateway"));
        }
    }
}
