package io.dlmsgateway.bench.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

    @Test
    void clusterStartsAfterTheLargestGapEvenAcrossTheWrap() {
        BitSet plain = new BitSet();
        plain.set(1200);
        plain.set(1201);
        plain.set(1350);
        assertThat(DeliveryLedger.clusterStart(plain, 5000)).isEqualTo(1200);

        BitSet wrapping = new BitSet();
        wrapping.set(4990);
        wrapping.set(4999);
        wrapping.set(3);
        assertThat(DeliveryLedger.clusterStart(wrapping, 5000)).isEqualTo(4990);
        assertThat(DeliveryLedger.clusterStart(new BitSet(), 5000)).isZero();
    }

    @Test
    void readingsCountAgainstEachMetersOwnGridWithDuplicatesApart() {
        // 2 meters every 1 000 ms; meter 0's grid starts 100 ms after the reference, meter 1's 130 ms (+500 spread)
        long reference = 1_000_000;
        DeliveryLedger ledger = new DeliveryLedger(2, 1_000);
        for (int k = 0; k < 10; k++) {
            long slot0 = reference + 100 + k * 1_000L;
            long slot1 = reference + 130 + 500 + k * 1_000L;
            ledger.add(0, slot0 + (k == 7 ? 40 : 1), slot0 + 300, 4);
            ledger.add(1, slot1, slot1 + 250, 4);
        }
        ledger.add(1, reference + 630 + 3_000, reference + 9_999, 4); // meter 1's slot 3 again

        long[] phases = ledger.originPhases(reference, 0, Long.MAX_VALUE);
        assertThat(phases).containsExactly(101, 130);
        // window: slots 2..6 of each meter (5 s from reference + 2 000)
        DeliveryLedger.Analysis a = ledger.analyse(reference, phases, reference + 2_000, reference + 7_000,
                reference + 20_000);
        assertThat(a.scheduled()).isEqualTo(10);
        assertThat(a.done()).isEqualTo(10);
        assertThat(a.onTime()).isEqualTo(10);
        assertThat(a.duplicates()).isEqualTo(1);
        assertThat(a.unique()).isEqualTo(20);
        assertThat(a.valuesRead()).isEqualTo(40);
        assertThat(a.lag().max()).isZero();
        assertThat(a.readToDelivery().max()).isCloseTo(299.0, org.assertj.core.api.Assertions.within(0.5));

        // a deadline before the last readings arrived leaves them out
        DeliveryLedger.Analysis early = ledger.analyse(reference, phases, reference + 2_000, reference + 7_000,
                reference + 6_500);
        assertThat(early.done()).isEqualTo(9); // meter 1's slot 6 arrives at +6 880
    }
}
