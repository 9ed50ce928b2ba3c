package io.dlmsgateway.bench.target;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProfileLedgerTest {

    private static final long PERIOD = 900_000;
    private static final long DAY = 86_400_000;
    // launched 10 s after a quarter hour
    private static final long LAUNCH = 1_780_000_200_000L - 1_780_000_200_000L % PERIOD + 10_000;

    private static void fill(ProfileLedger ledger, int meter, long from, long to) {
        for (long t = from; t <= to; t += PERIOD) {
            ledger.add(meter, t, LAUNCH + 5_000);
        }
    }

    @Test
    void aMeterIsCompleteWhenItsRowsCoverTheWindowWithoutAGap() {
        ProfileLedger ledger = new ProfileLedger(2, PERIOD, LAUNCH, 7 * DAY);
        long newest = LAUNCH - 10_000;
        long oldest = newest - 7 * DAY + PERIOD;
        assertThat(ledger.rowsOwedPerMeter()).isEqualTo(672);
        fill(ledger, 0, oldest, newest);
        fill(ledger, 1, oldest, newest - PERIOD); // the last quarter hour not yet in
        ProfileLedger.Analysis a = ledger.analyse();
        assertThat(a.complete()).isEqualTo(1);
        assertThat(a.unique()).isEqualTo(672 + 671);
        assertThat(a.gaps()).isZero();
        assertThat(a.duplicates()).isZero();
        fill(ledger, 1, newest, newest);
        assertThat(ledger.analyse().complete()).isEqualTo(2);
    }

    @Test
    void countsGapsAndDuplicates() {
        ProfileLedger ledger = new ProfileLedger(1, PERIOD, LAUNCH, DAY);
        long newest = LAUNCH - 10_000;
        long oldest = newest - DAY + PERIOD;
        fill(ledger, 0, oldest, newest - 10 * PERIOD);
        fill(ledger, 0, newest - 8 * PERIOD, newest); // one row missing
        fill(ledger, 0, newest - 2 * PERIOD, newest); // three again
        ProfileLedger.Analysis a = ledger.analyse();
        assertThat(a.gaps()).isEqualTo(1);
        assertThat(a.duplicates()).isEqualTo(3);
        assertThat(a.complete()).isZero();
    }
}
