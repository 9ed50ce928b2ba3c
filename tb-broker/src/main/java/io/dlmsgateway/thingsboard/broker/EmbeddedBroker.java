package io.dlmsgateway.thingsboard.broker;

import io.moquette.broker.ISslContextCreator;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.InterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptConnectionLostMessage;
import io.moquette.interception.messages.InterceptDisconnectMessage;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process MQTT 3.1.1 broker (Moquette, in memory) on a loopback port, that can be stopped and started again on
 * the same port to simulate an outage. The port speaks plain TCP, or TLS only when {@link Builder#tls} is given (as
 * ThingsBoard's 8883), optionally requiring a client certificate (ThingsBoard's X.509 device authentication). Start,
 * stop and restart block the calling thread (binding and releasing the port, about two seconds to stop): never call
 * them on an event loop.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.builder().port(0).listener(myListener).start()) {
 *     int port = broker.port();
 *     ...
 *     broker.stop();
 *     broker.restart();
 * }
 * }</pre>
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    /** ThingsBoard's default {@code NETTY_MAX_PAYLOAD_SIZE}, applied as the broker's maximum remaining length. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 65_536;

    private final String host;
    private final int maxMessageSize;
    private final BrokerListener listener;
    /** Server TLS context, {@code null} for plain TCP; built once, reused by restarts. */
    private final SslContext sslContext;
    private final boolean clientCertificateRequired;
    /** The only MQTT user name (ThingsBoard: the gateway's access token) accepted; null accepts anyone. */
    private final String requiredUsername;
    private int port;
    private Server server;

    private EmbeddedBroker(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.maxMessageSize = b.maxMessageSize;
        this.listener = b.listener;
        this.sslContext = b.keyStore == null ? null : serverSslContext(b);
        this.clientCertificateRequired = b.trustStore != null;
        this.requiredUsername = b.requiredUsername;
    }

    /**
     * Built here rather than by Moquette from its {@code jks_path} properties: Moquette logs a bad key store and
     * starts without the TLS port, and it can only trust the broker's own key store for client certificates.
     */
    private static SslContext serverSslContext(Builder b) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(b.keyStore, b.keyStorePassword), b.keyStorePassword);
            SslContextBuilder context = SslContextBuilder.forServer(keys).sslProvider(SslProvider.JDK);
            if (b.trustStore != null) {
                TrustManagerFactory trust =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(b.trustStore, b.trustStorePassword));
                context.trustManager(trust).clientAuth(ClientAuth.REQUIRE);
            }
            return context.build();
        } catch (SSLException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot serve TLS with key store " + b.keyStore
                    + (b.trustStore != null ? " and trust store " + b.trustStore : "") + ": " + e.getMessage(), e);
        }
    }

    /** PKCS12 or JKS, told apart by the JDK from the content. */
    private static KeyStore load(Path file, char[] password) throws GeneralSecurityException {
        try {
            return KeyStore.getInstance(file.toFile(), password);
        } catch (IOException e) {
            // a wrong password is reported as an I/O error too: its message says which
            throw new UncheckedIOException("cannot read key store " + file + ": " + e.getMessage(), e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a broker on 127.0.0.1 and the given port, 0 for a free one. */
    public static EmbeddedBroker start(int port) {
        return builder().port(port).start();
    }

    /** Host the broker binds to. */
    public String host() {
        return host;
    }

    /** The bound port (the one chosen by the system when started with port 0). */
    public synchronized int port() {
        return port;
    }

    /** Whether the port speaks TLS rather than plain TCP. */
    public boolean isTls() {
        return sslContext != null;
    }

    /** Whether TLS clients must present a certificate trusted by the broker's trust store. */
    public boolean requiresClientCertificate() {
        return clientCertificateRequired;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    private synchronized EmbeddedBroker startServer() {
        if (server != null) {
            return this;
        }
        if (port == 0) {
            // Moquette reports a port it bound itself asynchronously (getPort() can still say 0 right after start),
            // and a restart must reuse the port anyway: pick a free one up front
            port = freePort(host);
        } else {
            // Moquette logs a port in use as an ERROR with its stack trace and starts without a listener; say it
            // in one sentence instead, before Moquette tries
            requireFree(host, port);
        }
        Properties props = new Properties();
        props.setProperty("host", host);
        if (sslContext == null) {
            props.setProperty("port", Integer.toString(port));
        } else {
            props.setProperty("port", "disabled");
            props.setProperty("ssl_port", Integer.toString(port));
            // Moquette's acceptor asks the SSL engine for client authentication from this property
            props.setProperty("need_client_auth", Boolean.toString(clientCertificateRequired));
        }
        props.setProperty("allow_anonymous", Boolean.toString(requiredUsername == null));
        props.setProperty("persistence_enabled", "false");
        // Moquette can report usage to its authors over the network: never from here
        props.setProperty("telemetry_enabled", "false");
        props.setProperty("netty.native", "false");
        props.setProperty("netty.mqtt.message_size", Integer.toString(maxMessageSize));
        props.setProperty("buffer_flush_millis", "immediate");
        Server started = new Server();
        ISslContextCreator tls = sslContext == null ? null : () -> sslContext;
        try {
            // without a required user name: anonymous access to every topic, as with the two-argument start; with one,
            // any other is refused with CONNACK "bad user name or password", as ThingsBoard refuses a wrong token
            IAuthenticator authenticator = requiredUsername == null ? null
                    : (clientId, username, password) -> requiredUsername.equals(username);
            started.startServer(new MemoryConfig(props), List.<InterceptHandler>of(new Interceptor()), tls,
                    authenticator, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded MQTT broker on " + host + ':' + port, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start the embedded MQTT broker on " + host + ':' + port, e);
        }
        server = started;
        LOG.info("Embedded MQTT broker listening on {}:{}{}", host, port, sslContext == null ? ""
                : clientCertificateRequired ? " (TLS, client certificate required)" : " (TLS)");
        return this;
    }

    private static void requireFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getByName(host), port), 1);
        } catch (java.net.BindException e) {
            throw new IllegalStateException("cannot start the embedded MQTT broker: " + host + ":" + port
                    + " is in use (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded MQTT broker on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    /** Stops the broker and releases its port; every client connection is dropped. Idempotent. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stopServer();
        server = null;
        LOG.info("Embedded MQTT broker on {}:{} stopped", host, port);
    }

    /** Starts the broker again on the port it had (it forgets sessions and subscriptions). */
    public synchronized void restart() {
        stop();
        startServer();
    }

    /** Publishes a message from the broker itself to the subscribers of {@code topic}, at QoS 1. */
    public synchronized void publish(String topic, byte[] payload) {
        if (server == null) {
            throw new IllegalStateException("broker not running");
        }
        server.internalPublish(MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(MqttQoS.AT_LEAST_ONCE)
                .retained(false)
                .payload(Unpooled.wrappedBuffer(payload))
                .build(), "embedded-broker");
    }

    @Override
    public void close() {
        stop();
    }

    /** Bridges Moquette's interceptor to {@link BrokerListener} and releases the payloads Moquette hands it. */
    private final class Interceptor extends AbstractInterceptHandler {

        @Override
        public String getID() {
            return "embedded-broker-listener";
        }

        @Override
        public void onConnect(InterceptConnectMessage msg) {
            listener.onConnect(msg.getClientID(), msg.getUsername());
        }

        @Override
        public void onDisconnect(InterceptDisconnectMessage msg) {
            listener.onDisconnect(msg.getClientID());
        }

        @Override
        public void onConnectionLost(InterceptConnectionLostMessage msg) {
            listener.onDisconnect(msg.getClientID());
        }

        @Override
        public void onPublish(InterceptPublishMessage msg) {
            ByteBuf payload = msg.getPayload();
            try {
                byte[] copy = ByteBufUtil.getBytes(payload, payload.readerIndex(), payload.readableBytes(), true);
                listener.onPublish(msg.getClientID(), msg.getUsername(), msg.getTopicName(), copy);
            } catch (RuntimeException e) {
                LOG.warn("Broker listener failed on a message to {}", msg.getTopicName(), e);
            } finally {
                // Moquette hands each interceptor its own retained duplicate
                super.onPublish(msg);
            }
        }

        @Override
        public void onSessionLoopError(Throwable error) {
            LOG.warn("Embedded MQTT broker session loop error", error);
        }
    }

    /** Builder of {@link EmbeddedBroker}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private BrokerListener listener = new BrokerListener() { };
        private Path keyStore;
        private char[] keyStorePassword;
        private Path trustStore;
        private char[] trustStorePassword;
        private String requiredUsername;

        private Builder() {
        }

        /**
         * Accepts only clients that connect with this MQTT user name (what ThingsBoard checks as the gateway device's
         * access token); others get CONNACK "bad user name or password". Anyone is accepted unless set.
         */
        public Builder requireUsername(String value) {
            this.requiredUsername = Objects.requireNonNull(value, "value");
            return this;
        }

        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** Port to bind; 0 (default) picks a free one, kept across restarts. */
        public Builder port(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("port out of range: " + value);
            }
            this.port = value;
            return this;
        }

        /** Largest MQTT remaining length accepted; larger messages close the client's connection, as ThingsBoard. */
        public Builder maxMessageSize(int value) {
            this.maxMessageSize = value;
            return this;
        }

        public Builder listener(BrokerListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /**
         * Serves TLS instead of plain TCP on the port, with the private key and certificate chain of the key store's
         * key entry (a single one: the JDK key manager picks any). The key password must be the store password.
         *
         * @param keyStoreFile PKCS12 or JKS key store
         * @param password     its store and key password
         */
        public Builder tls(Path keyStoreFile, String password) {
            this.keyStore = Objects.requireNonNull(keyStoreFile, "keyStoreFile");
            this.keyStorePassword = Objects.requireNonNull(password, "password").toCharArray();
            return this;
        }

        /**
         * Requires TLS clients to present a certificate chaining to a trusted certificate of {@code trustStoreFile};
         * the handshake of any other client fails. Needs {@link #tls}.
         *
         * @param trustStoreFile PKCS12 or JKS store of trusted certificates
         * @param password       its store password
         */
        public Builder requireClientCertificate(Path trustStoreFile, String password) {
            this.trustStore = Objects.requireNonNull(trustStoreFile, "trustStoreFile");
            this.trustStorePassword = Objects.requireNonNull(password, "password").toCharArray();
            return this;
        }

        /** Builds and starts the broker. */
        public EmbeddedBroker start() {
            if (trustStore != null && keyStore == null) {
                throw new IllegalStateException("a client certificate can only be required with TLS");
            }
            return new EmbeddedBroker(this).startServer();
        }
    }
}
