package io.dlmsgateway.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

class ConnectionAttemptLimiterTest {

    @Test
    void runsAtMostTheCapAtOnceAndTheRestInArrivalOrder() {
        ConnectionAttemptLimiter limiter = new ConnectionAttemptLimiter(2);
        List<Sinks.One<String>> attempts = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        List<String> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            Sinks.One<String> attempt = Sinks.one();
            attempts.add(attempt);
            limiter.limit(attempt.asMono().doOnSubscribe(s -> started.add(n)))
                    .subscribe(results::add, e -> results.add(e.getMessage()));
        }
        assertThat(started).containsExactly(0, 1);
        assertThat(limiter.waiting()).isEqualTo(3);

        attempts.get(1).tryEmitValue("one");
        assertThat(started).containsExactly(0, 1, 2);
        attempts.get(0).tryEmitError(new IllegalStateException("refused"));
        assertThat(started).containsExactly(0, 1, 2, 3);
        attempts.get(2).tryEmitEmpty();
        attempts.get(3).tryEmitValue("three");
        attempts.get(4).tryEmitValue("four");
        assertThat(results).containsExactly("one", "refused", "three", "four");
        assertThat(limiter.running()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void aCancelledAttemptGivesItsPlaceBackWhetherWaitingOrRunning() {
        ConnectionAttemptLimiter limiter = new ConnectionAttemptLimiter(1);
        AtomicInteger cancelledWhileRunning = new AtomicInteger();
        Disposable running = limiter.limit(Mono.never().doOnCancel(cancelledWhileRunning::incrementAndGet))
                .subscribe();
        Disposable waiting = limiter.limit(Mono.just("never started")).subscribe();
        List<String> third = new ArrayList<>();
        limiter.limit(Mono.just("third")).subscribe(third::add);

        waiting.dispose();
        assertThat(limiter.waiting()).isEqualTo(1);
        running.dispose();
        assertThat(cancelledWhileRunning).hasValue(1);
        assertThat(third).containsExactly("third");
        assertThat(limiter.running()).isZero();
    }

    @Test
    void holdsUnderConcurrentUse() {
        ConnectionAttemptLimiter limiter = new ConnectionAttemptLimiter(3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        Long done = Flux.range(0, 2_000)
                .flatMap(i -> limiter.limit(Mono.fromCallable(() -> {
                            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            return i;
                        })
                        .delayElement(Duration.ofNanos(i % 7 * 1000), Schedulers.parallel())
                        // before the signal travels on: the limiter hands the place on as the signal passes it
                        .doOnTerminate(inside::decrementAndGet))
                        .subscribeOn(Schedulers.parallel()), 256)
                .count()
                .block(Duration.ofSeconds(30));
        assertThat(done).isEqualTo(2_000);
        assertThat(mostInside.get()).isBetween(1, 3);
        // the last permit comes back just after the last value went by
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (limiter.running() != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(limiter.running()).isZero();
    }
}
