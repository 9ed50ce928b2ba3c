package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.dlmsgateway.thingsboard.AttributeUpdate;
import io.dlmsgateway.thingsboard.ConnectionProblem;
import io.dlmsgateway.thingsboard.ConnectionState;
import io.dlmsgateway.thingsboard.DeviceRpcHandler;
import io.dlmsgateway.thingsboard.GatewayRpcHandler;
import io.dlmsgateway.thingsboard.TelemetryAck;
import io.dlmsgateway.thingsboard.TelemetryBatch;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.dlmsgateway.thingsboard.ThingsBoardTransport;
import io.dlmsgateway.thingsboard.TransportStatistics;
import java.util.Map;
import java.util.Optional;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link ThingsBoardTransport} over the HiveMQ MQTT client's reactive (RxJava 2) API, bridged to Reactor: a façade
 * wiring one class per concern, in the spirit of HiveMQ's {@code internal/mqtt/handler/{connect,publish,...}}.
 * <ul>
 *   <li>{@link MqttClientFactory} builds the client (executors, TLS, credentials);</li>
 *   <li>{@link ConnectionLifecycle} connects, reconnects and closes, and keeps the {@link ConnectionStates};</li>
 *   <li>{@link DeviceAnnouncer} connects child devices and announces them again in every new connection;</li>
 *   <li>{@link TelemetryPublisher} uploads telemetry batches with their acks, attributes and gateway telemetry;</li>
 *   <li>{@link OutgoingPublishes} is the one way out, with the in-flight window;</li>
 *   <li>{@link IncomingMessages} routes what ThingsBoard sends to {@link RpcDispatcher} (server-side RPC),
 *       {@link ClientSideRpc} (our requests' answers) and the attribute updates;</li>
 *   <li>{@link SessionLimits} asks for ThingsBoard's limits after each connect and keeps to 80 % of them.</li>
 * </ul>
 *
 * <p>Threading: every method may be called from any thread and returns at once. The control state of every concern
 * is confined to one serial executor, the lane ({@link TransportThreads}), running on the application executor; MQTT
 * results and incoming messages arrive there too, never user code on a Netty event loop. The few fields read across
 * threads say why where they are declared.
 */
public final class HiveMqThingsBoardTransport implements ThingsBoardTransport {

    /**
     * The one logger of the transport's concerns: hosts' logging configurations name it, and the split into classes
     * is no reason to make them change.
     */
    static final Logger LOG = LoggerFactory.getLogger(HiveMqThingsBoardTransport.class);

    private final TransportCounters counters = new TransportCounters();
    private final TransportThreads threads;
    private final InflightWindow window;
    private final ConnectionLifecycle lifecycle;
    private final DeviceAnnouncer announcer;
    private final SessionLimits limits;
    private final ClientSideRpc clientRpc;
    private final RpcDispatcher rpc;
    private final IncomingMessages incoming;
    private final OutgoingPublishes publishes;
    private final TelemetryPublisher telemetry;

    public HiveMqThingsBoardTransport(ThingsBoardSettings settings) {
        ObjectMapper mapper = new ObjectMapper();
        PayloadEncoder encoder = new PayloadEncoder(mapper);
        MqttQos qos = settings.qos() == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE;
        this.threads = new TransportThreads(settings);
        this.window = new InflightWindow(settings.maxInflight());
        this.lifecycle = new ConnectionLifecycle(settings, threads, counters, new Hooks(), qos);
        this.publishes = new OutgoingPublishes(lifecycle.client(), qos, counters, window);
        this.announcer = new DeviceAnnouncer(publishes, encoder, threads);
        this.clientRpc = new ClientSideRpc(publishes, encoder, threads);
        this.limits = new SessionLimits(settings, clientRpc, window);
        this.rpc = new RpcDispatcher(publishes, encoder, counters, threads, clientRpc, limits,
                settings.rpcTimeout());
        rpc.registerBuiltIns(mapper, this::devices, this::statistics);
        this.incoming = new IncomingMessages(new IncomingJson(mapper, settings.maxPayloadSize()), counters, rpc,
                clientRpc);
        this.telemetry = new TelemetryPublisher(encoder, counters, publishes, lifecycle, announcer, limits,
                settings.maxPendingBatches());
    }

    /** The lifecycle's view of the other concerns; called only after the constructor has finished. */
    private final class Hooks implements ConnectionHooks {
        @Override
        public int knownDevices() {
            return announcer.knownDevices();
        }

        @Override
        public void connected() {
            announcer.announceAllAgain();
        }

        @Override
        public Mono<Void> sessionSetUp() {
            return limits.request();
        }

        @Override
        public void received(Mqtt3Publish publish) {
            incoming.dispatch(publish);
        }

        @Override
        public int publishesInFlight() {
            return publishes.inflight();
        }

        @Override
        public boolean batchesUnderWay() {
            return telemetry.batchesUnderWay();
        }

        @Override
        public void closed() {
            clientRpc.cancelAll();
            incoming.complete();
        }
    }

    @Override
    public void start() {
        lifecycle.start();
    }

    @Override
    public <C> Flux<TelemetryAck<C>> publishTelemetry(Publisher<TelemetryBatch<C>> batches) {
        return telemetry.publishTelemetry(batches);
    }

    @Override
    public Mono<Void> connectDevice(String device, String deviceType) {
        return lifecycle.states().awaitConnected().then(Mono.defer(() ->
                announcer.ensureAnnounced(Map.of(device, DeviceAnnouncer.typeOrNone(deviceType)))));
    }

    @Override
    public Mono<Void> disconnectDevice(String device) {
        return lifecycle.states().awaitConnected().then(announcer.disconnect(device));
    }

    @Override
    public Mono<Void> publishAttributes(String device, String deviceType, Map<String, ?> attributes) {
        return telemetry.publishAttributes(device, deviceType, attributes);
    }

    @Override
    public Mono<Void> publishGatewayTelemetry(Map<String, ?> values) {
        return telemetry.publishGatewayTelemetry(values);
    }

    @Override
    public void onDeviceRpc(DeviceRpcHandler handler) {
        rpc.onDeviceRpc(handler);
    }

    @Override
    public void onGatewayRpc(String method, GatewayRpcHandler handler) {
        rpc.onGatewayRpc(method, handler);
    }

    @Override
    public Flux<AttributeUpdate> attributeUpdates() {
        return incoming.attributeUpdates();
    }

    @Override
    public Flux<ConnectionState> connectionStates() {
        return lifecycle.states().flux();
    }

    @Override
    public boolean isConnected() {
        return lifecycle.states().current() == ConnectionState.CONNECTED;
    }

    @Override
    public Optional<ConnectionProblem> connectionProblem() {
        return lifecycle.problem();
    }

    @Override
    public Map<String, String> devices() {
        return announcer.devices();
    }

    @Override
    public TransportStatistics statistics() {
        return counters.snapshot(limits.maxPayloadSize(), window.limit());
    }

    @Override
    public Mono<Void> close() {
        return lifecycle.close();
    }
}
