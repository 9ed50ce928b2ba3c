package io.dlmsgateway.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.FleetStatistics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetStatisticsLogTest {

    @Test
    void deviceLinesReadLikeTheSeeds() {
        Instant lastPoll = LocalDateTime.parse("2025-11-04T10:30:45").atZone(ZoneId.systemDefault()).toInstant();
        DeviceStatistics up = new DeviceStatistics("medidor_principal", DeviceState.UP, 1234, 1215, 19, 0, 0, 3, 1,
                Optional.of(lastPoll), Optional.of(Duration.ofMillis(12)), Optional.empty(), 1000, 2000, 0);
        assertThat(FleetStatisticsLog.line(up)).isEqualTo(
                "[DLMSDevice[medidor_principal]] Total polls: 1234, Success rate: 98.5%, Last poll: 2025-11-04 10:30:45");

        DeviceStatistics down = new DeviceStatistics("m2", DeviceState.DOWN, 0, 0, 0, 0, 4, 0, 4, Optional.empty(),
                Optional.empty(), Optional.of("connection refused by 10.0.0.7:4059"), 0, 0, 0);
        assertThat(FleetStatisticsLog.line(down)).isEqualTo("[DLMSDevice[m2]] Total polls: 0, Success rate: -,"
                + " Last poll: never, down: connection refused by 10.0.0.7:4059");
    }

    /** A site with a hundred meters down writes twenty of their lines and one with the count, not a hundred. */
    @Test
    void manyDevicesDownGetABoundedNumberOfInfoLines() {
        List<DeviceStatistics> down = java.util.stream.IntStream.range(0, 100).mapToObj(i -> new DeviceStatistics(
                "m" + i, DeviceState.DOWN, 0, 0, 0, 0, 4, 0, 4, Optional.empty(), Optional.empty(),
                Optional.of("connection refused by 10.0.0.7:4059"), 0, 0, 0)).toList();
        FleetStatistics fleet = new FleetStatistics(100, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("io.dlmsgateway.fleet");
        ch.qos.logback.classic.Level before = logger.getLevel();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
                new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        logger.addAppender(events);
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            new FleetStatisticsLog(() -> fleet, () -> down).log();
        } finally {
            logger.detachAppender(events);
            logger.setLevel(before);
        }
        List<String> lines = events.list.stream().map(e -> e.getFormattedMessage()).toList();
        assertThat(lines.stream().filter(l -> l.startsWith("[DLMSDevice[")))
                .hasSize(FleetStatisticsLog.UNHEALTHY_LINES);
        assertThat(lines).contains("[DLMSConnector] 80 more devices down or failing polls (their lines at DEBUG)");
    }

    /** A name or a reason with a line break (the host application's, or a meter's text) stays on one line. */
    @Test
    void namesAndReasonsAreEscaped() {
        DeviceStatistics down = new DeviceStatistics("m1\n12:00:00 ERROR forged", DeviceState.DOWN, 0, 0, 0, 0, 1, 0,
                1, Optional.empty(), Optional.empty(), Optional.of("bad reply\r\u001b[2J"), 0, 0, 0);
        assertThat(FleetStatisticsLog.line(down)).isEqualTo("[DLMSDevice[m1\\n12:00:00 ERROR forged]] Total polls: 0,"
                + " Success rate: -, Last poll: never, down: bad reply\\r\\u001b[2J");
    }
}
