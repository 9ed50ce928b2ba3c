package io.dlmsgateway.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    @Test
    void doublesFromTheMinimumUpToTheMaximum() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0, () -> 0.5);
        assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(63)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(Long.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitterSpreadsWithinItsFractionAndNeverPastTheMaximum() {
        ReconnectBackoff low = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 0.5, () -> 0.0);
        ReconnectBackoff high = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 0.5,
                () -> Math.nextDown(1.0));
        assertThat(low.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(high.delay(1)).isEqualTo(Duration.ofSeconds(3));
        assertThat(high.delay(3)).isEqualTo(Duration.ofSeconds(8));
        ReconnectBackoff random = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 0.5,
                () -> ThreadLocalRandom.current().nextDouble());
        for (int i = 0; i < 1_000; i++) {
            assertThat(random.delay(2)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(6));
        }
    }
}
