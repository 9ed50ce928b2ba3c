package io.dlmsgateway.testing;

import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The check can fail: blocking on a real NioEventLoop is reported, blocking elsewhere is not. */
class BlockHoundExtensionTest {

    private static NioEventLoopGroup group;

    @BeforeAll
    static void start() {
        group = new NioEventLoopGroup(1);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void sleepingOnAnEventLoopIsReported() {
        EventLoop loop = group.next();

        Future<?> task = loop.submit(() -> {
            Thread.sleep(1);
            return null;
        });

        // the error surfaces in the task's future, in the event loop's thread ...
        assertThat(task.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
        assertThat(task.cause()).isInstanceOf(BlockingOperationError.class)
                .hasMessageContaining("java.lang.Thread.sleep");
        // ... and is recorded, so afterEach fails the test even when Netty swallows the error; the check clears what
        // it reports, so this deliberate block leaves the suite green
        assertThatThrownBy(BlockHoundExtension::verifyNoBlockingCalls)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 blocking call")
                .hasMessageContaining("nioEventLoopGroup")
                .hasMessageContaining("sleepingOnAnEventLoopIsReported");
    }

    @Test
    void blockingInsideATaskThatNettySwallowsIsStillReported() {
        EventLoop loop = group.next();

        // execute(): no future to carry the error, Netty only logs what the task threw
        loop.execute(() -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loop.submit(() -> { }).awaitUninterruptibly(5, TimeUnit.SECONDS);

        assertThatThrownBy(BlockHoundExtension::verifyNoBlockingCalls)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("java.lang.Thread.sleep");
    }

    @Test
    void blockingOnTheTestThreadIsAllowed() throws InterruptedException {
        Thread.sleep(1);

        assertThatCode(BlockHoundExtension::verifyNoBlockingCalls).doesNotThrowAnyException();
    }
}
