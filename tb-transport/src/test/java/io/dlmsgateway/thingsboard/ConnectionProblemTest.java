package io.dlmsgateway.thingsboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Why a transport is not connected, told apart as an operator fixes it: a wrong access token, nothing listening, a
 * host name that does not resolve; and gone once it connects.
 */
class ConnectionProblemTest {

    private static ThingsBoardSettings.Builder settings(String host, int port, String token) {
        return ThingsBoardSettings.builder().host(host).port(port).accessToken(token)
                .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(500))
                .sessionLimitsTimeout(Duration.ZERO).closeTimeout(Duration.ofSeconds(2));
    }

    private static ConnectionProblem awaitProblem(ThingsBoardTransport transport) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Optional<ConnectionProblem> problem = transport.connectionProblem();
        while (problem.isEmpty()) {
            assertThat(System.nanoTime()).as("a connection problem within 20 s").isLessThan(deadline);
            Thread.sleep(20);
            problem = transport.connectionProblem();
        }
        return problem.get();
    }

    @Test
    void aWrongAccessTokenIsAnAuthenticationProblemAndGoesOnceTheTokenIsRight() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.builder().requireUsername("RIGHT_TOKEN").start()) {
            ThingsBoardTransport wrong = ThingsBoardTransport.create(settings("127.0.0.1", broker.port(), "WRONG")
                    .build());
            try {
                wrong.start();
                ConnectionProblem problem = awaitProblem(wrong);
                assertThat(problem.kind()).isEqualTo(ConnectionProblem.Kind.AUTHENTICATION_REFUSED);
                assertThat(problem.describe()).startsWith("authentication refused (CONNACK ")
                        .contains("access token");
            } finally {
                wrong.close().block(Duration.ofSeconds(10));
            }
            ThingsBoardTransport right = ThingsBoardTransport.create(settings("127.0.0.1", broker.port(),
                    "RIGHT_TOKEN").build());
            try {
                right.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!right.isConnected()) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                assertThat(right.connectionProblem()).isEmpty();
            } finally {
                right.close().block(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void nothingListeningIsARefusedConnectionInPlainWords() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ThingsBoardTransport transport = ThingsBoardTransport.create(settings("127.0.0.1", port, "T").build());
        try {
            transport.start();
            ConnectionProblem problem = awaitProblem(transport);
            assertThat(problem.kind()).isEqualTo(ConnectionProblem.Kind.CONNECTION_REFUSED);
            assertThat(problem.describe()).contains("thingsboard.port").doesNotContain("finishConnect")
                    .doesNotContain("AnnotatedConnectException");
        } finally {
            transport.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aHostNameThatDoesNotResolveIsSaidSo() throws Exception {
        ThingsBoardTransport transport = ThingsBoardTransport.create(settings("no-such-host.invalid", 1883, "T")
                .build());
        try {
            transport.start();
            ConnectionProblem problem = awaitProblem(transport);
            assertThat(problem.kind()).isEqualTo(ConnectionProblem.Kind.HOST_UNKNOWN);
            assertThat(problem.describe()).contains("no-such-host.invalid").contains("thingsboard.host");
        } finally {
            transport.close().block(Duration.ofSeconds(10));
        }
    }
}
