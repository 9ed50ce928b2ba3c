package io.dlmsgateway.fleet;

import static io.dlmsgateway.fleet.MeterFleetFaultIsolationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeasurements;
import io.dlmsgateway.dlms.sim.SimulatedMeter;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.resources.GatewayResources;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** The embedding API on real sockets: on-demand reads, live changes, shared event loops, shutdown. */
class MeterFleetTest {

    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;

    @BeforeAll
    static void startMeters() throws Exception {
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(3)
                .framing(Framing.WRAPPER).workerThreads(1).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(2)
                .framing(Framing.HDLC).physicalAddress(16, true).workerThreads(1).build());
    }

    @AfterAll
    static void stopMeters() {
        wrapperMeters.close();
        hdlcMeters.close();
    }

    private static FleetOptions quick() {
        return FleetOptions.builder().eventLoopThreads(1).reconnectBackoff(Duration.ofMillis(100),
                Duration.ofMillis(500)).releaseTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void readNowByNameAndObisOnTheOpenAssociation() throws Exception {
        Meter device = SimulatedDevices.device(wrapperMeters, 0, Duration.ofMinutes(10), Duration.ofSeconds(2));
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            awaitTrue(Duration.ofSeconds(5), () -> fleet.deviceStatistics("meter-0").orElseThrow().state()
                    == DeviceState.UP);
            MeterReading reading = fleet.readNow("meter-0", List.of("voltage_l2", "1.0.14.7.0.255", "1.0.99.99.0.255"))
                    .block(Duration.ofSeconds(5));
            assertThat(reading.value("voltage_l2").unit()).isEqualTo("V");
            assertThat(SimulatedMeasurements.range("voltage_l2").contains(reading.value("voltage_l2").asDouble()))
                    .isTrue();
            assertThat(reading.value("1.0.14.7.0.255").unit()).isEqualTo("Hz");
            assertThat(reading.refusal("1.0.99.99.0.255").resultName()).isEqualTo("object-undefined");

            assertThat(fleet.readNow("meter-0", List.of()).block(Duration.ofSeconds(5)).values())
                    .containsOnlyKeys("voltage_l1", "current_l1", "active_power", "frequency");
            StepVerifier.create(fleet.readNow("nobody", List.of())).expectError(NoSuchElementException.class)
                    .verify();
            StepVerifier.create(fleet.readNow("meter-0", List.of("not-a-measurement")))
                    .expectErrorMessage("'not-a-measurement' is neither a measurement of meter-0 nor an OBIS code")
                    .verify();
        }
    }

    @Test
    void readNowOnAMeterThatIsDownFailsAtOnceWithTheReason() {
        Meter unreachable = Meter.builder("gone", "127.0.0.1", 1)
                .client(DlmsClientSettings.builder().connectTimeout(Duration.ofSeconds(1))
                        .requestTimeout(Duration.ofSeconds(1)).build())
                .pollingInterval(Duration.ofSeconds(1))
                .build();
        try (MeterFleet fleet = MeterFleet.create(List.of(unreachable), quick())) {
            StepVerifier.create(fleet.readNow("gone", List.of("voltage_l1")))
                    .expectError(DlmsConnectionException.class)
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void hdlcAndAuthenticatedMetersArePolledWithTheirAddressing() throws Exception {
        MeterAddressing addressing = hdlcMeters.addressing();
        HexFormat hex = HexFormat.of();
        Meter low = withClient(SimulatedDevices.device(hdlcMeters, 0, Duration.ofMillis(300), Duration.ofSeconds(2)),
                SimulatedDevices.client(hdlcMeters, 0, Duration.ofSeconds(2))
                        .clientAddress(MeterAddressing.MANAGEMENT_CLIENT)
                        .authentication(Authentication.LOW).password(addressing.password()));
        Meter gmac = withClient(SimulatedDevices.device(hdlcMeters, 1, Duration.ofMillis(300), Duration.ofSeconds(2)),
                SimulatedDevices.client(hdlcMeters, 1, Duration.ofSeconds(2))
                        .clientAddress(MeterAddressing.MANAGEMENT_CLIENT)
                        .authentication(Authentication.HIGH_GMAC)
                        .blockCipherKey(hex.formatHex(addressing.blockCipherKey()))
                        .authenticationKey(hex.formatHex(addressing.authenticationKey()))
                        .clientSystemTitle("4752580000000001"));
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(low, gmac), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(5), () -> readings.stream().map(MeterReading::meter).distinct()
                    .count() == 2);
            assertThat(fleet.statistics().failures()).isZero();
        }
    }

    @Test
    void aNewPollingIntervalAndAReconnectTakeEffectAtOnce() throws Exception {
        Meter device = SimulatedDevices.device(wrapperMeters, 1, Duration.ofMinutes(10), Duration.ofSeconds(2));
        ConcurrentLinkedQueue<MeterReading> readings = new ConcurrentLinkedQueue<>();
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            fleet.readings().subscribe(readings::add);
            awaitTrue(Duration.ofSeconds(5), () -> readings.size() == 1);

            fleet.pollingInterval("meter-1", Duration.ofMillis(100));
            awaitTrue(Duration.ofSeconds(5), () -> readings.size() >= 5);

            long connects = fleet.deviceStatistics("meter-1").orElseThrow().connects();
            fleet.reconnect("meter-1").block();
            awaitTrue(Duration.ofSeconds(5), () -> fleet.deviceStatistics("meter-1").orElseThrow().connects()
                    == connects + 1);
            assertThat(wrapperMeters.meter(1).openConnections()).isEqualTo(1);
        }
    }

    @Test
    void aSubscriberThatTakesNothingPausesPollingWithinTheBuffer() throws Exception {
        List<Meter> devices = List.of(
                SimulatedDevices.device(wrapperMeters, 0, Duration.ofMillis(50), Duration.ofSeconds(2)),
                SimulatedDevices.device(wrapperMeters, 2, Duration.ofMillis(50), Duration.ofSeconds(2)));
        try (MeterFleet fleet = MeterFleet.create(devices, FleetOptions.builder().eventLoopThreads(1)
                .readingBufferSize(5).build())) {
            awaitTrue(Duration.ofSeconds(5), () -> fleet.statistics().skipped() >= 10);
            FleetStatistics s = fleet.statistics();
            assertThat(s.readingsQueued()).isEqualTo(5);
            assertThat(s.successes()).isEqualTo(5);

            StepVerifier.create(fleet.readings(), 0)
                    .thenRequest(7)
                    .expectNextCount(7)
                    .thenCancel()
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void aHostGroupIsSharedAndOutlivesTheFleetWhoseShutdownReleasesEveryMeter() throws Exception {
        NioEventLoopGroup hostGroup = new NioEventLoopGroup(1);
        try {
            List<Meter> devices = SimulatedDevices.all(wrapperMeters, Duration.ofMillis(200),
                    Duration.ofSeconds(2));
            GatewayResources shared = GatewayResources.shared(hostGroup);
            MeterFleet fleet = MeterFleet.create(devices, FleetOptions.builder().resources(shared).build());
            assertThat(fleet.resources()).isSameAs(shared);
            awaitTrue(Duration.ofSeconds(5), () -> fleet.statistics().devicesUp() == 3);
            assertThat(wrapperMeters.meters()).allSatisfy(m -> assertThat(m.openConnections()).isEqualTo(1));

            StepVerifier.create(fleet.readings().then(fleet.shutdown()))
                    .then(fleet::shutdown)
                    .verifyComplete();
            assertThat(hostGroup.isShuttingDown()).isFalse();
            awaitTrue(Duration.ofSeconds(2), () -> wrapperMeters.meters().stream()
                    .allMatch(m -> m.openConnections() == 0));
            assertThat(fleet.deviceStatistics()).allSatisfy(d -> assertThat(d.state()).isEqualTo(DeviceState.STOPPED));
        } finally {
            hostGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Cancelling a read crosses into the DLMS client: the exchange on the wire finishes, none after it goes out, and
     * the association keeps serving. Twenty attributes (eight scaler_units not read yet, twelve values) take two
     * GET-with-list exchanges of 300 ms each; the cancel comes while the first is on the wire.
     */
    @Test
    void aCancelledReadNowStopsAfterTheExchangeOnTheWire() throws Exception {
        Meter device = SimulatedDevices.device(wrapperMeters, 2, Duration.ofMinutes(10), Duration.ofSeconds(5));
        SimulatedMeter simulated = wrapperMeters.meter(2);
        try (MeterFleet fleet = MeterFleet.create(List.of(device), quick())) {
            awaitTrue(Duration.ofSeconds(5), () -> fleet.deviceStatistics("meter-2").orElseThrow().successes() == 1);
            simulated.latency(Duration.ofMillis(300));
            long before = simulated.requestCount();
            List<String> everything = MeasurementCatalog.standard().stream().map(Measurement::name).toList();
            Disposable read = fleet.readNow("meter-2", everything).subscribe();
            awaitTrue(Duration.ofSeconds(2), () -> simulated.requestCount() == before + 1);
            read.dispose();
            Thread.sleep(1_000); // three times the latency: a second exchange would have gone out by now
            assertThat(simulated.requestCount()).isEqualTo(before + 1);

            simulated.latency(Duration.ZERO);
            MeterReading after = fleet.readNow("meter-2", List.of("voltage_l1")).block(Duration.ofSeconds(5));
            assertThat(after.value("voltage_l1")).isNotNull();
        } finally {
            simulated.latency(Duration.ZERO);
        }
    }

    @Test
    void twoDevicesWithOneNameAreRefused() {
        Meter device = SimulatedDevices.device(wrapperMeters, 0, Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThatThrownBy(() -> MeterFleet.create(List.of(device, device), quick()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("meter-0");
    }

    private static Meter withClient(Meter meter, DlmsClientSettings.Builder client) {
        return meter.toBuilder().client(client.build()).build();
    }
}
