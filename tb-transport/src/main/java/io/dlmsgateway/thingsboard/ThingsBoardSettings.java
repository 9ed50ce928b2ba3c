package io.dlmsgateway.thingsboard;

import io.dlmsgateway.resources.GatewayResources;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Everything {@link ThingsBoardTransport} needs: where ThingsBoard is, how to authenticate, limits and timeouts, and
 * optionally the host application's threads. Immutable; build one with {@link #builder()}.
 *
 * <p>Limits: {@code maxPayloadSize} bounds the MQTT remaining length of every publish (topic, packet id and JSON
 * payload), which is what ThingsBoard's {@code NETTY_MAX_PAYLOAD_SIZE} (65 536 by default) checks.
 * {@code maxInflight} bounds unacknowledged publishes: it becomes the MQTT client's send maximum, fixed for the
 * connection, and the window of unacknowledged telemetry publishes, which the session limits announced by ThingsBoard
 * may narrow. {@code maxPendingBatches} bounds how many telemetry batches are taken from upstream ahead of their
 * acknowledgement.
 */
public final class ThingsBoardSettings {

    /** ThingsBoard's default maximum MQTT payload size. */
    public static final int DEFAULT_MAX_PAYLOAD_SIZE = 65_536;
    /** First reconnect delay unless set. */
    public static final Duration DEFAULT_RECONNECT_INITIAL_DELAY = Duration.ofSeconds(1);
    /**
     * Longest reconnect delay unless set: a broker back after an outage is reached within about this long (plus the
     * client's jitter of up to a quarter), while a gateway fleet retrying together stays spread out.
     */
    public static final Duration DEFAULT_RECONNECT_MAX_DELAY = Duration.ofSeconds(10);

    private final String host;
    private final int port;
    private final Credentials credentials;
    private final TlsSettings tls;
    private final String clientId;
    private final int qos;
    private final Duration keepAlive;
    private final int maxPayloadSize;
    private final int maxInflight;
    private final int maxPendingBatches;
    private final Duration rpcTimeout;
    private final Duration reconnectInitialDelay;
    private final Duration reconnectMaxDelay;
    private final Duration sessionLimitsTimeout;
    private final Duration closeTimeout;
    private final GatewayResources resources;
    private final int nettyThreads;
    private final Executor applicationExecutor;

    private ThingsBoardSettings(Builder b) {
        this.host = b.host;
        this.port = b.port > 0 ? b.port : (b.tls != null ? 8883 : 1883);
        this.credentials = b.credentials;
        this.tls = b.tls;
        this.clientId = b.clientId;
        this.qos = b.qos;
        this.keepAlive = b.keepAlive;
        this.maxPayloadSize = b.maxPayloadSize;
        this.maxInflight = b.maxInflight;
        this.maxPendingBatches = b.maxPendingBatches;
        this.rpcTimeout = b.rpcTimeout;
        this.reconnectInitialDelay = b.reconnectInitialDelay;
        this.reconnectMaxDelay = b.reconnectMaxDelay;
        this.sessionLimitsTimeout = b.sessionLimitsTimeout;
        this.closeTimeout = b.closeTimeout;
        this.resources = b.resources;
        this.nettyThreads = b.nettyThreads;
        this.applicationExecutor = b.applicationExecutor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this instance's values, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.credentials = credentials;
        b.tls = tls;
        b.clientId = clientId;
        b.qos = qos;
        b.keepAlive = keepAlive;
        b.maxPayloadSize = maxPayloadSize;
        b.maxInflight = maxInflight;
        b.maxPendingBatches = maxPendingBatches;
        b.rpcTimeout = rpcTimeout;
        b.reconnectInitialDelay = reconnectInitialDelay;
        b.reconnectMaxDelay = reconnectMaxDelay;
        b.sessionLimitsTimeout = sessionLimitsTimeout;
        b.closeTimeout = closeTimeout;
        b.resources = resources;
        b.nettyThreads = nettyThreads;
        b.applicationExecutor = applicationExecutor;
        return b;
    }

    public String host() {
        return host;
    }

    /** MQTT port; 1883 by default, 8883 with TLS. */
    public int port() {
        return port;
    }

    public Credentials credentials() {
        return credentials;
    }

    /** TLS settings, {@code null} for plain TCP. */
    public TlsSettings tls() {
        return tls;
    }

    /**
     * MQTT client identifier: the one of {@link Credentials.UsernamePassword}, else the configured one, else a random
     * one (ThingsBoard identifies token and X.509 devices by their credentials, not their client id).
     */
    public String clientId() {
        if (credentials instanceof Credentials.UsernamePassword up) {
            return up.clientId();
        }
        return clientId;
    }

    /** QoS of every publish: 0 or 1 (ThingsBoard supports no more). */
    public int qos() {
        return qos;
    }

    public Duration keepAlive() {
        return keepAlive;
    }

    public int maxPayloadSize() {
        return maxPayloadSize;
    }

    public int maxInflight() {
        return maxInflight;
    }

    public int maxPendingBatches() {
        return maxPendingBatches;
    }

    public Duration rpcTimeout() {
        return rpcTimeout;
    }

    public Duration reconnectInitialDelay() {
        return reconnectInitialDelay;
    }

    public Duration reconnectMaxDelay() {
        return reconnectMaxDelay;
    }

    /** How long to wait for the answer to {@code getSessionLimits} after each connect; zero skips the request. */
    public Duration sessionLimitsTimeout() {
        return sessionLimitsTimeout;
    }

    /** How long {@link ThingsBoardTransport#close()} waits for unacknowledged publishes. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Host-supplied event loops for the MQTT connection, or {@code null} for the HiveMQ client's own. */
    public GatewayResources resources() {
        return resources;
    }

    /** The event loops of {@link #resources()}, or {@code null} for the HiveMQ client's own. */
    public EventLoopGroup eventLoopGroup() {
        return resources == null ? null : resources.eventLoops();
    }

    /** Threads of the HiveMQ client's own event loop group when none is supplied; 0 for HiveMQ's default. */
    public int nettyThreads() {
        return nettyThreads;
    }

    /**
     * Executor for MQTT results, incoming messages and RPC handlers, or {@code null} for a single daemon thread
     * owned by the transport.
     */
    public Executor applicationExecutor() {
        return applicationExecutor;
    }

    @Override
    public String toString() {
        return "ThingsBoardSettings[" + host + ':' + port + ", " + credentials + ", tls=" + (tls != null)
                + ", qos=" + qos + ", maxPayloadSize=" + maxPayloadSize + ", maxInflight=" + maxInflight + ']';
    }

    /** Builder of {@link ThingsBoardSettings}. */
    public static final class Builder {
        private String host = "localhost";
        private int port;
        private Credentials credentials;
        private TlsSettings tls;
        private String clientId = "dlms-gateway-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        private int qos = 1;
        private Duration keepAlive = Duration.ofSeconds(60);
        private int maxPayloadSize = DEFAULT_MAX_PAYLOAD_SIZE;
        private int maxInflight = 100;
        private int maxPendingBatches = 16;
        private Duration rpcTimeout = Duration.ofSeconds(10);
        private Duration reconnectInitialDelay = DEFAULT_RECONNECT_INITIAL_DELAY;
        private Duration reconnectMaxDelay = DEFAULT_RECONNECT_MAX_DELAY;
        private Duration sessionLimitsTimeout = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private GatewayResources resources;
        private int nettyThreads;
        private Executor applicationExecutor;

        private Builder() {
        }

        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** MQTT port; 0 (default) means 1883, or 8883 with TLS. */
        public Builder port(int value) {
            this.port = range("port", value, 0, 65_535);
            return this;
        }

        public Builder credentials(Credentials value) {
            this.credentials = Objects.requireNonNull(value, "credentials");
            return this;
        }

        /** Shorthand for {@code credentials(Credentials.accessToken(token))}. */
        public Builder accessToken(String token) {
            return credentials(Credentials.accessToken(token));
        }

        public Builder tls(TlsSettings value) {
            this.tls = value;
            return this;
        }

        public Builder clientId(String value) {
            this.clientId = Objects.requireNonNull(value, "clientId");
            return this;
        }

        public Builder qos(int value) {
            this.qos = range("qos", value, 0, 1);
            return this;
        }

        public Builder keepAlive(Duration value) {
            this.keepAlive = positive("keepAlive", value);
            return this;
        }

        /** At least 256 bytes, so that the smallest message still fits. */
        public Builder maxPayloadSize(int value) {
            this.maxPayloadSize = range("maxPayloadSize", value, 256, 268_435_455);
            return this;
        }

        public Builder maxInflight(int value) {
            this.maxInflight = range("maxInflight", value, 1, 65_535 - 10);
            return this;
        }

        public Builder maxPendingBatches(int value) {
            this.maxPendingBatches = range("maxPendingBatches", value, 1, 1024);
            return this;
        }

        public Builder rpcTimeout(Duration value) {
            this.rpcTimeout = positive("rpcTimeout", value);
            return this;
        }

        /**
         * First reconnect delay; doubles on every failed attempt up to {@code max}; the HiveMQ client adds a jitter
         * of up to ±25 % to each. Defaults 1 s and 10 s.
         */
        public Builder reconnectDelay(Duration initial, Duration max) {
            this.reconnectInitialDelay = positive("initial reconnect delay", initial);
            this.reconnectMaxDelay = positive("maximum reconnect delay", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("maximum reconnect delay is below the initial one");
            }
            return this;
        }

        /** {@link Duration#ZERO} skips the session limits request. */
        public Builder sessionLimitsTimeout(Duration value) {
            Objects.requireNonNull(value, "sessionLimitsTimeout");
            if (value.isNegative()) {
                throw new IllegalArgumentException("sessionLimitsTimeout is negative");
            }
            this.sessionLimitsTimeout = value;
            return this;
        }

        public Builder closeTimeout(Duration value) {
            Objects.requireNonNull(value, "closeTimeout");
            this.closeTimeout = value;
            return this;
        }

        /**
         * Host-supplied event loops (shared with the meter sockets, for example). The transport never shuts them
         * down. Their type must match the channel type the HiveMQ client picks: epoll when
         * {@code netty-transport-native-epoll} is on the class path and usable, NIO otherwise
         * ({@link GatewayResources#create} makes the right kind).
         */
        public Builder resources(GatewayResources value) {
            this.resources = value;
            return this;
        }

        /**
         * Threads of the event loop group used when none is supplied: the HiveMQ client's own, shared by the HiveMQ
         * clients of the JVM and shut down when the last of them disconnects. 0 (default) keeps HiveMQ's default
         * (one per core, started lazily; a connection uses one).
         */
        public Builder nettyThreads(int value) {
            this.nettyThreads = range("nettyThreads", value, 0, 64);
            return this;
        }

        /** See {@link ThingsBoardSettings#applicationExecutor()}. */
        public Builder applicationExecutor(Executor value) {
            this.applicationExecutor = value;
            return this;
        }

        public ThingsBoardSettings build() {
            if (credentials == null) {
                throw new IllegalStateException("credentials are required");
            }
            if (credentials == Credentials.x509() && (tls == null || tls.certFile() == null)) {
                throw new IllegalStateException("X.509 credentials need TLS with a client certificate");
            }
            return new ThingsBoardSettings(this);
        }

        private static int range(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
