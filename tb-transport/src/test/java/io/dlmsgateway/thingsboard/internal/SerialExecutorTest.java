package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lane: one task at a time, in order, on an executor of many threads. */
class SerialExecutorTest {

    @Test
    void runsTasksFromManyThreadsOneAtATimeAndEachThreadsInItsOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService producers = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor lane = new SerialExecutor(pool);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            // plain lists, touched only by lane tasks: the lane's ordering is what makes this safe
            List<List<Integer>> seen = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
            int perProducer = 5_000;
            CountDownLatch done = new CountDownLatch(4 * perProducer);
            for (int p = 0; p < 4; p++) {
                int producer = p;
                producers.execute(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        int seq = i;
                        lane.execute(() -> {
                            if (running.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            seen.get(producer).add(seq);
                            running.decrementAndGet();
                            done.countDown();
                        });
                    }
                });
            }

            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            CountDownLatch last = new CountDownLatch(1);
            lane.execute(last::countDown);
            assertThat(last.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(overlaps).hasValue(0);
            for (List<Integer> fromOneProducer : seen) {
                assertThat(fromOneProducer).hasSize(perProducer).isSorted();
            }
        } finally {
            producers.shutdownNow();
            pool.shutdownNow();
        }
    }

    @Test
    void givesTheThreadBackBetweenLongRunsOfTasks() {
        List<Runnable> submitted = new ArrayList<>();
        SerialExecutor lane = new SerialExecutor(submitted::add);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1_000; i++) {
            lane.execute(ran::incrementAndGet);
        }
        assertThat(submitted).hasSize(1);

        submitted.remove(0).run();

        // one share ran, the rest waits for the executor's next turn, not on this thread
        assertThat(ran.get()).isBetween(1, 999);
        assertThat(submitted).hasSize(1);
        while (!submitted.isEmpty()) {
            submitted.remove(0).run();
        }
        assertThat(ran).hasValue(1_000);
    }

    @Test
    void keepsRunningAfterAFailingTask() {
        List<Runnable> submitted = new ArrayList<>();
        SerialExecutor lane = new SerialExecutor(submitted::add);
        AtomicInteger ran = new AtomicInteger();
        lane.execute(() -> {
            throw new IllegalStateException("expected by the test");
        });
        lane.execute(ran::incrementAndGet);

        // the failure is logged at error level: keep it out of the build output
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) HiveMqThingsBoardTransport.LOG;
        ch.qos.logback.classic.Level level = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.OFF);
        try {
            submitted.remove(0).run();
        } finally {
            log.setLevel(level);
        }
        assertThat(ran).hasValue(1);
    }

    @Test
    void dropsTasksWithoutThrowingOnceTheExecutorRefusesThem() {
        ExecutorService shutDown = Executors.newSingleThreadExecutor();
        shutDown.shutdown();
        SerialExecutor lane = new SerialExecutor(shutDown);
        AtomicInteger ran = new AtomicInteger();

        lane.execute(ran::incrementAndGet);
        lane.execute(ran::incrementAndGet);

        assertThat(ran).hasValue(0);
    }
}
