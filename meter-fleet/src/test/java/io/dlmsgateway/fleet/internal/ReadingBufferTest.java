package io.dlmsgateway.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.fleet.MeterReading;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class ReadingBufferTest {

    private static MeterReading reading(int n) {
        return new MeterReading("m" + n, Instant.EPOCH, Instant.EPOCH,
                Duration.ZERO, Map.of(), List.of());
    }

    @Test
    void holdsAtMostItsCapacityAndDeliversOnlyWhatIsRequested() {
        ReadingBuffer buffer = new ReadingBuffer(3);
        for (int i = 0; i < 3; i++) {
            assertThat(buffer.tryReserve()).isTrue();
            buffer.emit(reading(i));
        }
        assertThat(buffer.tryReserve()).isFalse();

        StepVerifier.create(buffer.flux(), 0)
                .thenRequest(2)
                .expectNextMatches(r -> r.meter().equals("m0"))
                .expectNextMatches(r -> r.meter().equals("m1"))
                .then(() -> {
                    // two places freed by delivery, one still taken by m2
                    assertThat(buffer.tryReserve()).isTrue();
                    assertThat(buffer.tryReserve()).isTrue();
                    assertThat(buffer.tryReserve()).isFalse();
                    buffer.emit(reading(3));
                    buffer.cancelReservation();
                    buffer.complete();
                })
                .thenRequest(5)
                .expectNextMatches(r -> r.meter().equals("m2"))
                .expectNextMatches(r -> r.meter().equals("m3"))
                .verifyComplete();
    }

    @Test
    void allowsOneSubscriberAtATimeAndKeepsWhatTheLastOneLeft() {
        ReadingBuffer buffer = new ReadingBuffer(10);
        buffer.tryReserve();
        buffer.emit(reading(0));
        buffer.tryReserve();
        buffer.emit(reading(1));
        StepVerifier.create(buffer.flux(), 1)
                .expectNextCount(1)
                .then(() -> StepVerifier.create(buffer.flux()).expectError(IllegalStateException.class).verify())
                .thenCancel()
                .verify();
        StepVerifier.create(buffer.flux(), 1)
                .expectNextMatches(r -> r.meter().equals("m1"))
                .thenCancel()
                .verify();
    }

    @Test
    void manyProducersOneSubscriberNothingLostOrDuplicated() throws Exception {
        ReadingBuffer buffer = new ReadingBuffer(64);
        AtomicInteger received = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        buffer.flux().subscribe(r -> received.incrementAndGet());
        int producers = 4;
        int each = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        CountDownLatch done = new CountDownLatch(producers);
        for (int p = 0; p < producers; p++) {
            pool.execute(() -> {
                for (int i = 0; i < each; i++) {
                    if (buffer.tryReserve()) {
                        buffer.emit(reading(i));
                    } else {
                        skipped.incrementAndGet();
                    }
                }
                done.countDown();
            });
        }
        done.await();
        pool.shutdown();
        assertThat(received.get() + skipped.get()).isEqualTo(producers * each);
        assertThat(buffer.queued()).isZero();
        assertThat(List.of(buffer.tryReserve())).containsExactly(true);
    }
}
