package io.dlmsgateway.thingsboard;

import static io.dlmsgateway.thingsboard.ThingsBoardStandIn.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dlmsgateway.thingsboard.ThingsBoardStandIn.Message;
import io.dlmsgateway.thingsboard.broker.BrokerListener;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import io.dlmsgateway.thingsboard.internal.HiveMqThingsBoardTransport;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * TLS to ThingsBoard's port 8883 end to end: the transport against the embedded broker serving TLS on loopback, with
 * keys and certificates made at test time ({@link TestPki}).
 */
class ThingsBoardTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration REFUSAL = Duration.ofSeconds(5);

    @TempDir
    static Path dir;

    private static TestPki pki;
    /** One-way TLS, certificate for 127.0.0.1 and localhost. */
    private static Broker tlsBroker;
    /** TLS requiring a client certificate signed by the test CA. */
    private static Broker x509Broker;
    /** One-way TLS, certificate for the name localhost only. */
    private static Broker localhostOnlyBroker;

    private final List<ThingsBoardTransport> transports = new ArrayList<>();
    private ListAppender<ILoggingEvent> log;

    /** An embedded broker and what it saw. */
    private record Broker(EmbeddedBroker broker, List<Message> connects, List<Message> published) {

        static Broker start(EmbeddedBroker.Builder builder) {
            List<Message> connects = new CopyOnWriteArrayList<>();
            List<Message> published = new CopyOnWriteArrayList<>();
            EmbeddedBroker broker = builder.port(0).listener(new BrokerListener() {
                @Override
                public void onConnect(String clientId, String username) {
                    connects.add(new Message(clientId, username, null, new byte[0]));
                }

                @Override
                public void onPublish(String clientId, String username, String topic, byte[] payload) {
                    published.add(new Message(clientId, username, topic, payload));
                }
            }).start();
            return new Broker(broker, connects, published);
        }

        List<Message> publishedBy(String clientId) {
            return published.stream().filter(m -> m.clientId().equals(clientId)).toList();
        }

        boolean sawClient(String clientId) {
            return connects.stream().anyMatch(m -> m.clientId().equals(clientId)) || !publishedBy(clientId).isEmpty();
        }
    }

    @BeforeAll
    static void startBrokers() throws Exception {
        pki = TestPki.create(dir);
        tlsBroker = Broker.start(EmbeddedBroker.builder().tls(pki.brokerKeyStore, TestPki.PASSWORD));
        x509Broker = Broker.start(EmbeddedBroker.builder()
                .tls(pki.brokerKeyStore, TestPki.PASSWORD)
                .requireClientCertificate(pki.brokerTrustStore, TestPki.PASSWORD));
        localhostOnlyBroker =
                Broker.start(EmbeddedBroker.builder().tls(pki.localhostOnlyBrokerKeyStore, TestPki.PASSWORD));
    }

    @AfterAll
    static void stopBrokers() {
        // each stop waits out Netty's quiet period: in parallel
        Stream.of(tlsBroker, x509Broker, localhostOnlyBroker).parallel()
                .filter(b -> b != null)
                .forEach(b -> b.broker().close());
    }

    @BeforeEach
    void captureTransportLog() {
        log = new ListAppender<>();
        log.start();
        transportLogger().addAppender(log);
    }

    @AfterEach
    void closeTransports() {
        transports.forEach(t -> t.close().block(WAIT));
        transportLogger().detachAppender(log);
        assertThat(transports).allSatisfy(t -> assertThat(t.connectionStates().blockLast(WAIT))
                .isEqualTo(ConnectionState.CLOSED));
    }

    private static Logger transportLogger() {
        return (Logger) LoggerFactory.getLogger(HiveMqThingsBoardTransport.class);
    }

    private static ThingsBoardSettings.Builder settings(String host, Broker broker, String clientId) {
        return ThingsBoardSettings.builder()
                .host(host)
                .port(broker.broker().port())
                .clientId(clientId)
                .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(500))
                .sessionLimitsTimeout(Duration.ZERO)
                .closeTimeout(Duration.ofSeconds(2));
    }

    private ThingsBoardTransport started(ThingsBoardSettings settings) {
        ThingsBoardTransport transport = ThingsBoardTransport.create(settings);
        transports.add(transport);
        transport.start();
        return transport;
    }

    private static void awaitConnected(ThingsBoardTransport transport) {
        transport.connectionStates().filter(s -> s == ConnectionState.CONNECTED).blockFirst(WAIT);
    }

    private static TelemetryAck<String> publishOneBatch(ThingsBoardTransport transport, String device) {
        return transport.publishTelemetry(Flux.just(new TelemetryBatch<>(List.of(
                new DeviceTelemetry(device, "DLMS", 1_700_000_000_000L, Map.of("voltage_l1", 230.4))), device)))
                .blockLast(WAIT);
    }

    /** The warnings logged about connection attempts to {@code broker}. */
    private List<String> connectWarnings(Broker broker) {
        return log.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains(":" + broker.broker().port() + " ") || m.contains(":" + broker.broker().port()
                        + ": "))
                .toList();
    }

    /**
     * Waits for the transport's first failed attempt and checks that it did not connect: still CONNECTING, the
     * broker never saw it, and the warning says why.
     */
    private String awaitRefusal(ThingsBoardTransport transport, Broker broker, String clientId) {
        await(REFUSAL, () -> !connectWarnings(broker).isEmpty());
        assertThat(transport.isConnected()).isFalse();
        assertThat(transport.connectionStates().blockFirst(WAIT)).isEqualTo(ConnectionState.CONNECTING);
        assertThat(broker.sawClient(clientId)).isFalse();
        return connectWarnings(broker).get(0);
    }

    @Test
    void accessTokenOverOneWayTlsTrustingTheCaFromAPemFile() {
        ThingsBoardTransport transport = started(settings("127.0.0.1", tlsBroker, "gw-tls-token")
                .accessToken("tls-token")
                .tls(TlsSettings.trusting(pki.caPem))
                .build());
        awaitConnected(transport);

        TelemetryAck<String> ack = publishOneBatch(transport, "Meter-TLS-1");

        assertThat(ack.isSuccess()).isTrue();
        await(WAIT, () -> tlsBroker.publishedBy("gw-tls-token").size() == 2);
        assertThat(tlsBroker.publishedBy("gw-tls-token"))
                .extracting(Message::topic).containsExactly("v1/gateway/connect", "v1/gateway/telemetry");
        assertThat(tlsBroker.publishedBy("gw-tls-token")).extracting(Message::username).containsOnly("tls-token");
        assertThat(tlsBroker.publishedBy("gw-tls-token").get(1).json().path("Meter-TLS-1").get(0)
                .path("values").path("voltage_l1").asDouble()).isEqualTo(230.4);
        assertThat(connectWarnings(tlsBroker)).isEmpty();
    }

    @Test
    void x509ClientCertificateAndPkcs8KeyFromPemFilesAuthenticateWithoutUserName() {
        ThingsBoardTransport transport = started(settings("127.0.0.1", x509Broker, "gw-x509")
                .credentials(Credentials.x509())
                .tls(TlsSettings.clientCertificate(pki.caPem, pki.clientCertPem, pki.clientKeyPem))
                .build());
        awaitConnected(transport);

        TelemetryAck<String> ack = publishOneBatch(transport, "Meter-X509-1");

        assertThat(ack.isSuccess()).isTrue();
        await(WAIT, () -> x509Broker.publishedBy("gw-x509").size() == 2);
        assertThat(x509Broker.connects).anySatisfy(c -> {
            assertThat(c.clientId()).isEqualTo("gw-x509");
            assertThat(c.username()).isNull();
        });
        assertThat(x509Broker.publishedBy("gw-x509").get(1).topic()).isEqualTo("v1/gateway/telemetry");
    }

    @Test
    void aBrokerRequiringClientCertificatesRefusesATransportWithout() {
        ThingsBoardTransport transport = started(settings("127.0.0.1", x509Broker, "gw-no-cert")
                .accessToken("token-without-cert")
                .tls(TlsSettings.trusting(pki.caPem))
                .build());

        String warning = awaitRefusal(transport, x509Broker, "gw-no-cert");

        // the JDK server answers a missing certificate with this alert (TLS 1.3 would allow certificate_required)
        assertThat(warning).contains("TLS: Received fatal alert: bad_certificate")
                .contains("the server refused the client certificate, or requires one");
    }

    @Test
    void doesNotConnectToABrokerWhoseCertificateTheConfiguredCaDidNotSign() {
        ThingsBoardTransport transport = started(settings("127.0.0.1", tlsBroker, "gw-wrong-ca")
                .accessToken("token")
                .tls(TlsSettings.trusting(pki.otherCaPem))
                .build());
        List<TelemetryAck<String>> acks = new CopyOnWriteArrayList<>();
        transport.publishTelemetry(Flux.just(new TelemetryBatch<>(List.of(
                new DeviceTelemetry("Meter-never", null, 1, Map.of("x", 1))), "never"))).subscribe(acks::add);

        String warning = awaitRefusal(transport, tlsBroker, "gw-wrong-ca");

        assertThat(warning).contains("127.0.0.1:" + tlsBroker.broker().port())
                .contains("TLS: PKIX path building failed")
                .contains("does not chain to a CA certificate of the TLS CA file");
        // retried with backoff (100 to 500 ms here), never getting through
        sleep(Duration.ofSeconds(1));
        assertThat(transport.connectionStates().blockFirst(WAIT)).isEqualTo(ConnectionState.CONNECTING);
        assertThat(tlsBroker.sawClient("gw-wrong-ca")).isFalse();
        assertThat(acks).isEmpty();
        assertThat(transport.statistics().messagesSent()).isZero();
        assertThat(connectWarnings(tlsBroker)).hasSize(1);
    }

    @Test
    void theBrokerRefusesToStartWithoutAUsableKeyStoreRatherThanWithoutItsTlsPort() {
        assertThatThrownBy(() -> EmbeddedBroker.builder().tls(pki.brokerKeyStore, "wrong password").start())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(pki.brokerKeyStore.toString())
                .hasMessageContaining("password");
        assertThatThrownBy(() -> EmbeddedBroker.builder()
                .requireClientCertificate(pki.brokerTrustStore, TestPki.PASSWORD).start())
                .isInstanceOf(IllegalStateException.class);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The HiveMQ client verifies the server's name as HTTPS does (endpoint identification "HTTPS") unless given a
     * hostname verifier: an IP address must be an IP subject alternative name, a DNS SAN does not cover it.
     */
    @Test
    void verifiesTheServerNameAgainstTheCertificatesSubjectAlternativeNames() {
        ThingsBoardTransport byAddress = started(settings("127.0.0.1", localhostOnlyBroker, "gw-by-address")
                .accessToken("token")
                .tls(TlsSettings.trusting(pki.caPem))
                .build());
        String warning = awaitRefusal(byAddress, localhostOnlyBroker, "gw-by-address");
        assertThat(warning).contains("TLS: No subject alternative names matching IP address 127.0.0.1 found")
                .contains("not issued for this host name or IP address");

        ThingsBoardTransport byName = started(settings("localhost", localhostOnlyBroker, "gw-by-name")
                .accessToken("token")
                .tls(TlsSettings.trusting(pki.caPem))
                .build());
        awaitConnected(byName);
        assertThat(publishOneBatch(byName, "Meter-by-name").isSuccess()).isTrue();
    }
}
