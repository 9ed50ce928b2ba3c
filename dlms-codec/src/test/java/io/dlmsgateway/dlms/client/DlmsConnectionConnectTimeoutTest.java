package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connect timeout is the connection's own, not Netty's (whose task stays on the channel for its life): a meter
 * whose TCP handshake never completes still fails at the timeout, with the same reason and cause as before.
 */
class DlmsConnectionConnectTimeoutTest {

    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        group = new NioEventLoopGroup(1);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aHandshakeThatNeverCompletesFailsAtTheConnectTimeout() throws IOException {
        // a listener that never accepts, its accept queue filled: Linux then drops further SYNs, so a connect hangs
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    SocketChannel filler = SocketChannel.open();
                    fillers.add(filler);
                    filler.configureBlocking(false);
                    filler.connect(address);
                }
                DlmsClientSettings settings = DlmsClientSettings.builder().connectTimeout(Duration.ofMillis(300))
                        .build();

                assertThatThrownBy(() -> DlmsConnection.open(group, address, settings, "meter-0").join())
                        .isInstanceOf(CompletionException.class)
                        .cause()
                        .isInstanceOf(DlmsConnectionException.class)
                        .hasMessageContaining("no TCP connection to " + address.getHostString() + ":"
                                + address.getPort() + " within 300 ms")
                        .cause()
                        .isInstanceOf(ConnectTimeoutException.class)
                        .hasMessage("connection timed out after 300 ms: " + address);
            } finally {
                for (SocketChannel filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void aRefusedConnectIsReportedAsRefusedNotAsATimeout() throws IOException {
        // nothing listens once the listener is closed: refused at once, which the deadline must leave as it is
        InetSocketAddress address;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            address = (InetSocketAddress) closed.getLocalSocketAddress();
        }
        DlmsClientSettings settings = DlmsClientSettings.builder().connectTimeout(Duration.ofMillis(300)).build();

        assertThatThrownBy(() -> DlmsConnection.open(group, address, settings, "meter-0").join())
                .cause()
                .isInstanceOf(DlmsConnectionException.class)
                .hasMessageContaining("connection refused by")
                .cause()
                .isNotInstanceOf(ConnectTimeoutException.class);
    }
}
