package io.dlmsgateway.thingsboard.internal;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3RxClient;
import io.dlmsgateway.thingsboard.ConnectionProblem;
import io.dlmsgateway.thingsboard.ConnectionState;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The MQTT connection's life: start, subscriptions, reconnects with backoff, the {@link ConnectionStates} and close.
 * After each connect the {@link ConnectionHooks} set the session up (devices announced again, session limits asked
 * for); only when that is over does the state become CONNECTED and telemetry flow. When the connection drops, HiveMQ
 * is told to keep unacknowledged publishes and send them again after the reconnect, so a batch in flight is delayed
 * by an outage, not failed.
 *
 * <p>Threading: all state here is confined to the lane. The client's listeners run on its Netty event loop; they
 * decide there only what must be decided before they return (a user disconnect is not retried, unacknowledged
 * publishes are kept) and hand the rest to the lane. {@link #start()} and {@link #close()} may be called from any
 * thread and return at once.
 */
final class ConnectionLifecycle {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    private final ThingsBoardSettings settings;
    private final TransportThreads threads;
    private final TransportCounters counters;
    private final Mqtt3RxClient client;
    private final MqttQos qos;
    private final ConnectionHooks hooks;
    private final OutageLog outageLog;

    private final ConnectionStates states = new ConnectionStates();
    private final Sinks.Empty<Void> closing = Sinks.empty();
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Sinks.Empty<Void> subscribed = Sinks.empty();
    private boolean started;
    private boolean closeRequested;
    /** Connections so far: a session set-up that outlived its connection must not declare the next one ready. */
    private int connections;
    private Disposable incomingSubscription;
    private Disposable connecting;
    private final PendingReconnect pendingReconnect = new PendingReconnect();

    ConnectionLifecycle(ThingsBoardSettings settings, TransportThreads threads, TransportCounters counters,
            ConnectionHooks hooks, MqttQos qos) {
        this.settings = settings;
        this.qos = qos;
        this.threads = threads;
        this.counters = counters;
        this.hooks = hooks;
        this.outageLog = new OutageLog(settings);
        this.client = MqttClientFactory.build(settings, threads.application,
                context -> threads.lane.execute(this::afterConnect), this::onDisconnected);
    }

    Mqtt3RxClient client() {
        return client;
    }

    /** Why the connection is down now, when it is. */
    Optional<ConnectionProblem> problem() {
        return states.current() == ConnectionState.CONNECTED ? Optional.empty()
                : Optional.ofNullable(outageLog.problem());
    }

    void start() {
        threads.lane.execute(() -> {
            if (closeRequested || started) {
                return;
            }
            started = true;
            // subscribed before connecting, so nothing arriving right after the CONNACK is missed
            incomingSubscription = Flux.from(client.publishes(MqttGlobalPublishFilter.ALL))
                    .subscribe(p -> threads.lane.execute(() -> hooks.received(p)),
                            e -> LOG.error("Incoming message stream failed", e));
            // with automatic reconnect, this completes only once a connection succeeds, however long the broker is
            // down; later reconnects restore the subscriptions by themselves
            connecting = Mono.from(MqttClientFactory.connect(client, settings))
                    .then(Mono.from(client.subscribe(Topics.downlink(qos)).toFlowable()))
                    .subscribe(subAck -> {
                        if (subAck.getReturnCodes().stream().anyMatch(c -> c.isError())) {
                            LOG.error("ThingsBoard refused some subscriptions: {}", subAck.getReturnCodes());
                        }
                        subscribed.tryEmitEmpty();
                    }, e -> threads.lane.execute(() -> {
                        if (!closeRequested) {
                            LOG.error("Connecting to ThingsBoard at {}:{} failed for good", settings.host(),
                                    settings.port(), e);
                        }
                    }));
        });
    }

    private void afterConnect() {
        if (closeRequested) {
            client.disconnect().onErrorComplete().subscribe();
            return;
        }
        int current = ++connections;
        pendingReconnect.forget();
        if (outageLog.connected(hooks.knownDevices())) {
            counters.reconnects.increment();
        }
        hooks.connected();
        subscribed.asMono()
                .then(Mono.defer(hooks::sessionSetUp))
                .doFinally(signal -> threads.lane.execute(() -> {
                    boolean sameConnection = connections == current;
                    if (sameConnection && !closeRequested && client.getState() == MqttClientState.CONNECTED) {
                        states.set(ConnectionState.CONNECTED);
                    }
                }))
                .subscribe(null, e -> LOG.warn("Session setup after connect failed", e));
    }

    /** On the client's event loop, where the reconnector must be configured before this returns. */
    private void onDisconnected(MqttClientDisconnectedContext context) {
        MqttClientReconnector reconnector = context.getReconnector();
        if (context.getSource() == MqttDisconnectSource.USER) {
            reconnector.reconnect(false);
            return;
        }
        // ThingsBoard keeps no session: without this, publishes in flight would fail at once and, while the
        // broker is away, every new one too
        reconnector.republishIfSessionExpired(true);
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        long delayMillis = reconnector.getDelay(TimeUnit.MILLISECONDS);
        Throwable cause = context.getCause();
        threads.lane.execute(() -> afterDisconnect(reconnector, loop, cause, delayMillis));
    }

    private void afterDisconnect(MqttClientReconnector reconnector, EventExecutor loop, Throwable cause,
            long delayMillis) {
        if (closeRequested) {
            PendingReconnect.cancel(reconnector, loop);
            return;
        }
        pendingReconnect.remember(reconnector, loop);
        outageLog.failed(cause, delayMillis);
        if (outageLog.everConnected()) {
            states.set(ConnectionState.RECONNECTING);
        }
    }

    ConnectionStates states() {
        return states;
    }

    /** Completes once close has begun: nothing more is to be taken from upstream. */
    Mono<Void> closing() {
        return closing.asMono();
    }

    /**
     * Stops taking telemetry, waits up to the close timeout for unacknowledged publishes (only while connected: in
     * an outage they cannot be acknowledged), then disconnects. Idempotent; the Mono is the same close's outcome.
     */
    Mono<Void> close() {
        threads.lane.execute(this::closeOnLane);
        return closed.asMono();
    }

    private void closeOnLane() {
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        closing.tryEmitEmpty();
        Mono<Void> drain = states.current() == ConnectionState.CONNECTED
                ? Flux.interval(DRAIN_POLL, threads.timer)
                        .filter(tick -> hooks.publishesInFlight() == 0 && !hooks.batchesUnderWay())
                        .next()
                        .then()
                        .timeout(settings.closeTimeout(), threads.timer)
                        .onErrorResume(TimeoutException.class, e -> {
                            LOG.warn("Closing with {} publishes still unacknowledged", hooks.publishesInFlight());
                            return Mono.empty();
                        })
                : Mono.empty();
        drain.publishOn(threads.laneScheduler)
                .then(Mono.defer(this::disconnect))
                .publishOn(threads.laneScheduler)
                .subscribe(null, e -> {
                    LOG.warn("Closing the ThingsBoard transport failed", e);
                    release(e);
                }, () -> release(null));
    }

    /** On the lane. */
    private Mono<Void> disconnect() {
        states.set(ConnectionState.CLOSED);
        if (connecting != null) {
            // stops the retry loop of a first connect that never succeeded
            connecting.dispose();
        }
        pendingReconnect.cancel();
        if (incomingSubscription != null) {
            // before the disconnect, which ends the client's incoming stream with an error
            incomingSubscription.dispose();
        }
        if (client.getState() == MqttClientState.CONNECTED) {
            return Mono.from(client.disconnect().toFlowable()).then().onErrorResume(e -> Mono.empty());
        }
        return Mono.empty();
    }

    /** On the lane, last. */
    private void release(Throwable failure) {
        hooks.closed();
        states.complete();
        threads.shutdownOwnThread();
        if (failure == null) {
            closed.tryEmitEmpty();
        } else {
            closed.tryEmitError(failure);
        }
    }
}
