package io.dlmsgateway.bench.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScheduleGridTest {

    @Test
    void metersAreSpreadOverTheFirstInterval() {
        ScheduleGrid grid = new ScheduleGrid(1_000_000, 4, 5_000, 20_000, 60_000);

        assertThat(grid.firstSlot(0)).isEqualTo(1_000_000);
        assertThat(grid.firstSlot(1)).isEqualTo(1_001_250);
        assertThat(grid.firstSlot(3)).isEqualTo(1_003_750);
        assertThat(grid.windowStartMillis()).isEqualTo(1_020_000);
        assertThat(grid.windowEndMillis()).isEqualTo(1_080_000);
        assertThatThrownBy(() -> grid.firstSlot(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theWindowIsHalfOpen() {
        ScheduleGrid grid = new ScheduleGrid(0, 1, 1_000, 10_000, 5_000);

        assertThat(grid.inWindow(9_999)).isFalse();
        assertThat(grid.inWindow(10_000)).isTrue();
        assertThat(grid.inWindow(14_999)).isTrue();
        assertThat(grid.inWindow(15_000)).isFalse();
    }

    @Test
    void aWindowThatIsAMultipleOfTheIntervalHoldsTheSameSlotsOfEveryMeter() {
        // 7 meters, 3 s apart at most, window of 4 intervals starting off-grid
        ScheduleGrid grid = new ScheduleGrid(123, 7, 3_000, 10_001, 12_000);

        for (int i = 0; i < 7; i++) {
            assertThat(grid.slotsInWindow(i)).as("meter %d", i).isEqualTo(4);
        }
        assertThat(grid.slotsInWindow()).isEqualTo(28);
    }

    @Test
    void otherWindowsCountTheSlotsThatFallInside() {
        // meter 0 due at 0, 1000, 2000, ...; meter 1 at 500, 1500, ...
        ScheduleGrid grid = new ScheduleGrid(0, 2, 1_000, 1_000, 1_600);

        // window [1000, 2600): meter 0 at 1000 and 2000, meter 1 at 1500 and 2500
        assertThat(grid.slotsInWindow(0)).isEqualTo(2);
        assertThat(grid.slotsInWindow(1)).isEqualTo(2);

        ScheduleGrid shorter = new ScheduleGrid(0, 2, 1_000, 1_000, 400);
        // window [1000, 1400): only meter 0's slot at 1000
        assertThat(shorter.slotsInWindow(0)).isEqualTo(1);
        assertThat(shorter.slotsInWindow(1)).isZero();
        assertThat(shorter.slotsInWindow()).isEqualTo(1);
    }

    @Test
    void slotsBeforeTheFirstAreNotCounted() {
        // no warm-up and a window shorter than the spread: meters whose first slot is after the window have none
        ScheduleGrid grid = new ScheduleGrid(0, 10, 10_000, 0, 3_000);

        assertThat(grid.slotsInWindow(0)).isEqualTo(1);
        assertThat(grid.slotsInWindow(2)).isEqualTo(1);
        assertThat(grid.slotsInWindow(3)).isZero();
        assertThat(grid.slotsInWindow()).isEqualTo(3);
    }

    @Test
    void refusesANonsensicalGrid() {
        assertThatThrownBy(() -> new ScheduleGrid(0, 0, 1_000, 0, 1_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScheduleGrid(0, 1, 0, 0, 1_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScheduleGrid(0, 1, 1_000, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
