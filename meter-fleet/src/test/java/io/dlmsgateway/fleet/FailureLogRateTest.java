package io.dlmsgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Many meters failing for one reason do not write one WARN line each per attempt: repeated failures are summarized
 * per reason with a count and a few names, and one meter's repeating failure is logged once per run of failures.
 */
class FailureLogRateTest {

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private Logger fleetLogger;
    private Level levelBefore;

    @BeforeEach
    void captureTheFleetsLog() {
        fleetLogger = (Logger) LoggerFactory.getLogger("io.dlmsgateway.fleet");
        levelBefore = fleetLogger.getLevel();
        fleetLogger.setLevel(Level.INFO);
        // the hundreds of expected failure lines stay out of the build's output
        fleetLogger.setAdditive(false);
        events.start();
        fleetLogger.addAppender(events);
    }

    @AfterEach
    void restore() {
        fleetLogger.detachAppender(events);
        fleetLogger.setLevel(levelBefore);
        fleetLogger.setAdditive(true);
    }

    /**
     * 2 000 meters on a port where nothing listens, with a summary period of 1 s: each meter's first failure is
     * either one of the period's few WARN lines or counted in a summary line naming the reason, and every meter is
     * accounted for once.
     */
    @Test
    void manyMetersOnAClosedPortWriteABoundedNumberOfWarnLines() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        int meters = 2_000;
        List<Meter> devices = IntStream.range(0, meters).mapToObj(i -> Meter.builder("meter-" + i, "127.0.0.1",
                closedPort).client(DlmsClientSettings.builder().connectTimeout(Duration.ofSeconds(2)).build())
                .pollingInterval(Duration.ofSeconds(1)).build()).toList();
        int seconds = 4;
        try (MeterFleet fleet = MeterFleet.create(devices, FleetOptions.builder().eventLoopThreads(1)
                .reconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                .failureSummaryInterval(Duration.ofSeconds(1)).statisticsLogInterval(Duration.ZERO).build())) {
            awaitFirstFailureOfEvery(fleet);
            Thread.sleep(seconds * 1_000L);
        }
        List<ILoggingEvent> warnings = snapshot().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .toList();
        String reason = "connection refused by 127.0.0.1:" + closedPort;
        List<String> own = warnings.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("[DLMSDevice[")).toList();
        List<String> summaries = warnings.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("[DLMSConnector]")).toList();
        assertThat(own).allMatch(m -> m.contains(reason));
        assertThat(summaries).isNotEmpty().allMatch(m -> m.contains(reason) && m.contains("(e.g. meter-"));
        Pattern count = Pattern.compile("^\\[DLMSConnector] (\\d+) more devices? failed");
        long summarized = summaries.stream().map(count::matcher).filter(Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1))).sum();
        assertThat(own.size() + summarized).as("meters whose failure was logged or counted, in %s", warnings)
                .isEqualTo(meters);
        // a few lines per period (the test's run lasts a few periods), not one per meter and attempt
        assertThat(warnings).as("WARN lines").hasSizeLessThan(100);
        System.out.printf("failure log: %d meters on a closed port, %d WARN lines over %d s (%d own, %d summaries)%n",
                meters, warnings.size(), seconds, own.size(), summaries.size());
    }

    private static void awaitFirstFailureOfEvery(MeterFleet fleet) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (fleet.deviceStatistics().stream().anyMatch(d -> d.lastError().isEmpty())
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private List<ILoggingEvent> snapshot() {
        synchronized (events) {
            return List.copyOf(events.list);
        }
    }
}
