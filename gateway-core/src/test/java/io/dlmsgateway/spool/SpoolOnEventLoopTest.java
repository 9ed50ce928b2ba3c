package io.dlmsgateway.spool;

import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every spool call an event loop makes returns at once and blocks nothing: the test suite's BlockHoundExtension
 * (dlms-codec test-jar, with Netty's integration marking event-loop threads non-blocking) fails the test on any
 * blocking call on the loop.
 */
class SpoolOnEventLoopTest {

    @TempDir
    Path dir;

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void appendBatchesAcknowledgeAndReleaseFromAnEventLoop() throws Exception {
        EventLoop loop = group.next();
        try (Spool spool = Spool.open(SpoolOptions.file(dir))) {
            CountDownLatch appended = new CountDownLatch(1);
            CountDownLatch settled = new CountDownLatch(2);
            loop.execute(() -> spool.append(SpoolFixture.records("m", 0, 4))
                    .subscribe(null, errors::add, appended::countDown));
            assertThat(appended.await(10, TimeUnit.SECONDS)).isTrue();

            loop.execute(() -> spool.batches(2, 1 << 20).subscribe(new BaseSubscriber<>() {
                private int received;

                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    request(1);
                }

                @Override
                protected void hookOnNext(SpooledBatch batch) {
                    // batches arrive on the spool thread; the publisher settles them from its event loop
                    int n = ++received;
                    loop.execute(() -> {
                        spool.statistics();
                        if (n == 1) {
                            spool.release(batch);
                            settled.countDown();
                            request(1);
                        } else {
                            spool.acknowledge(batch).subscribe(null, errors::add, settled::countDown);
                        }
                    });
                }

                @Override
                protected void hookOnError(Throwable error) {
                    errors.add(error);
                }
            }));

            assertThat(settled.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(errors).isEmpty();
            // the released batch came back first and was acknowledged
            assertThat(spool.statistics().redelivered()).isEqualTo(2);
            assertThat(spool.statistics().acknowledged()).isEqualTo(2);
            assertThat(spool.statistics().backlogRecords()).isEqualTo(2);
        }
        assertThat(errors).isEmpty();
    }
}
