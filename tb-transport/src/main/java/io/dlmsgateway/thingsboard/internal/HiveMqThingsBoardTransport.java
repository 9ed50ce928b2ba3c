package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.Mqtt3RxClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3PublishResult;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import io.dlmsgateway.thingsboard.AttributeUpdate;
import io.dlmsgateway.thingsboard.ConnectionState;
import io.dlmsgateway.thingsboard.Credentials;
import io.dlmsgateway.thingsboard.DeviceRpcHandler;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
import io.dlmsgateway.thingsboard.GatewayRpcHandler;
import io.dlmsgateway.thingsboard.RpcMethodNotFoundException;
import io.dlmsgateway.thingsboard.TelemetryAck;
import io.dlmsgateway.thingsboard.TelemetryBatch;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.dlmsgateway.thingsboard.ThingsBoardTransport;
import io.dlmsgateway.thingsboard.TlsSettings;
import io.dlmsgateway.thingsboard.TransportStatistics;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.reactivex.Flowable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@link ThingsBoardTransport} over the HiveMQ MQTT client's reactive (RxJava 2) API, bridged to Reactor.
 *
 * <p>Every publish goes through {@code publish(Flowable)}, never the async {@code send()}, which blocks when the
 * in-flight window is full and deadlocks on an event loop. Results and incoming messages arrive on the application
 * executor; nothing here runs user code on a Netty event loop.
 *
 * <p>Session model: each MQTT connection is a {@link Session} holding the device connects sent in it. When the
 * connection drops, HiveMQ is told to keep unacknowledged publishes and send them again after the reconnect (so a
 * batch in flight is not failed by an outage, only delayed); after the reconnect every known device is announced
 * again, the session limits are asked for, and only then does the state return to CONNECTED and batches flow.
 */
public final class HiveMqThingsBoardTransport implements ThingsBoardTransport {

    private static final Logger LOG = LoggerFactory.getLogger(HiveMqThingsBoardTransport.class);
    private static final String NO_TYPE = "";
    private static final int ATTRIBUTE_UPDATE_BUFFER = 1024;
    private static final int REANNOUNCE_CONCURRENCY = 64;
    private static final String GATEWAY_PREFIX = "gateway_";

    private final ThingsBoardSettings settings;
    private final ObjectMapper mapper = new ObjectMapper();
    private final PayloadEncoder encoder = new PayloadEncoder(mapper);
    private final MqttQos qos;
    private final ScheduledThreadPoolExecutor ownThread;
    private final Executor applicationExecutor;
    private final Scheduler timer;
    private final Mqtt3RxClient client;
    private final TransportCounters counters = new TransportCounters();
    /** HiveMQ serves 64 publish Flowables at once and blocks the caller of the next; stay well below. */
    private static final int MAX_CONCURRENT_PUBLISH_FLOWABLES = 32;
    private final InflightWindow window;
    /** Publish calls under way; below the MQTT client's fixed 64 concurrent publish Flowables. */
    private final InflightWindow publishFlowables;
    private volatile int maxPayloadSize;

    /** Device name to device type ({@link #NO_TYPE} for none): announced, not disconnected. */
    private final ConcurrentHashMap<String, String> knownDevices = new ConcurrentHashMap<>();
    private volatile Session session = new Session(0);
    private final AtomicInteger sessionIds = new AtomicInteger();

    private final Object stateLock = new Object();
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private final Sinks.Many<ConnectionState> states = Sinks.many().replay().latest();
    private final Sinks.Many<AttributeUpdate> attributeUpdates =
            Sinks.many().multicast().onBackpressureBuffer(ATTRIBUTE_UPDATE_BUFFER, false);
    private final Sinks.Empty<Void> closing = Sinks.empty();
    private final Sinks.Empty<Void> subscribed = Sinks.empty();

    private volatile DeviceRpcHandler deviceRpcHandler;
    private final ConcurrentHashMap<String, GatewayRpcHandler> gatewayRpcHandlers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, PendingClientRpc> pendingClientRpcs = new ConcurrentHashMap<>();
    private final AtomicInteger clientRpcIds = new AtomicInteger();

    private final AtomicInteger inflightPublishes = new AtomicInteger();
    private final AtomicInteger activeBatches = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Mono<Void> closeResult;
    private volatile Disposable incoming;
    private volatile Disposable connecting;
    /** Reconnector of the last disconnection and its event loop, to cancel a scheduled reconnect on close. */
    private volatile MqttClientReconnector pendingReconnector;
    private volatile EventExecutor pendingReconnectorLoop;
    private volatile boolean everConnected;
    /** Whether the current outage (or failing first connect) was logged at warning level already. */
    private volatile boolean outageReported;

    public HiveMqThingsBoardTransport(ThingsBoardSettings settings) {
        this.settings = settings;
        this.qos = settings.qos() == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE;
        this.window = new InflightWindow(settings.maxInflight());
        this.publishFlowables = new InflightWindow(MAX_CONCURRENT_PUBLISH_FLOWABLES);
        this.maxPayloadSize = settings.maxPayloadSize();
        // MQTT results, incoming messages and timers (RPC and session-limit timeouts) run on the host's executor when
        // it can also schedule (a Netty event loop can: the gateway shares its own); otherwise on one daemon thread of
        // the transport's. The library never falls back on RxJava's computation pool.
        if (settings.applicationExecutor() instanceof ScheduledExecutorService hostScheduler) {
            this.ownThread = null;
            this.applicationExecutor = hostScheduler;
            // never disposed, which would shut the host's executor down
            this.timer = Schedulers.fromExecutorService(hostScheduler, "tb-transport-timer");
        } else {
            this.ownThread = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "tb-transport-" + settings.clientId());
                t.setDaemon(true);
                return t;
            });
            ownThread.setRemoveOnCancelPolicy(true);
            this.applicationExecutor = settings.applicationExecutor() != null ? settings.applicationExecutor()
                    : this::runOnOwnThread;
            this.timer = Schedulers.fromExecutorService(ownThread, "tb-transport-timer");
        }
        this.client = buildClient();
        states.tryEmitNext(ConnectionState.CONNECTING);
        registerBuiltInGatewayRpcs();
    }

    /**
     * HiveMQ picks its socket type once per JVM, epoll when Netty's native epoll is usable, and runs it on whatever
     * group it is given; a NIO group there would only fail at the first connect, deep inside Netty.
     */
    private static void requireChannelTypeOf(EventLoopGroup group) {
        EventLoopGroup owner = group instanceof EventLoop loop && loop.parent() != null ? loop.parent() : group;
        boolean epollGroup = owner instanceof EpollEventLoopGroup;
        if (Epoll.isAvailable() != epollGroup) {
            throw new IllegalArgumentException("eventLoopGroup: the HiveMQ MQTT client uses "
                    + (Epoll.isAvailable() ? "epoll" : "NIO") + " sockets in this JVM but the group given is "
                    + owner.getClass().getSimpleName() + "; pass "
                    + (Epoll.isAvailable() ? "an EpollEventLoopGroup (or start the JVM with"
                            + " -Dio.netty.transport.noNative=true for NIO everywhere)" : "a NioEventLoopGroup"));
        }
    }

    private Mqtt3RxClient buildClient() {
        Mqtt3ClientBuilder builder = MqttClient.builder()
                .useMqttVersion3()
                .identifier(settings.clientId())
                .serverHost(settings.host())
                .serverPort(settings.port())
                .automaticReconnect()
                .initialDelay(settings.reconnectInitialDelay().toMillis(), TimeUnit.MILLISECONDS)
                .maxDelay(settings.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addConnectedListener(context -> onMqttConnected())
                .addDisconnectedListener(this::onMqttDisconnected);
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

    // ------------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start() {
        if (closed.get() || !started.compareAndSet(false, true)) {
            return;
        }
        // subscribed before connecting, so nothing arriving right after the CONNACK is missed
        incoming = Flux.from(client.publishes(MqttGlobalPublishFilter.ALL))
                .subscribe(this::dispatchIncoming, e -> LOG.error("Incoming message stream failed", e));
        Mqtt3Subscribe subscribe = Mqtt3Subscribe.builder()
                .addSubscriptions(List.of(
                        subscription(Topics.GATEWAY_RPC),
                        subscription(Topics.GATEWAY_ATTRIBUTES),
                        subscription(Topics.ME_RPC_REQUEST_FILTER),
                        subscription(Topics.ME_RPC_RESPONSE_FILTER)))
                .build();
        // with automatic reconnect, this completes only once a connection succeeds, however long the broker is
        // down; later reconnects restore the subscriptions by themselves
        connecting = Mono.from(client.connectWith()
                        .keepAlive((int) Math.min(65_535, settings.keepAlive().toSeconds()))
                        .cleanSession(true)
                        .restrictions().sendMaximum(settings.maxInflight()).applyRestrictions()
                        .applyConnect()
                        .toFlowable())
                .then(Mono.from(client.subscribe(subscribe).toFlowable()))
                .subscribe(subAck -> {
                    if (subAck.getReturnCodes().stream().anyMatch(c -> c.isError())) {
                        LOG.error("ThingsBoard refused some subscriptions: {}", subAck.getReturnCodes());
                    }
                    subscribed.tryEmitEmpty();
                }, e -> {
                    if (!closed.get()) {
                        LOG.error("Connecting to ThingsBoard at {}:{} failed for good", settings.host(),
                                settings.port(), e);
                    }
                });
    }

    private Mqtt3Subscription subscription(String filter) {
        return Mqtt3Subscription.builder().topicFilter(filter).qos(qos).build();
    }

    /**
     * Runs on the transport's own thread, or not at all once it is shut down: the MQTT client still reports the
     * end of a connect attempt or reconnect cancelled by {@link #close()}, at the time that reconnect was due, and
     * RxJava would print a rejected result as an undeliverable error.
     */
    private void runOnOwnThread(Runnable task) {
        try {
            ownThread.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("Dropped a result arriving after close");
        }
    }

    /** On the client's event loop: moves the work to the application executor. */
    private void onMqttConnected() {
        outageReported = false;
        if (closed.get()) {
            client.disconnect().onErrorComplete().subscribe();
            return;
        }
        applicationExecutor.execute(this::afterConnect);
    }

    private void afterConnect() {
        Session current = new Session(sessionIds.incrementAndGet());
        session = current;
        if (everConnected) {
            counters.reconnects.increment();
            LOG.info("Reconnected to ThingsBoard at {}:{}; announcing {} devices again", settings.host(),
                    settings.port(), knownDevices.size());
        } else {
            LOG.info("Connected to ThingsBoard at {}:{}", settings.host(), settings.port());
        }
        everConnected = true;
        announceKnownDevices(current);
        subscribed.asMono()
                .then(requestSessionLimits())
                .doFinally(signal -> {
                    if (session == current && !closed.get()
                            && client.getState() == MqttClientState.CONNECTED) {
                        setState(ConnectionState.CONNECTED);
                    }
                })
                .subscribe(null, e -> LOG.warn("Session setup after connect failed", e));
    }

    /** On the client's event loop. */
    private void onMqttDisconnected(MqttClientDisconnectedContext context) {
        MqttClientReconnector reconnector = context.getReconnector();
        if (closed.get() || context.getSource() == MqttDisconnectSource.USER) {
            reconnector.reconnect(false);
            return;
        }
        // ThingsBoard keeps no session: without this, publishes in flight would fail at once and, while the
        // broker is away, every new one too
        reconnector.republishIfSessionExpired(true);
        pendingReconnector = reconnector;
        pendingReconnectorLoop = ThreadExecutorMap.currentExecutor();
        // one warning per outage, the retries at debug level. Not from the reconnector's attempt count: a lost
        // connection reports attempt 0, but the first failure of the first connect already attempt 1
        boolean firstFailure = !outageReported;
        outageReported = true;
        String reason = failureReason(context.getCause());
        if (everConnected) {
            if (firstFailure) {
                LOG.warn("Connection to ThingsBoard at {}:{} lost ({}); reconnecting", settings.host(),
                        settings.port(), reason);
            } else {
                LOG.debug("Reconnect to ThingsBoard failed ({}); retrying in {} ms", reason,
                        reconnector.getDelay(TimeUnit.MILLISECONDS));
            }
            setState(ConnectionState.RECONNECTING);
        } else if (firstFailure) {
            LOG.warn("Cannot connect to ThingsBoard at {}:{} ({}); retrying with backoff", settings.host(),
                    settings.port(), reason);
        } else {
            LOG.debug("Connecting to ThingsBoard failed ({}); retrying in {} ms", reason,
                    reconnector.getDelay(TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Why a connection failed, in one line. The MQTT client wraps a failed TLS handshake in a connection exception
     * whose message repeats the class names of the chain; the handshake's own message says what was wrong
     * (untrusted certificate, name mismatch, certificate required by the server).
     */
    static String failureReason(Throwable failure) {
        SSLException tls = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException ssl) {
                tls = ssl;
            }
        }
        if (tls != null) {
            return "TLS: " + tls.getMessage() + tlsHint(String.valueOf(tls.getMessage()));
        }
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }

    /** What the JDK's handshake messages mean for the TLS settings. */
    private static String tlsHint(String message) {
        if (message.startsWith("PKIX path")) {
            return "; the server's certificate does not chain to a CA certificate of the TLS CA file";
        }
        if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
            return "; the server's certificate is not issued for this host name or IP address";
        }
        if (message.startsWith("Received fatal alert: bad_certificate")
                || message.startsWith("Received fatal alert: certificate_required")) {
            return "; the server refused the client certificate, or requires one";
        }
        return "";
    }

    private void setState(ConnectionState next) {
        synchronized (stateLock) {
            // CLOSED is final
            if (state == next || state == ConnectionState.CLOSED) {
                return;
            }
            state = next;
            states.tryEmitNext(next);
        }
    }

    @Override
    public Mono<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return closeResult != null ? closeResult : Mono.empty();
        }
        closing.tryEmitEmpty();
        Mono<Void> drain = state == ConnectionState.CONNECTED
                ? Flux.interval(Duration.ofMillis(20), timer)
                        .filter(tick -> inflightPublishes.get() == 0 && activeBatches.get() == 0)
                        .next()
                        .then()
                        .timeout(settings.closeTimeout(), timer)
                        .onErrorResume(TimeoutException.class, e -> {
                            LOG.warn("Closing with {} publishes still unacknowledged", inflightPublishes.get());
                            return Mono.empty();
                        })
                : Mono.empty();
        Mono<Void> result = drain
                .then(Mono.defer(() -> {
                    setState(ConnectionState.CLOSED);
                    Disposable c = connecting;
                    if (c != null) {
                        // stops the retry loop of a first connect that never succeeded
                        c.dispose();
                    }
                    cancelPendingReconnect();
                    if (client.getState() == MqttClientState.CONNECTED) {
                        return Mono.from(client.disconnect().toFlowable()).then().onErrorResume(e -> Mono.empty());
                    }
                    return Mono.<Void>empty();
                }))
                .doFinally(signal -> {
                    Disposable in = incoming;
                    if (in != null) {
                        in.dispose();
                    }
                    pendingClientRpcs.values().forEach(p -> p.answer.tryEmitEmpty());
                    attributeUpdates.tryEmitComplete();
                    states.tryEmitComplete();
                    if (ownThread != null) {
                        ownThread.shutdown();
                    }
                })
                .cache();
        closeResult = result;
        result.subscribe(null, e -> LOG.warn("Closing the ThingsBoard transport failed", e));
        return result;
    }

    private void cancelPendingReconnect() {
        MqttClientReconnector reconnector = pendingReconnector;
        EventExecutor loop = pendingReconnectorLoop;
        if (reconnector != null && loop != null && !loop.isShuttingDown()) {
            loop.execute(() -> {
                try {
                    reconnector.reconnect(false);
                } catch (RuntimeException e) {
                    LOG.debug("Could not cancel the pending reconnect", e);
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------------ telemetry

    @Override
    public <C> Flux<TelemetryAck<C>> publishTelemetry(Publisher<TelemetryBatch<C>> batches) {
        // takeUntilOther stops taking batches on close; those already taken still finish and are reported.
        // Batches are made ready one after the other (connected, devices announced) and only then published, many
        // at once: batches waiting for the same connect acknowledgement would otherwise go out in whatever order
        // its callbacks run (a CompletableFuture runs them last-registered first), and a device's readings with them.
        return Flux.from(batches)
                .takeUntilOther(closing.asMono())
                .concatMap(batch -> readyToPublish(batch)
                        .then(Mono.just(Map.entry(batch, Optional.<Throwable>empty())))
                        .onErrorResume(e -> Mono.just(Map.entry(batch, Optional.of(e)))), 1)
                .flatMapSequential(ready -> ready.getValue().isPresent()
                        ? Mono.just(failed(ready.getKey(), ready.getValue().get()))
                        : publishBatch(ready.getKey()), settings.maxPendingBatches(), 1);
    }

    /** Completes once connected and every device of the batch is announced in this MQTT session. */
    private Mono<Void> readyToPublish(TelemetryBatch<?> batch) {
        return awaitConnected().then(Mono.defer(() -> {
            Map<String, String> devices = new LinkedHashMap<>();
            for (DeviceTelemetry entry : batch.entries()) {
                devices.putIfAbsent(entry.device(), entry.deviceType() == null ? NO_TYPE : entry.deviceType());
            }
            return ensureAnnounced(devices);
        }));
    }

    private <C> TelemetryAck<C> failed(TelemetryBatch<C> batch, Throwable e) {
        counters.batchesFailed.increment();
        LOG.debug("Telemetry batch failed", e);
        return new TelemetryAck<>(batch.context(), 0, 0, e);
    }

    private <C> Mono<TelemetryAck<C>> publishBatch(TelemetryBatch<C> batch) {
        return Mono.defer(() -> {
                    activeBatches.incrementAndGet();
                    PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(batch.entries(),
                            payloadBudget(Topics.GATEWAY_TELEMETRY));
                    counters.telemetryEntries.add(encoded.entries());
                    counters.telemetryValues.add(encoded.values());
                    counters.droppedValues.add(encoded.droppedValues());
                    counters.payloadSplits.add(Math.max(0, encoded.payloads().size() - 1));
                    return publishAll(Topics.GATEWAY_TELEMETRY, encoded.payloads(), true)
                            .thenReturn(new TelemetryAck<>(batch.context(), encoded.payloads().size(),
                                    encoded.droppedValues(), null))
                            .doFinally(signal -> activeBatches.decrementAndGet());
                })
                .doOnNext(ack -> counters.batchesAcked.increment())
                .onErrorResume(e -> Mono.just(failed(batch, e)));
    }

    private int payloadBudget(String topic) {
        return maxPayloadSize - Topics.publishOverhead(topic);
    }

    /** Completes when CONNECTED; fails when the transport is closed. */
    private Mono<Void> awaitConnected() {
        if (state == ConnectionState.CONNECTED) {
            return Mono.empty();
        }
        return states.asFlux()
                .filter(s -> s == ConnectionState.CONNECTED || s == ConnectionState.CLOSED)
                .next()
                .switchIfEmpty(Mono.just(ConnectionState.CLOSED))
                .flatMap(s -> s == ConnectionState.CLOSED
                        ? Mono.error(new IllegalStateException("ThingsBoard transport closed"))
                        : Mono.empty());
    }

    /**
     * Publishes payloads on one topic and completes when every one is acknowledged; fails with the first failed
     * result. {@code windowed} publishes each wait for a permit of the in-flight window.
     */
    private Mono<Void> publishAll(String topic, List<byte[]> payloads, boolean windowed) {
        if (payloads.isEmpty()) {
            return Mono.empty();
        }
        // each call is one publish Flowable of the MQTT client, which serves at most 64 at once and makes the 65th
        // subscriber's thread wait (MqttPublishFlowables.add): hold a place first, without blocking anyone
        AtomicBoolean placeHeld = new AtomicBoolean();
        return publishFlowables.acquire()
                .doOnSuccess(v -> placeHeld.set(true))
                .then(publishAllNow(topic, payloads, windowed))
                .doFinally(signal -> {
                    if (placeHeld.compareAndSet(true, false)) {
                        publishFlowables.release(1);
                    }
                });
    }

    private Mono<Void> publishAllNow(String topic, List<byte[]> payloads, boolean windowed) {
        return Mono.defer(() -> {
            // permits this call holds; returned on each result and, whatever is left, when the call ends
            AtomicInteger held = new AtomicInteger();
            Flux<Mqtt3Publish> source = Flux.fromIterable(payloads).map(p -> toPublish(topic, p));
            if (windowed) {
                source = source.concatMap(p -> window.acquire().doOnSuccess(v -> held.incrementAndGet()).thenReturn(p),
                        1);
            }
            Flux<Mqtt3Publish> counted = source.doOnNext(p -> {
                inflightPublishes.incrementAndGet();
                counters.messagesSent.increment();
                counters.bytesSent.add(p.getPayload().map(b -> b.remaining()).orElse(0));
            });
            AtomicInteger outstanding = new AtomicInteger();
            return Flux.from(client.publish(Flowable.fromPublisher(counted.doOnNext(p -> outstanding.incrementAndGet()))))
                    .handle((Mqtt3PublishResult result, reactor.core.publisher.SynchronousSink<Void> sink) -> {
                        inflightPublishes.decrementAndGet();
                        outstanding.decrementAndGet();
                        if (windowed && held.getAndDecrement() > 0) {
                            window.release(1);
                        }
                        if (result.getError().isPresent()) {
                            counters.publishesFailed.increment();
                            sink.error(result.getError().get());
                        } else {
                            counters.publishesAcked.increment();
                        }
                    })
                    .doFinally(signal -> {
                        // results that will never be seen: the publish Flux was cancelled or failed early
                        inflightPublishes.addAndGet(-outstanding.getAndSet(0));
                        if (windowed) {
                            window.release(held.getAndSet(0));
                        }
                    })
                    .then();
        });
    }

    private Mqtt3Publish toPublish(String topic, byte[] payload) {
        return Mqtt3Publish.builder().topic(topic).qos(qos).payload(payload).build();
    }

    /** Publishes outside the window and without waiting for the connection: RPC replies and requests. */
    private Mono<Void> publishNow(String topic, byte[] payload) {
        return publishAll(topic, List.of(payload), false);
    }

    // ------------------------------------------------------------------------------------------------ devices

    /** Completes when every device is announced in the current session. */
    private Mono<Void> ensureAnnounced(Map<String, String> devices) {
        Session current = session;
        List<Mono<Void>> waits = new ArrayList<>(devices.size());
        List<Map.Entry<String, CompletableFuture<Void>>> toSend = new ArrayList<>();
        for (Map.Entry<String, String> device : devices.entrySet()) {
            knownDevices.merge(device.getKey(), device.getValue(), (old, given) -> NO_TYPE.equals(given) ? old : given);
            CompletableFuture<Void> created = new CompletableFuture<>();
            CompletableFuture<Void> existing = current.connects.putIfAbsent(device.getKey(), created);
            if (existing == null) {
                toSend.add(Map.entry(device.getKey(), created));
                waits.add(Mono.fromFuture(created, true));
            } else {
                waits.add(Mono.fromFuture(existing, true));
            }
        }
        for (Map.Entry<String, CompletableFuture<Void>> send : toSend) {
            sendConnect(current, send.getKey(), send.getValue()).subscribe();
        }
        return Mono.when(waits);
    }

    /** Sends one connect and settles its future; a failed connect is forgotten so the next batch tries again. */
    private Mono<Void> sendConnect(Session owner, String device, CompletableFuture<Void> done) {
        String type = knownDevices.getOrDefault(device, NO_TYPE);
        return publishNow(Topics.GATEWAY_CONNECT, encoder.connect(device, NO_TYPE.equals(type) ? null : type))
                .doOnSuccess(v -> done.complete(null))
                .doOnError(e -> {
                    owner.connects.remove(device, done);
                    done.completeExceptionally(e);
                })
                .onErrorResume(e -> Mono.empty());
    }

    private void announceKnownDevices(Session current) {
        List<Map.Entry<String, CompletableFuture<Void>>> toSend = new ArrayList<>();
        for (String device : knownDevices.keySet()) {
            CompletableFuture<Void> created = new CompletableFuture<>();
            if (current.connects.putIfAbsent(device, created) == null) {
                toSend.add(Map.entry(device, created));
            }
        }
        Flux.fromIterable(toSend)
                .flatMap(e -> sendConnect(current, e.getKey(), e.getValue()), REANNOUNCE_CONCURRENCY)
                .subscribe();
    }

    @Override
    public Mono<Void> connectDevice(String device, String deviceType) {
        return awaitConnected().then(Mono.defer(() ->
                ensureAnnounced(Map.of(device, deviceType == null ? NO_TYPE : deviceType))));
    }

    @Override
    public Mono<Void> disconnectDevice(String device) {
        return awaitConnected().then(Mono.defer(() -> {
            knownDevices.remove(device);
            session.connects.remove(device);
            return publishNow(Topics.GATEWAY_DISCONNECT, encoder.disconnect(device));
        }));
    }

    @Override
    public Mono<Void> publishAttributes(String device, String deviceType, Map<String, ?> attributes) {
        return awaitConnected().then(Mono.defer(() -> {
            int[] dropped = new int[1];
            List<byte[]> payloads = encoder.encodeDeviceAttributes(device, attributes,
                    payloadBudget(Topics.GATEWAY_ATTRIBUTES), dropped);
            counters.droppedValues.add(dropped[0]);
            counters.payloadSplits.add(Math.max(0, payloads.size() - 1));
            return ensureAnnounced(Map.of(device, deviceType == null ? NO_TYPE : deviceType))
                    .then(publishAll(Topics.GATEWAY_ATTRIBUTES, payloads, true));
        }));
    }

    @Override
    public Mono<Void> publishGatewayTelemetry(Map<String, ?> values) {
        return awaitConnected().then(Mono.defer(() -> {
            int[] dropped = new int[1];
            List<byte[]> payloads = encoder.encodeObject(values, payloadBudget(Topics.ME_TELEMETRY), dropped);
            counters.droppedValues.add(dropped[0]);
            counters.payloadSplits.add(Math.max(0, payloads.size() - 1));
            return publishAll(Topics.ME_TELEMETRY, payloads, true);
        }));
    }

    @Override
    public Map<String, String> devices() {
        Map<String, String> copy = new LinkedHashMap<>();
        knownDevices.forEach((device, type) -> copy.put(device, NO_TYPE.equals(type) ? null : type));
        return Collections.unmodifiableMap(copy);
    }

    // ------------------------------------------------------------------------------------------------ incoming

    private void dispatchIncoming(Mqtt3Publish publish) {
        counters.messagesReceived.increment();
        String topic = publish.getTopic().toString();
        JsonNode json;
        try {
            json = mapper.readTree(publish.getPayloadAsBytes());
        } catch (Exception e) {
            LOG.warn("Ignored a message on {} that is not JSON: {}", topic, e.getMessage());
            return;
        }
        if (json == null) {
            return;
        }
        try {
            if (topic.equals(Topics.GATEWAY_RPC)) {
                onDeviceRpcMessage(json);
            } else if (topic.equals(Topics.GATEWAY_ATTRIBUTES)) {
                onAttributeMessage(json);
            } else if (topic.startsWith(Topics.ME_RPC_REQUEST_PREFIX)) {
                onGatewayRpcMessage(topic.substring(Topics.ME_RPC_REQUEST_PREFIX.length()), json);
            } else if (topic.startsWith(Topics.ME_RPC_RESPONSE_PREFIX)) {
                onClientRpcResponse(topic.substring(Topics.ME_RPC_RESPONSE_PREFIX.length()), json);
            }
        } catch (RuntimeException e) {
            LOG.warn("Failed to handle a message on {}", topic, e);
        }
    }

    /**
     * {@code {"device":..,"data":{"id":..,"method":..,"params":..}}}. A message with a top-level {@code id} is a
     * reply, seen only when a plain MQTT broker stands in for ThingsBoard and echoes our own publishes: ignored.
     */
    private void onDeviceRpcMessage(JsonNode json) {
        JsonNode data = json.path("data");
        if (!json.path("device").isTextual() || json.has("id") || !data.path("method").isTextual()
                || !data.path("id").canConvertToInt()) {
            LOG.debug("Ignored message on {} that is no device RPC request: {}", Topics.GATEWAY_RPC, json);
            return;
        }
        counters.rpcRequests.increment();
        DeviceRpcRequest request = new DeviceRpcRequest(json.get("device").asText(), data.get("id").asInt(),
                data.get("method").asText(), data.path("params"));
        DeviceRpcHandler handler = deviceRpcHandler;
        Mono<JsonNode> answer = handler == null
                ? Mono.error(new RpcMethodNotFoundException(request.method()))
                : Mono.defer(() -> handler.handle(request));
        answer(answer, request.method())
                .flatMap(reply -> publishNow(Topics.GATEWAY_RPC,
                        encoder.deviceRpcReply(request.device(), request.id(), reply)))
                .subscribe(null, e -> LOG.warn("Could not reply to RPC {} of device {}", request.id(),
                        request.device(), e));
    }

    /** Applies the RPC timeout and turns outcomes into the ThingsBoard IoT Gateway's reply shapes. */
    private Mono<JsonNode> answer(Mono<JsonNode> handled, String method) {
        return handled
                .timeout(settings.rpcTimeout(), timer)
                .defaultIfEmpty(JsonNodeFactory.instance.objectNode().put("success", true))
                .onErrorResume(e -> {
                    ObjectNode error = JsonNodeFactory.instance.objectNode();
                    if (e instanceof TimeoutException) {
                        counters.rpcTimeouts.increment();
                        LOG.warn("RPC {} timed out after {}", method, settings.rpcTimeout());
                        error.put("error", "Request timeout").put("code", 408);
                    } else if (e instanceof RpcMethodNotFoundException) {
                        error.put("error", "Method not found").put("code", 404);
                    } else {
                        LOG.debug("RPC {} failed", method, e);
                        error.put("error", e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
                    }
                    return Mono.just(error);
                });
    }

    /** {@code {"device":..,"data":{..}}}; ignores our own uploads ({@code {"dev":{..}}}) echoed by a plain broker. */
    private void onAttributeMessage(JsonNode json) {
        JsonNode data = json.path("data");
        if (!json.path("device").isTextual() || !data.isObject()) {
            LOG.debug("Ignored message on {} that is no attribute update: {}", Topics.GATEWAY_ATTRIBUTES, json);
            return;
        }
        ObjectNode values = ((ObjectNode) data).deepCopy();
        List<String> deleted = new ArrayList<>();
        JsonNode deletedNode = values.remove("deleted");
        if (deletedNode != null && deletedNode.isArray()) {
            deletedNode.forEach(k -> deleted.add(k.asText()));
        } else if (deletedNode != null) {
            values.set("deleted", deletedNode);
        }
        Sinks.EmitResult result = attributeUpdates.tryEmitNext(
                new AttributeUpdate(json.get("device").asText(), values, deleted));
        if (result.isFailure()) {
            counters.droppedAttributeUpdates.increment();
            LOG.warn("Dropped an attribute update of {} ({})", json.get("device").asText(), result);
        }
    }

    private void onGatewayRpcMessage(String requestId, JsonNode json) {
        if (!json.path("method").isTextual()) {
            return;
        }
        String method = json.get("method").asText();
        Integer id = parseId(requestId);
        PendingClientRpc own = id == null ? null : pendingClientRpcs.get(id);
        if (own != null && own.method.equals(method)) {
            // our own client-side RPC request, echoed by a plain broker standing in for ThingsBoard
            return;
        }
        counters.rpcRequests.increment();
        GatewayRpcHandler handler = gatewayRpcHandlers.get(stripGatewayPrefix(method));
        JsonNode params = json.path("params");
        Mono<JsonNode> handled = handler == null
                ? Mono.error(new RpcMethodNotFoundException(method))
                : Mono.defer(() -> handler.handle(params));
        answer(handled, method)
                .flatMap(reply -> publishNow(Topics.ME_RPC_RESPONSE_PREFIX + requestId, encoder.json(reply)))
                .subscribe(null, e -> LOG.warn("Could not reply to gateway RPC {}", requestId, e));
    }

    private void onClientRpcResponse(String requestId, JsonNode json) {
        Integer id = parseId(requestId);
        PendingClientRpc pending = id == null ? null : pendingClientRpcs.get(id);
        // a response to a server RPC of the same id, echoed by a plain broker, is not the answer we wait for
        if (pending != null && pending.accepts.test(json) && pendingClientRpcs.remove(id, pending)) {
            pending.answer.tryEmitValue(json);
        }
    }

    private static Integer parseId(String id) {
        try {
            return Integer.valueOf(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String stripGatewayPrefix(String method) {
        return method.startsWith(GATEWAY_PREFIX) ? method.substring(GATEWAY_PREFIX.length()) : method;
    }

    @Override
    public void onDeviceRpc(DeviceRpcHandler handler) {
        this.deviceRpcHandler = handler;
    }

    @Override
    public void onGatewayRpc(String method, GatewayRpcHandler handler) {
        String name = stripGatewayPrefix(method);
        if (handler == null) {
            gatewayRpcHandlers.remove(name);
        } else {
            gatewayRpcHandlers.put(name, handler);
        }
    }

    private void registerBuiltInGatewayRpcs() {
        gatewayRpcHandlers.put("ping", params -> Mono.just(
                JsonNodeFactory.instance.objectNode().put("code", 200).put("resp", "pong")));
        gatewayRpcHandlers.put("devices", params -> Mono.fromSupplier(() -> {
            ObjectNode reply = JsonNodeFactory.instance.objectNode().put("code", 200);
            reply.set("resp", mapper.valueToTree(devices()));
            return reply;
        }));
        gatewayRpcHandlers.put("stats", params -> Mono.fromSupplier(() -> mapper.valueToTree(statistics())));
    }

    // ------------------------------------------------------------------------------------------------ limits

    private record PendingClientRpc(String method, Predicate<JsonNode> accepts, Sinks.One<JsonNode> answer) {
    }

    /**
     * Client-side RPC {@code getSessionLimits}: keeps 80 % of the announced maximum payload size and in-flight
     * window (never above the configured values, the in-flight one also being the MQTT client's fixed send
     * maximum), or the configured values when nothing is announced in time.
     */
    private Mono<Void> requestSessionLimits() {
        Duration timeout = settings.sessionLimitsTimeout();
        if (timeout.isZero()) {
            return Mono.empty();
        }
        int id = clientRpcIds.incrementAndGet();
        PendingClientRpc pending = new PendingClientRpc("getSessionLimits",
                json -> json.has("maxPayloadSize") || json.has("maxInflightMessages") || json.has("rateLimits"),
                Sinks.one());
        pendingClientRpcs.put(id, pending);
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("method", "getSessionLimits");
        request.putObject("params").put("timeout", timeout.toMillis());
        return publishNow(Topics.ME_RPC_REQUEST_PREFIX + id, encoder.json(request))
                .then(pending.answer.asMono())
                .timeout(timeout, timer)
                .doOnNext(this::applySessionLimits)
                .switchIfEmpty(Mono.fromRunnable(this::applyConfiguredLimits))
                .onErrorResume(e -> {
                    LOG.info("No session limits from ThingsBoard ({}); using the configured ones",
                            e instanceof TimeoutException ? "no answer in " + timeout : e.toString());
                    applyConfiguredLimits();
                    return Mono.empty();
                })
                .doFinally(signal -> pendingClientRpcs.remove(id, pending))
                .then();
    }

    private void applySessionLimits(JsonNode limits) {
        int payload = limits.path("maxPayloadSize").asInt(0);
        int inflight = limits.path("maxInflightMessages").asInt(0);
        maxPayloadSize = payload > 0
                ? Math.max(256, Math.min(settings.maxPayloadSize(), (int) (payload * 0.8)))
                : settings.maxPayloadSize();
        window.setLimit(inflight > 0
                ? Math.max(1, Math.min(settings.maxInflight(), (int) (inflight * 0.8)))
                : settings.maxInflight());
        LOG.info("ThingsBoard session limits {}: using maxPayloadSize {} and maxInflight {}", limits,
                maxPayloadSize, window.limit());
    }

    private void applyConfiguredLimits() {
        maxPayloadSize = settings.maxPayloadSize();
        window.setLimit(settings.maxInflight());
    }

    // ------------------------------------------------------------------------------------------------ state

    @Override
    public Flux<AttributeUpdate> attributeUpdates() {
        return attributeUpdates.asFlux();
    }

    @Override
    public Flux<ConnectionState> connectionStates() {
        return states.asFlux();
    }

    @Override
    public boolean isConnected() {
        return state == ConnectionState.CONNECTED;
    }

    @Override
    public TransportStatistics statistics() {
        return counters.snapshot(maxPayloadSize, window.limit());
    }

    /** Device connects sent in one MQTT connection. */
    private static final class Session {
        final int id;
        final ConcurrentHashMap<String, CompletableFuture<Void>> connects = new ConcurrentHashMap<>();

        Session(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "Session " + id;
        }
    }
}
