package io.dlmsgateway.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
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
        assertThat(FleetStatisticsLog.line(down)).isEqualTo("[DLMSDevice[m2]] Total polls: 0, Success rate: 100.0%,"
                + " Last poll: never, down: connection refused by 10.0.0.7:4059");
    }
}
