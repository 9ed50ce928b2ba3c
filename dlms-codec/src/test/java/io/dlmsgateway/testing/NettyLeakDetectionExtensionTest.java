package io.dlmsgateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NettyLeakDetectionExtensionTest {

    @Test
    void passesWhenEveryBufferIsReleased() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(16).writeInt(42);
        buffer.release();

        assertThatCode(NettyLeakDetectionExtension::verifyNoLeaks).doesNotThrowAnyException();
    }

    @Test
    void detectsABufferThatWasNeverReleased() {
        NettyLeakDetectionExtension.expectingLeaks = true;
        try {
            leakOneBuffer();

            // the same check afterEach runs; it clears what it found, so this deliberate leak leaves the suite green
            assertThatThrownBy(NettyLeakDetectionExtension::verifyNoLeaks)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("LEAK")
                    .hasMessageContaining("leakOneBuffer");
        } finally {
            NettyLeakDetectionExtension.expectingLeaks = false;
        }
    }

    /** Own method so that no stack slot keeps the buffer reachable when the check collects garbage. */
    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
        leaked.writeLong(0x7EA0L).readByte();
    }
}
