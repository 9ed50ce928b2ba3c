package io.dlmsgateway.bench.target;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.data.Offset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PollRecorderTest {

    /** One meter every second; window [10 000, 20 000). */
    private final ScheduleGrid grid = new ScheduleGrid(0, 1, 1_000, 10_000, 10_000);
    private final PollRecorder recorder = new PollRecorder(grid);

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void onlyPollsWhoseSlotIsInTheWindowCount() {
        recorder.pollDone(9_000, 9_001, ms(1), 4, 9_002);      // warm-up
        recorder.pollDone(10_000, 10_002, ms(3), 4, 10_005);   // first slot of the window
        recorder.pollDone(19_000, 19_999, ms(2), 4, 20_001);   // last slot, completes during the grace time
        recorder.pollDone(20_000, 20_000, ms(1), 4, 20_001);   // after the window

        PollRecorder.Snapshot s = recorder.snapshot();

        assertThat(s.pollsDone()).isEqualTo(2);
        assertThat(s.valuesRead()).isEqualTo(8);
        assertThat(s.lag().count()).isEqualTo(2);
        // three significant digits: 999 ms is held as 999.42 ms at most
        assertThat(s.lag().max()).isCloseTo(999.0, Offset.offset(1.0));
        assertThat(s.latency().max()).isEqualTo(3.0);
        // completion time decides what the CPU of the window paid for: only the poll finished at 10 005
        assertThat(s.pollsCompletedInWindow()).isEqualTo(1);
    }

    @Test
    void pollsStartedMoreThanASecondLateAreNotOnTime() {
        recorder.pollDone(10_000, 11_000, ms(1), 4, 11_001);
        recorder.pollDone(11_000, 12_001, ms(1), 4, 12_002);

        PollRecorder.Snapshot s = recorder.snapshot();

        assertThat(s.pollsDone()).isEqualTo(2);
        assertThat(s.pollsOnTime()).isEqualTo(1);
    }

    @Test
    void percentilesAreInMillisecondsFromMicrosecondHistograms() {
        // latencies 1..100 ms, lags 0..99 ms
        for (int i = 1; i <= 100; i++) {
            long slot = 10_000 + (i - 1) * 10L;
            recorder.pollDone(slot, slot + i - 1, ms(i), 4, 15_000);
        }

        PollRecorder.Snapshot s = recorder.snapshot();

        assertThat(s.latency().count()).isEqualTo(100);
        assertThat(s.latency().p50()).isCloseTo(50.0, Offset.offset(0.1));
        assertThat(s.latency().p90()).isCloseTo(90.0, Offset.offset(0.1));
        assertThat(s.latency().p99()).isCloseTo(99.0, Offset.offset(0.1));
        assertThat(s.latency().max()).isCloseTo(100.0, Offset.offset(0.1));
        assertThat(s.lag().p50()).isCloseTo(49.0, Offset.offset(0.1));
        assertThat(s.lag().max()).isCloseTo(99.0, Offset.offset(0.1));
    }

    @Test
    void anEmptyWindowHasZeroPercentilesThatSurviveJson() throws Exception {
        recorder.pollDone(1_000, 1_000, ms(1), 4, 1_001);

        PollRecorder.Snapshot s = recorder.snapshot();

        assertThat(s.pollsDone()).isZero();
        assertThat(s.lag()).isEqualTo(TargetSummary.Percentiles.EMPTY);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readValue(json.writeValueAsString(s.latency()), TargetSummary.Percentiles.class))
                .isEqualTo(TargetSummary.Percentiles.EMPTY);
    }

    @Test
    void recordsFromManyThreadsAtOnce() throws Exception {
        Thread[] pollers = new Thread[4];
        for (int t = 0; t < pollers.length; t++) {
            pollers[t] = new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    recorder.pollDone(10_000 + i, 10_000 + i, ms(1), 4, 10_000 + i);
                }
            });
            pollers[t].start();
        }
        for (Thread t : pollers) {
            t.join();
        }

        PollRecorder.Snapshot s = recorder.snapshot();

        assertThat(s.pollsDone()).isEqualTo(4_000);
        assertThat(s.lag().count()).isEqualTo(4_000);
        assertThat(s.valuesRead()).isEqualTo(16_000);
    }
}
