package io.dlmsgateway.thingsboard;

import io.dlmsgateway.thingsboard.internal.HiveMqThingsBoardTransport;
import java.util.Map;
import java.util.Optional;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A gateway device's connection to ThingsBoard through the Gateway MQTT API, carrying telemetry and attributes of
 * any number of child devices up and their RPCs and shared attribute updates down.
 *
 * <p>Lifecycle: {@link #create} it, register handlers, {@link #start()} it (returns at once; the connection is made in
 * the background and retried with backoff for as long as ThingsBoard cannot be reached), {@link #close()} it.
 * Child devices are announced with {@code v1/gateway/connect} before their first data and again after every
 * reconnect, because ThingsBoard ties child sessions to the gateway's MQTT session.
 *
 * <p>Nothing here blocks; every method may be called from any thread, including Netty event loops.
 */
public interface ThingsBoardTransport {

    /** A transport for these settings, not yet connecting. */
    static ThingsBoardTransport create(ThingsBoardSettings settings) {
        return new HiveMqThingsBoardTransport(settings);
    }

    /** Starts connecting in the background; idempotent. */
    void start();

    /**
     * Publishes telemetry batches and reports each batch's outcome, for callers that must forget data only once the
     * broker has it (a disk spool, for instance).
     *
     * <p>Each batch is encoded to {@code v1/gateway/telemetry} payloads covering many devices, split so that no
     * publish exceeds the maximum payload size; an entry too large alone is split into several entries with the same
     * timestamp; a single value too large alone is dropped, counted and logged. Devices not yet announced in the
     * current MQTT session are announced first, and their connects acknowledged, before the batch's telemetry goes.
     *
     * <p>The returned Flux emits one {@link TelemetryAck} per batch, in the order of the batches, once all of the
     * batch's publishes are acknowledged (QoS 1) or written (QoS 0), or one of them failed. Failures are acks with an
     * error, never an error of the Flux. Bounds: at most {@link ThingsBoardSettings#maxPendingBatches()} batches are
     * requested from upstream ahead of their acks, and at most {@link ThingsBoardSettings#maxInflight()} (or the
     * narrower window announced by ThingsBoard) telemetry publishes are unacknowledged; while the connection is down
     * batches wait, so no more are requested. Publishes already handed to the MQTT client when the connection drops
     * stay queued in it and are sent again after the reconnect. Compose upstream with
     * {@code bufferTimeout(size, time, true)}, whose fair backpressure copes with the missing demand during an
     * outage. The Flux completes after upstream completes and every taken batch is reported, or when the transport
     * closes (batches not reported then were not acknowledged).
     *
     * @param batches telemetry batches with caller contexts
     * @param <C>     type of the caller's context
     */
    <C> Flux<TelemetryAck<C>> publishTelemetry(Publisher<TelemetryBatch<C>> batches);

    /**
     * Announces a device ({@code v1/gateway/connect}) unless already announced in this MQTT session, and remembers it
     * to announce again after reconnects. Completes when acknowledged.
     */
    Mono<Void> connectDevice(String device, String deviceType);

    /** Sends {@code v1/gateway/disconnect} for a device and forgets it. Completes when acknowledged. */
    Mono<Void> disconnectDevice(String device);

    /**
     * Publishes client-side attributes of a device on {@code v1/gateway/attributes}, announcing it first if needed.
     * Completes when acknowledged.
     */
    Mono<Void> publishAttributes(String device, String deviceType, Map<String, ?> attributes);

    /** Publishes the gateway device's own telemetry ({@code v1/devices/me/telemetry}). Completes when acknowledged. */
    Mono<Void> publishGatewayTelemetry(Map<String, ?> values);

    /**
     * Sets the handler of device RPCs ({@code v1/gateway/rpc}), replacing the previous one. Without a handler every
     * device RPC is answered {@code {"error":"Method not found","code":404}}.
     */
    void onDeviceRpc(DeviceRpcHandler handler);

    /**
     * Sets the handler of one gateway RPC method ({@code v1/devices/me/rpc/request/+}). The {@code gateway_} prefix is
     * optional both here and in requests, as in the ThingsBoard IoT Gateway. Built in: {@code gateway_ping} answers
     * {@code {"code":200,"resp":"pong"}}; {@code gateway_devices} answers the announced devices and their types, and
     * {@code gateway_stats} this transport's statistics, unless replaced here. Unknown methods are answered
     * {@code {"error":"Method not found","code":404}}.
     */
    void onGatewayRpc(String method, GatewayRpcHandler handler);

    /**
     * Shared attribute updates of child devices. Hot: updates arriving with no subscriber are kept up to a bounded
     * buffer (1 024), then counted and dropped.
     */
    Flux<AttributeUpdate> attributeUpdates();

    /** The current connection state first, then every change. */
    Flux<ConnectionState> connectionStates();

    /** Whether the connection is {@link ConnectionState#CONNECTED}. */
    boolean isConnected();

    /**
     * Why the transport is not connected, told apart the way an operator fixes it (credentials, TLS, host, network,
     * ThingsBoard itself); empty while connected and before the first attempt ended.
     */
    default Optional<ConnectionProblem> connectionProblem() {
        return Optional.empty();
    }

    /** Devices announced so far and not disconnected, with their device types ({@code null} when none was given). */
    Map<String, String> devices();

    TransportStatistics statistics();

    /**
     * Stops taking telemetry batches, waits up to {@link ThingsBoardSettings#closeTimeout()} for unacknowledged
     * publishes, then disconnects and releases the transport's own threads. Idempotent.
     */
    Mono<Void> close();
}
