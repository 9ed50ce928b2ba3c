package io.dlmsgateway.thingsboard.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedListener;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedListener;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.Mqtt3RxClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import io.dlmsgateway.resources.SocketTransport;
import io.dlmsgateway.thingsboard.Credentials;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.dlmsgateway.thingsboard.TlsSettings;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.reactivex.Flowable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Builds the HiveMQ MQTT 3 client from the settings: server, automatic reconnect with backoff, the executors it runs
 * on, TLS (PEM files through {@link PemTls}) and ThingsBoard credentials; and its connect message.
 *
 * <p>Threading: stateless; called once per transport, by the thread constructing it. The listeners handed in run on
 * the client's Netty event loop and must not block.
 */
final class MqttClientFactory {

    private MqttClientFactory() {
    }

    static Mqtt3RxClient build(ThingsBoardSettings settings, Executor applicationExecutor,
            MqttClientConnectedListener connected, MqttClientDisconnectedListener disconnected) {
        Mqtt3ClientBuilder builder = MqttClient.builder()
                .useMqttVersion3()
                .identifier(settings.clientId())
                .serverHost(settings.host())
                .serverPort(settings.port())
                .automaticReconnect()
                .initialDelay(settings.reconnectInitialDelay().toMillis(), TimeUnit.MILLISECONDS)
                .maxDelay(settings.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addConnectedListener(connected)
                .addDisconnectedListener(disconnected);
        var executorConfig = builder.executorConfig()
                .applicationScheduler(io.reactivex.schedulers.Schedulers.from(applicationExecutor));
        if (settings.eventLoopGroup() != null) {
            requireChannelTypeOf(settings.eventLoopGroup());
            executorConfig.nettyExecutor(settings.eventLoopGroup());
        } else if (settings.nettyThreads() > 0) {
            executorConfig.nettyThreads(settings.nettyThreads());
        }
        builder = executorConfig.applyExecutorConfig();
        TlsSettings tls = settings.tls();
        if (tls != null) {
            var ssl = builder.sslConfig();
            if (tls.caFile() != null) {
                ssl.trustManagerFactory(PemTls.trustManagerFactory(tls.caFile()));
            }
            if (tls.certFile() != null) {
                ssl.keyManagerFactory(PemTls.keyManagerFactory(tls.certFile(), tls.keyFile()));
            }
            builder = ssl.applySslConfig();
        }
        if (settings.credentials() instanceof Credentials.AccessToken token) {
            // ThingsBoard reads the access token from the MQTT user name and ignores the password
            builder = builder.simpleAuth().username(token.token()).applySimpleAuth();
        } else if (settings.credentials() instanceof Credentials.UsernamePassword up) {
            var auth = builder.simpleAuth().username(up.username());
            if (up.password() != null) {
                auth.password(up.password().getBytes(StandardCharsets.UTF_8));
            }
            builder = auth.applySimpleAuth();
        }
        return builder.buildRx();
    }

    /**
     * The first connect. ThingsBoard keeps no session, hence a clean one; MQTT 3 has no receive maximum for the
     * broker to announce, so the in-flight window is bounded here, by the client's send maximum.
     */
    static Flowable<Mqtt3ConnAck> connect(Mqtt3RxClient client, ThingsBoardSettings settings) {
        return client.connectWith()
                .keepAlive((int) Math.min(65_535, settings.keepAlive().toSeconds()))
                .cleanSession(true)
                .restrictions().sendMaximum(settings.maxInflight()).applyRestrictions()
                .applyConnect()
                .toFlowable();
    }

    /**
     * HiveMQ picks its socket type once per JVM, epoll when Netty's native epoll is usable, and runs it on whatever
     * group it is given; a NIO group there would only fail at the first connect, deep inside Netty.
     */
    private static void requireChannelTypeOf(EventLoopGroup group) {
        boolean nativeEpoll = SocketTransport.nativeAvailable();
        if (nativeEpoll != SocketTransport.isEpoll(group)) {
            EventLoopGroup owner = group instanceof EventLoop loop && loop.parent() != null ? loop.parent() : group;
            throw new IllegalArgumentException("eventLoopGroup: the HiveMQ MQTT client uses "
                    + (nativeEpoll ? "epoll" : "NIO") + " sockets in this JVM but the group given is "
                    + owner.getClass().getSimpleName() + "; pass "
                    + (nativeEpoll ? "an EpollEventLoopGroup (or start the JVM with"
                            + " -Dio.netty.transport.noNative=true for NIO everywhere)" : "a NioEventLoopGroup")
                    + "; GatewayResources.create() makes the right kind");
        }
    }
}
