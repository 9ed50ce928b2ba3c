package io.dlmsgateway.thingsboard.internal;

import io.dlmsgateway.thingsboard.DeviceTelemetry;
import io.dlmsgateway.thingsboard.TelemetryAck;
import io.dlmsgateway.thingsboard.TelemetryBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Device data going up: telemetry batches with their acks, client attributes and the gateway's own telemetry. Each
 * upload waits for CONNECTED and for its devices' connects, is split by {@link PayloadEncoder} to the payload size in
 * force, and its telemetry publishes wait for the in-flight window.
 *
 * <p>Threading: no state of its own but the batches under way, counted from the threads that start and end them and
 * read by close's drain. Encoding runs on the thread that finds a batch ready (the lane or a publish result's thread);
 * the limits it encodes to are read through {@link SessionLimits}.
 */
final class TelemetryPublisher {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;

    private final PayloadEncoder encoder;
    private final TransportCounters counters;
    private final OutgoingPublishes publishes;
    private final ConnectionLifecycle lifecycle;
    private final DeviceAnnouncer announcer;
    private final SessionLimits limits;
    private final int maxPendingBatches;
    /**
     * Shared: batches encoded and not yet reported, counted up and down on whichever threads start and finish them,
     * read by close's drain on the timer; an atomic counter is all that needs.
     */
    private final AtomicInteger batchesUnderWay = new AtomicInteger();

    TelemetryPublisher(PayloadEncoder encoder, TransportCounters counters, OutgoingPublishes publishes,
            ConnectionLifecycle lifecycle, DeviceAnnouncer announcer, SessionLimits limits, int maxPendingBatches) {
        this.encoder = encoder;
        this.counters = counters;
        this.publishes = publishes;
        this.lifecycle = lifecycle;
        this.announcer = announcer;
        this.limits = limits;
        this.maxPendingBatches = maxPendingBatches;
    }

    boolean batchesUnderWay() {
        return batchesUnderWay.get() > 0;
    }

    <C> Flux<TelemetryAck<C>> publishTelemetry(Publisher<TelemetryBatch<C>> batches) {
        // takeUntilOther stops taking batches on close; those already taken still finish and are reported.
        // Batches are made ready one after the other (connected, devices announced) and only then published, many
        // at once: batches waiting for the same connect acknowledgement would otherwise go out in whatever order
        // its waiters are woken, and a device's readings with them.
        return Flux.from(batches)
                .takeUntilOther(lifecycle.closing())
                .concatMap(batch -> readyToPublish(batch)
                        .then(Mono.just(Map.entry(batch, Optional.<Throwable>empty())))
                        .onErrorResume(e -> Mono.just(Map.entry(batch, Optional.of(e)))), 1)
                .flatMapSequential(ready -> ready.getValue().isPresent()
                        ? Mono.just(failed(ready.getKey(), ready.getValue().get()))
                        : publishBatch(ready.getKey()), maxPendingBatches, 1);
    }

    Mono<Void> publishAttributes(String device, String deviceType, Map<String, ?> attributes) {
        return lifecycle.states().awaitConnected().then(Mono.defer(() -> {
            int[] dropped = new int[1];
            List<byte[]> payloads = encoder.encodeDeviceAttributes(device, attributes,
                    limits.payloadBudget(Topics.GATEWAY_ATTRIBUTES), dropped);
            counted(payloads, dropped[0]);
            return announcer.ensureAnnounced(Map.of(device, DeviceAnnouncer.typeOrNone(deviceType)))
                    .then(publishes.publish(Topics.GATEWAY_ATTRIBUTES, payloads, true));
        }));
    }

    Mono<Void> publishGatewayTelemetry(Map<String, ?> values) {
        return lifecycle.states().awaitConnected().then(Mono.defer(() -> {
            int[] dropped = new int[1];
            List<byte[]> payloads = encoder.encodeObject(values, limits.payloadBudget(Topics.ME_TELEMETRY), dropped);
            counted(payloads, dropped[0]);
            return publishes.publish(Topics.ME_TELEMETRY, payloads, true);
        }));
    }

    private void counted(List<byte[]> payloads, int droppedValues) {
        counters.droppedValues.add(droppedValues);
        counters.payloadSplits.add(Math.max(0, payloads.size() - 1));
    }

    /** Completes once connected and every device of the batch is announced in this MQTT connection. */
    private Mono<Void> readyToPublish(TelemetryBatch<?> batch) {
        return lifecycle.states().awaitConnected().then(Mono.defer(() -> {
            Map<String, String> devices = new LinkedHashMap<>();
            for (DeviceTelemetry entry : batch.entries()) {
                devices.putIfAbsent(entry.device(), DeviceAnnouncer.typeOrNone(entry.deviceType()));
            }
            return announcer.ensureAnnounced(devices);
        }));
    }

    private <C> TelemetryAck<C> failed(TelemetryBatch<C> batch, Throwable e) {
        counters.batchesFailed.increment();
        LOG.debug("Telemetry batch failed", e);
        return new TelemetryAck<>(batch.context(), 0, 0, e);
    }

    private <C> Mono<TelemetryAck<C>> publishBatch(TelemetryBatch<C> batch) {
        return Mono.defer(() -> {
                    batchesUnderWay.incrementAndGet();
                    PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(batch.entries(),
                            limits.payloadBudget(Topics.GATEWAY_TELEMETRY));
                    counters.telemetryEntries.add(encoded.entries());
                    counters.telemetryValues.add(encoded.values());
                    counted(encoded.payloads(), encoded.droppedValues());
                    return publishes.publish(Topics.GATEWAY_TELEMETRY, encoded.payloads(), true)
                            .thenReturn(new TelemetryAck<>(batch.context(), encoded.payloads().size(),
                                    encoded.droppedValues(), null))
                            .doFinally(signal -> batchesUnderWay.decrementAndGet());
                })
                .doOnNext(ack -> counters.batchesAcked.increment())
                .onErrorResume(e -> Mono.just(failed(batch, e)));
    }
}
