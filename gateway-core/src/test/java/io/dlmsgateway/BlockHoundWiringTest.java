package io.dlmsgateway;

import io.dlmsgateway.testing.BlockHoundExtension;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * This module's tests run under BlockHound: the dlms-codec test-jar's extension is autodetected here too (its
 * service file travels in the test-jar, autodetection is enabled in this module's junit-platform.properties).
 */
class BlockHoundWiringTest {

    @Test
    void blockingOnAnEventLoopFailsTestsOfThisModule() {
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Future<?> task = group.submit(() -> {
                Thread.sleep(1);
                return null;
            });

            assertThat(task.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cause()).isInstanceOf(BlockingOperationError.class);
            assertThatThrownBy(BlockHoundExtension::verifyNoBlockingCalls).hasMessageContaining("Thread.sleep");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
