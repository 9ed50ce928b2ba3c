package io.dlmsgateway.bench.harness;

import io.dlmsgateway.bench.harness.ChaosAccounting.FaultWindow;
import io.dlmsgateway.bench.harness.ChaosAccounting.Kill;
import io.dlmsgateway.bench.harness.ChaosAccounting.Rules;
import io.dlmsgateway.bench.harness.ChaosAccounting.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak's rules: which served readings the gateway had received, and what counts as lost, duplicated, missed. */
class ChaosAccountingTest {

    private static final long T0 = 1_800_000_000_000L;
    private static final long IV = 1_000;
    /** Two meters, 1 s interval, counting to T0 + 60 s, window T0 .. T0 + 60 s, kill window 50 ms. */
    private static final Rules RULES = new Rules(2, IV, 50, IV / 2, T0 + 60_000, T0, T0 + 60_000);

    /** Served and delivered events as the soak collects them. */
    private static final class Run {
        final List<int[]> served = new ArrayList<>();
        final List<long[]> servedAt = new ArrayList<>();
        final List<Integer> deliveredMeter = new ArrayList<>();
        final List<Long> deliveredTs = new ArrayList<>();
        final List<FaultWindow> faults = new ArrayList<>();
        final List<Kill> kills = new ArrayList<>();

        /** A poll of {@code meter} started at {@code ts}, served 4 ms later. */
        Run poll(int meter, long ts, boolean delivered) {
            served.add(new int[] {meter});
            servedAt.add(new long[] {ts + 4});
            if (delivered) {
                deliver(meter, ts);
            }
            return this;
        }

        Run deliver(int meter, long ts) {
            deliveredMeter.add(meter);
            deliveredTs.add(ts);
            return this;
        }

        ChaosAccounting.Result account() {
            return ChaosAccounting.account(RULES, served.stream().mapToInt(a -> a[0]).toArray(),
                    servedAt.stream().mapToLong(a -> a[0]).toArray(),
                    deliveredMeter.stream().mapToInt(Integer::intValue).toArray(),
                    deliveredTs.stream().mapToLong(Long::longValue).toArray(), faults, kills);
        }
    }

    /** Both meters polled every second over the window, every reading delivered. */
    private static Run healthy() {
        Run run = new Run();
        for (long t = T0 + 100; t < T0 + 60_000; t += IV) {
            run.poll(0, t, true).poll(1, t + 300, true);
        }
        return run;
    }

    @Test
    void aHealthyRunLosesAndMissesNothing() {
        ChaosAccounting.Result r = healthy().account();
        assertThat(r.served()).isEqualTo(120);
        assertThat(r.counted()).isEqualTo(120);
        assertThat(r.delivered()).isEqualTo(120);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.unmatchedDelivered()).isZero();
        assertThat(r.missedSlots()).isZero();
    }

    @Test
    void aReadingServedWellBeforeAKillAndNeverDeliveredIsLostAndPutDownToThatKill() {
        Run run = healthy();
        run.poll(0, T0 + 30_500, false); // served at 30 504, the kill at 30 700: the gateway had it
        run.poll(1, T0 + 30_640, false); // served at 30 644, 56 ms before the kill: also had it
        run.poll(0, T0 + 30_660, false); // served 36 ms before the kill: may have been in a socket buffer
        run.kills.add(new Kill(T0 + 30_700, T0 + 32_000));
        run.poll(1, T0 + 45_000, false); // no kill near: lost all the same
        ChaosAccounting.Result r = run.account();
        assertThat(r.lost()).isEqualTo(3);
        assertThat(r.lostPerKill()).containsExactly(2);
        assertThat(r.lostNotNearKill()).isEqualTo(1);
        // the one 36 ms before the kill, and the regular polls of both meters served while the gateway was down
        assertThat(r.excludedKill()).isEqualTo(1 + 2);
        assertThat(r.lostSample()).extracting(ChaosAccounting.Lost::servedAt)
                .contains(T0 + 30_504, T0 + 30_644, T0 + 45_004);
    }

    @Test
    void readingsServedToAFaultedMeterOrAfterTheEndDoNotCount() {
        Run run = healthy();
        run.faults.add(new FaultWindow(1, "SEND_GARBAGE", new Span(T0 + 10_000, T0 + 12_000)));
        run.poll(1, T0 + 10_500, false);
        run.poll(1, T0 + 12_040, false); // within the kill window after the heal: still the fault's
        run.poll(0, T0 + 60_100, false); // after the end of counting
        ChaosAccounting.Result r = run.account();
        assertThat(r.lost()).isZero();
        // the two above, and meter 1's regular polls at 10 400 and 11 400
        assertThat(r.excludedFault()).isEqualTo(2 + 2);
        assertThat(r.excludedAfterEnd()).isEqualTo(1);
    }

    @Test
    void aDeliveredReadingPairsWithOneServedReadingOnly() {
        Run run = new Run();
        run.poll(0, T0 + 1_000, true);
        // a second reply served 300 ms later with no reading of its own delivered
        run.served.add(new int[] {0});
        run.servedAt.add(new long[] {T0 + 1_304});
        ChaosAccounting.Result r = run.account();
        assertThat(r.delivered()).isEqualTo(1);
        assertThat(r.lost()).isEqualTo(1);
    }

    @Test
    void aDeliveredReadingPolledAfterItWasServedIsNotItsDelivery() {
        Run run = new Run();
        run.served.add(new int[] {0});
        run.servedAt.add(new long[] {T0 + 1_000});
        run.deliver(0, T0 + 1_200); // a later poll's reading
        ChaosAccounting.Result r = run.account();
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.unmatchedDelivered()).isEqualTo(1);
    }

    @Test
    void duplicatesAreEntriesOfTheSameMeterAndTsDeliveredAgain() {
        Run run = healthy();
        run.deliver(0, T0 + 5_100).deliver(0, T0 + 5_100).deliver(1, T0 + 7_400);
        ChaosAccounting.Result r = run.account();
        assertThat(r.deliveredEntries()).isEqualTo(123);
        assertThat(r.deliveredUnique()).isEqualTo(120);
        assertThat(r.duplicates()).isEqualTo(3);
        assertThat(r.lost()).isZero();
    }

    @Test
    void slotsAreMissedInGapsOutsideFaultsAndOutagesOnly() {
        Run run = new Run();
        for (long t = T0 + 100; t < T0 + 60_000; t += IV) {
            boolean gapOfMeter0 = t > T0 + 20_000 && t < T0 + 23_000; // 20 100 .. 23 100: 3 slots missed
            boolean faultOfMeter1 = t > T0 + 30_000 && t < T0 + 40_000;
            run.poll(0, t, !gapOfMeter0).poll(1, t + 300, !faultOfMeter1);
        }
        run.faults.add(new FaultWindow(1, "STOP_ANSWERING", new Span(T0 + 30_000, T0 + 38_000)));
        ChaosAccounting.Result r = run.account();
        assertThat(r.missedSlots()).isEqualTo(3);
        assertThat(r.metersMissing()).isEqualTo(1);
        assertThat(r.mostMissedByOne()).isEqualTo(3);
        assertThat(r.excludedGaps()).isEqualTo(1);
        assertThat(r.missedSample()).containsExactly(
                new ChaosAccounting.MissedGap(0, T0 + 19_100, T0 + 23_100, 3));
        // healed at 38 000, next reading of meter 1 at 40 400
        assertThat(r.recoveryMillis()).containsExactly(2_400);
        // meter 0's three undelivered readings were served with no fault and no kill: lost
        assertThat(r.lost()).isEqualTo(3 + 2);
    }
}
