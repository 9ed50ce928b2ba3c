package io.dlmsgateway.dlms.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated profiles' public functions: what tests compare rows against. */
class SimulatedProfilesTest {

    private static final Duration PERIOD = SimulatedProfiles.DEFAULT_PERIOD;
    private static final Duration HISTORY = SimulatedProfiles.DEFAULT_HISTORY;

    @Test
    void sevenDaysOfQuarterHoursAre672RowsEndingAtTheLastGridPointAndMovingOnWithTime() {
        Instant now = Instant.parse("2026-11-30T12:07:30Z");
        List<Instant> times = SimulatedProfiles.captureTimes(now, PERIOD, HISTORY);
        assertThat(times).hasSize(672);
        assertThat(SimulatedProfiles.entries(PERIOD, HISTORY)).isEqualTo(672);
        assertThat(times.get(671)).isEqualTo(Instant.parse("2026-11-30T12:00:00Z"));
        assertThat(times.get(0)).isEqualTo(Instant.parse("2026-11-23T12:15:00Z"));
        // exactly on a grid point, that row is in; a period later the window has moved by one row
        List<Instant> later = SimulatedProfiles.captureTimes(Instant.parse("2026-11-30T12:15:00Z"), PERIOD, HISTORY);
        assertThat(later.get(671)).isEqualTo(Instant.parse("2026-11-30T12:15:00Z"));
        assertThat(later.subList(0, 671)).isEqualTo(times.subList(1, 672));
    }

    @Test
    void energyNeverDecreasesAndVoltageStaysPlausible() {
        for (int meter = 0; meter < 300; meter += 13) {
            long previous = 0;
            for (Instant t : SimulatedProfiles.captureTimes(Instant.parse("2026-11-30T00:00:00Z"), PERIOD,
                    HISTORY)) {
                long e = SimulatedProfiles.energyRaw(meter, t);
                assertThat(e).isGreaterThanOrEqualTo(previous);
                previous = e;
                assertThat(SimulatedProfiles.voltage(meter, t).doubleValue()).isBetween(225.0, 235.5);
            }
        }
        Instant t = Instant.parse("2026-11-30T10:00:00Z");
        // the profile captures the meter's own active_energy register
        assertThat(SimulatedProfiles.energyRaw(4, t))
                .isEqualTo(SimulatedMeasurements.raw("active_energy", 4, t.toEpochMilli()));
        assertThat(SimulatedProfiles.voltage(4, t).scale()).isEqualTo(1);
    }

    @Test
    void eventsComeEveryFiveHoursAtEachMetersPhaseWithinTheHistory() {
        Instant now = Instant.parse("2026-11-30T12:07:30Z");
        List<Long> events = SimulatedProfiles.events(7, now, HISTORY);
        assertThat(events).hasSizeBetween(33, 34);
        for (int i = 1; i < events.size(); i++) {
            assertThat(Duration.between(SimulatedProfiles.eventTime(7, events.get(i - 1)),
                    SimulatedProfiles.eventTime(7, events.get(i)))).isEqualTo(SimulatedProfiles.EVENT_SPACING);
        }
        assertThat(SimulatedProfiles.eventTime(7, events.get(events.size() - 1))).isBeforeOrEqualTo(now);
        assertThat(SimulatedProfiles.eventTime(7, events.get(0))).isAfter(now.minus(HISTORY));
        assertThat(SimulatedProfiles.eventTime(7, 0).getEpochSecond() % 3600).isEqualTo(7 * 60);
        assertThat(events).allSatisfy(k -> assertThat(SimulatedProfiles.eventCode(7, k)).isBetween(1, 200));
        assertThat(events.size()).isLessThanOrEqualTo((int) SimulatedProfiles.eventEntries(HISTORY));
    }
}
