package io.dlmsgateway.thingsboard;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.resources.GatewayResources;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The gateway shares one group of event loops between the meters and the MQTT client. The HiveMQ client picks its
 * socket type once per JVM (epoll when Netty's native epoll loads, as it does with the gateway's class path), so a
 * host application that hands in loops of the other kind must hear it at once, not at the first connect.
 */
class SharedEventLoopsTest {

    @Test
    void aNioGroupForTheMqttClientIsRefusedWhereTheClientUsesEpoll() throws Exception {
        Assumptions.assumeTrue(SocketTransport.nativeAvailable(), "native epoll not available here");
        NioEventLoopGroup nio = new NioEventLoopGroup(1);
        try {
            ThingsBoardSettings settings = ThingsBoardSettings.builder().host("127.0.0.1").port(1883)
                    .accessToken("token").resources(GatewayResources.shared(nio)).build();
            assertThatThrownBy(() -> ThingsBoardTransport.create(settings))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("eventLoopGroup")
                    .hasMessageContaining("EpollEventLoopGroup")
                    .hasMessageContaining("-Dio.netty.transport.noNative=true");
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
