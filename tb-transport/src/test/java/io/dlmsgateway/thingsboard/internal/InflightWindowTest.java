package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

class InflightWindowTest {

    @Test
    void grantsUpToTheLimitAndWakesWaitersInOrderOnRelease() {
        InflightWindow window = new InflightWindow(2);
        StringBuilder order = new StringBuilder();
        window.acquire().subscribe(null, null, () -> order.append('a'));
        window.acquire().subscribe(null, null, () -> order.append('b'));
        window.acquire().subscribe(null, null, () -> order.append('c'));
        window.acquire().subscribe(null, null, () -> order.append('d'));
        assertThat(order).hasToString("ab");

        window.release(1);
        assertThat(order).hasToString("abc");
        window.release(2);
        assertThat(order).hasToString("abcd");
        assertThat(window.used()).isEqualTo(1);
    }

    @Test
    void narrowingAndWideningTheLimitTakesEffectForWaiters() {
        InflightWindow window = new InflightWindow(3);
        int[] granted = new int[1];
        for (int i = 0; i < 6; i++) {
            window.acquire().subscribe(null, null, () -> granted[0]++);
        }
        assertThat(granted[0]).isEqualTo(3);
        window.setLimit(1);
        window.release(1);
        assertThat(granted[0]).isEqualTo(3);
        assertThat(window.used()).isEqualTo(2);
        window.setLimit(5);
        assertThat(granted[0]).isEqualTo(6);
    }

    @Test
    void aCancelledWaiterDoesNotKeepAPermit() {
        InflightWindow window = new InflightWindow(1);
        window.acquire().subscribe();
        Disposable waiting = window.acquire().subscribe();
        int[] granted = new int[1];
        waiting.dispose();
        window.acquire().subscribe(null, null, () -> granted[0]++);

        window.release(1);

        assertThat(granted[0]).isEqualTo(1);
        assertThat(window.used()).isEqualTo(1);
    }
}
