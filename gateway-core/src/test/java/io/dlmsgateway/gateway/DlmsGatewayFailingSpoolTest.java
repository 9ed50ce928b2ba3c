package io.dlmsgateway.gateway;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.spool.FailingStore;
import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The spool's disk fails (full, I/O error: here a real SQLite spool whose writes fail on purpose) while meters are
 * polled and ThingsBoard is up: polling and publishing go on, the statistics, the statistics telemetry and the
 * status line say the spool fails, and once writes work again the gateway recovers by itself and delivers what it
 * held. Before issue 14 the first failed write ended the readings' flow for good ("polling stops").
 */
class DlmsGatewayFailingSpoolTest {

    @TempDir
    Path dir;

    private final FailingStore store = new FailingStore();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger gatewayLogger = (Logger) LoggerFactory.getLogger("io.dlmsgateway.gateway.DLMSConnector");
    private final Logger spoolLogger = (Logger) LoggerFactory.getLogger(Spool.class);

    @BeforeEach
    void captureLogs() {
        logged.start();
        // the status lines and the spool's ERROR go to the list, not to the build output
        for (Logger logger : List.of(gatewayLogger, spoolLogger)) {
            logger.setLevel(Level.INFO);
            logger.setAdditive(false);
            logger.addAppender(logged);
        }
    }

    @AfterEach
    void restoreLogs() {
        for (Logger logger : List.of(gatewayLogger, spoolLogger)) {
            logger.detachAppender(logged);
            logger.setAdditive(true);
            logger.setLevel(null);
        }
    }

    private GatewayOptions options() {
        GatewayOptions quick = GatewayFixture.quick();
        return GatewayOptions.builder().fleet(quick.fleet()).transport(quick.transport())
                .statusLogInterval(Duration.ofMillis(500)).spoolOpener(store::open).build();
    }

    @Test
    void aFailingDiskStopsNeitherPollingNorPublishingAndTheGatewayRecoversByItself() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(10).framing(Framing.WRAPPER).workerThreads(1).build());
             EmbeddedBroker broker = thingsBoard.start()) {
            GatewaySettings settings = GatewayFixture.config(GatewayFixture.devices(simulator, Duration.ofMillis(200),
                    Duration.ofSeconds(2)), broker.port(), dir, 65_536, Duration.ofMillis(500));
            DlmsGateway gateway = DlmsGateway.start(settings, options());
            awaitTrue(Duration.ofSeconds(15), () -> thingsBoard.telemetry().size() >= 50, "readings before");

            store.fail(true);
            awaitTrue(Duration.ofSeconds(10), () -> gateway.statistics().spool().failing(), "the spool failing");
            long pollsAtFailure = gateway.fleet().statistics().successes();
            // the statistics telemetry says so ...
            JsonNode failingStats = thingsBoard.await("v1/devices/me/telemetry",
                    json -> json.path("spoolFailing").asBoolean(), Duration.ofSeconds(10)).json();
            assertThat(failingStats.path("spoolError").asText()).contains("SQLITE_FULL");
            // ... and so does the status line, at WARN
            awaitTrue(Duration.ofSeconds(10), () -> logged.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("SPOOL FAILING")), "the status line saying so");
            // polling goes on: readings keep coming and wait in memory
            awaitTrue(Duration.ofSeconds(10), () -> gateway.fleet().statistics().successes() >= pollsAtFailure + 50
                    && gateway.statistics().spool().heldRecords() >= 50, "polling going on while the disk fails");
            assertThat(gateway.fleet().statistics().skipped()).isZero();

            store.fail(false);
            awaitTrue(Duration.ofSeconds(15), () -> !gateway.statistics().spool().failing()
                    && gateway.statistics().spool().heldRecords() == 0, "the spool recovered by itself");
            long pollsAtRecovery = gateway.fleet().statistics().successes();
            awaitTrue(Duration.ofSeconds(10), () -> gateway.fleet().statistics().successes() >= pollsAtRecovery + 50,
                    "polling after the recovery");
            awaitTrue(Duration.ofSeconds(15), () -> gateway.statistics().spool().backlogRecords() < 20,
                    "the backlog published");
            gateway.close();

            long made = gateway.fleet().statistics().successes();
            Set<String> unique = thingsBoard.telemetry().stream().map(e -> e.device() + "@" + e.ts())
                    .collect(Collectors.toSet());
            System.out.printf("failing spool: %d readings made, %d arrived, %d writes refused while the disk"
                    + " failed%n", made, unique.size(), store.refused());
            // every reading made before, during and after the failure arrives: nothing was dropped
            assertThat(gateway.statistics().spool().dropped()).isZero();
            assertThat(unique).hasSize((int) made);
            assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("writing works again"));
        }
    }

    @Test
    void whatCannotBeKeptInMemoryIsDroppedOldestFirstAndCountedWithItsReason() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(10).framing(Framing.WRAPPER).workerThreads(1).build());
             EmbeddedBroker broker = thingsBoard.start()) {
            GatewaySettings base = GatewayFixture.config(GatewayFixture.devices(simulator, Duration.ofMillis(200),
                    Duration.ofSeconds(2)), broker.port(), dir, 65_536, Duration.ofMillis(500));
            // room in memory for some 30 readings while the disk fails
            SpoolOptions spool = base.spool().withMaxHeldBytes(30L * 200);
            GatewaySettings settings = new GatewaySettings(base.devices(), base.thingsBoard(), spool,
                    base.statisticsPeriod(), base.packDelay());
            DlmsGateway gateway = DlmsGateway.start(settings, options());
            awaitTrue(Duration.ofSeconds(15), () -> thingsBoard.telemetry().size() >= 20, "readings before");

            store.fail(true);
            awaitTrue(Duration.ofSeconds(15), () -> gateway.statistics().spool().droppedWhileFailing() >= 50,
                    "readings dropped from memory");
            JsonNode stats = thingsBoard.await("v1/devices/me/telemetry",
                    json -> json.path("readingsDroppedSpoolFailing").asLong() > 0, Duration.ofSeconds(10)).json();
            assertThat(stats.path("readingsDropped").asLong()).isGreaterThanOrEqualTo(
                    stats.path("readingsDroppedSpoolFailing").asLong());
            assertThat(stats.path("readingsDroppedSpoolFull").asLong()).isZero();
            // polling went on all the while
            assertThat(gateway.fleet().statistics().skipped()).isZero();

            store.fail(false);
            awaitTrue(Duration.ofSeconds(15), () -> !gateway.statistics().spool().failing(), "recovered");
            long spooledAtRecovery = gateway.readingsSpooled();
            awaitTrue(Duration.ofSeconds(10), () -> gateway.readingsSpooled() >= spooledAtRecovery + 50,
                    "readings spooled again");
            gateway.close();
            // and every meter's readings arrive again
            for (GatewayDevice device : base.devices()) {
                assertThat(thingsBoard.telemetry(device.name())).as(device.name()).isNotEmpty();
            }
        }
    }
}
