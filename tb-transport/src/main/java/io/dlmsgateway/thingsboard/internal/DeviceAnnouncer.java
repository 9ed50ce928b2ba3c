package io.dlmsgateway.thingsboard.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Child devices on {@code v1/gateway/connect} and {@code v1/gateway/disconnect}. ThingsBoard ties child sessions to
 * the gateway's MQTT session, so every device ever announced (and not disconnected) is announced again in each new
 * MQTT connection; without that, RPCs and attribute updates stop reaching it. Data of a device waits for its connect
 * to be acknowledged in the current connection: the connect carries the device profile, and ThingsBoard creates a
 * device it first hears of through data with the default one.
 *
 * <p>Threading: the known devices and the connects of the current connection are confined to the lane; public entry
 * points hop onto it. An acknowledged connect settles its sink on the result's thread (sinks may be completed from
 * any thread); a failed one goes back to the lane, to be forgotten before its waiters hear of it. {@link #devices()} reads a snapshot.
 */
final class DeviceAnnouncer {

    /** Device type of a device announced without one: maps here cannot hold null. */
    static final String NO_TYPE = "";
    /** Connects in flight at once when a reconnect announces a large fleet again. */
    private static final int REANNOUNCE_CONCURRENCY = 64;
    /**
     * What an acknowledged connect leaves in {@link #connects}: one completed sink for every device, instead of each
     * device's own kept for as long as the MQTT connection lasts (about 100 bytes per device of a large fleet).
     */
    private static final Sinks.One<Void> ANNOUNCED = announced();

    private final OutgoingPublishes publishes;
    private final PayloadEncoder encoder;
    private final TransportThreads threads;
    /** Device name to device type ({@link #NO_TYPE} for none), in announcement order: announced, not disconnected. */
    private final Map<String, String> known = new LinkedHashMap<>();
    /** Connects sent in the current MQTT connection, settled when acknowledged. */
    private Map<String, Sinks.One<Void>> connects = new HashMap<>();
    /**
     * Shared: an immutable copy of {@link #known} for readers on any thread ({@code devices()}, the gateway_devices
     * RPC), replaced whole on the lane after a change; volatile publishes each new copy safely.
     */
    private volatile Map<String, String> snapshot = DeviceSnapshot.EMPTY;

    DeviceAnnouncer(OutgoingPublishes publishes, PayloadEncoder encoder, TransportThreads threads) {
        this.publishes = publishes;
        this.encoder = encoder;
        this.threads = threads;
    }

    /** The type to announce for a type given as {@code null}. */
    static String typeOrNone(String deviceType) {
        return deviceType == null ? NO_TYPE : deviceType;
    }

    /** Devices announced and not disconnected, with their types ({@code null} when none was given). */
    Map<String, String> devices() {
        return snapshot;
    }

    /** On the lane. */
    int knownDevices() {
        return known.size();
    }

    /**
     * Completes when every device (name to type, {@link #NO_TYPE} for none) is announced in the current connection;
     * sends the connects not sent yet. A type given later replaces the remembered one; none given keeps it.
     */
    Mono<Void> ensureAnnounced(Map<String, String> devices) {
        return Mono.defer(() -> {
            boolean changed = false;
            List<Mono<Void>> waits = new ArrayList<>(devices.size());
            List<String> toSend = new ArrayList<>();
            for (Map.Entry<String, String> device : devices.entrySet()) {
                String before = known.get(device.getKey());
                String type = before != null && NO_TYPE.equals(device.getValue()) ? before : device.getValue();
                if (!type.equals(before)) {
                    known.put(device.getKey(), type);
                    changed = true;
                }
                Sinks.One<Void> connect = connects.get(device.getKey());
                if (connect == null) {
                    connect = Sinks.one();
                    connects.put(device.getKey(), connect);
                    toSend.add(device.getKey());
                }
                waits.add(connect.asMono());
            }
            if (changed) {
                publishSnapshot();
            }
            // sent after the loop so that every connect is registered before any result can come back
            Map<String, Sinks.One<Void>> session = connects;
            toSend.forEach(device -> sendConnect(session, device).subscribe());
            return Mono.when(waits);
        }).subscribeOn(threads.laneScheduler);
    }

    /** On the lane, after each connect: a new MQTT connection, in which every known device is announced again. */
    void announceAllAgain() {
        Map<String, Sinks.One<Void>> session = new HashMap<>();
        List<Mono<Void>> sends = new ArrayList<>(known.size());
        known.keySet().forEach(device -> {
            session.put(device, Sinks.one());
            // built here, on the lane: flatMap subscribes the later ones from the threads of earlier results
            sends.add(sendConnect(session, device));
        });
        connects = session;
        Flux.fromIterable(sends).flatMap(send -> send, REANNOUNCE_CONCURRENCY).subscribe();
    }

    /** Forgets the device, then sends its disconnect; completes when acknowledged. */
    Mono<Void> disconnect(String device) {
        return Mono.fromRunnable(() -> {
                    if (known.remove(device) != null) {
                        publishSnapshot();
                    }
                    connects.remove(device);
                })
                .subscribeOn(threads.laneScheduler)
                .then(publishes.publishNow(Topics.GATEWAY_DISCONNECT, encoder.disconnect(device)));
    }

    /**
     * Called on the lane, sends when subscribed: one connect, settling its sink. A failed connect is forgotten, back
     * on the lane and before its waiters hear of it, so that the next batch of the device tries again. Never errors.
     */
    private Mono<Void> sendConnect(Map<String, Sinks.One<Void>> session, String device) {
        Sinks.One<Void> done = session.get(device);
        String type = known.getOrDefault(device, NO_TYPE);
        return publishes.publishNow(Topics.GATEWAY_CONNECT, encoder.connect(device, NO_TYPE.equals(type) ? null : type))
                .doOnSuccess(v -> {
                    done.tryEmitEmpty();
                    threads.lane.execute(() -> session.replace(device, done, ANNOUNCED));
                })
                .doOnError(e -> threads.lane.execute(() -> {
                    session.remove(device, done);
                    done.tryEmitError(e);
                }))
                .onErrorResume(e -> Mono.empty());
    }

    private static Sinks.One<Void> announced() {
        Sinks.One<Void> sink = Sinks.one();
        sink.tryEmitEmpty(); // a Sinks.One replays its completion to every later subscriber
        return sink;
    }

    private void publishSnapshot() {
        snapshot = new DeviceSnapshot(known);
    }
}
