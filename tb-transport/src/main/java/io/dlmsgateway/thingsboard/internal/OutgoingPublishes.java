package io.dlmsgateway.thingsboard.internal;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3RxClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3PublishResult;
import io.reactivex.Flowable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * Every MQTT publish of the transport goes through here: the reactive {@code publish(Flowable)} of the HiveMQ client,
 * never the async {@code send()}, which blocks when the in-flight window is full and deadlocks on an event loop.
 * Publishes of telemetry and attributes wait for a permit of the in-flight {@link InflightWindow}; RPC replies,
 * requests and device connects do not, so a full window never delays an answer.
 *
 * <p>Threading: any thread may publish and nothing blocks. Payloads are handed to the client on the subscriber's
 * thread (or the thread that released a window permit); results arrive on the application executor. Cancellation
 * (close, a caller giving up) may come from yet another thread, which is why the per-call counts are atomic.
 */
final class OutgoingPublishes {

    /** HiveMQ serves 64 publish Flowables at once and blocks the caller of the next; stay well below. */
    private static final int MAX_CONCURRENT_PUBLISH_FLOWABLES = 32;

    private final Mqtt3RxClient client;
    private final MqttQos qos;
    private final TransportCounters counters;
    private final InflightWindow window;
    /** Publish calls under way; below the MQTT client's fixed 64 concurrent publish Flowables. */
    private final InflightWindow publishFlowables = new InflightWindow(MAX_CONCURRENT_PUBLISH_FLOWABLES);
    /**
     * Shared: publishes handed to the client and not yet answered, counted up by the threads handing them over,
     * down by the result thread, read by close's drain on the timer. An atomic is all three need.
     */
    private final AtomicInteger inflight = new AtomicInteger();

    OutgoingPublishes(Mqtt3RxClient client, MqttQos qos, TransportCounters counters, InflightWindow window) {
        this.client = client;
        this.qos = qos;
        this.counters = counters;
        this.window = window;
    }

    /** Publishes handed to the client and not answered yet. */
    int inflight() {
        return inflight.get();
    }

    /**
     * Publishes payloads on one topic and completes when every one is acknowledged; fails with the first failed
     * result. {@code windowed} publishes each wait for a permit of the in-flight window.
     */
    Mono<Void> publish(String topic, List<byte[]> payloads, boolean windowed) {
        if (payloads.isEmpty()) {
            return Mono.empty();
        }
        // each call is one publish Flowable of the MQTT client, which serves at most 64 at once and makes the 65th
        // subscriber's thread wait (MqttPublishFlowables.add): hold a place first, without blocking anyone.
        // Shared per call: set by the acquiring thread, cleared by whichever of result and cancel comes last.
        AtomicBoolean placeHeld = new AtomicBoolean();
        return publishFlowables.acquire()
                .doOnSuccess(v -> placeHeld.set(true))
                .then(publishHoldingPlace(topic, payloads, windowed))
                .doFinally(signal -> {
                    if (placeHeld.compareAndSet(true, false)) {
                        publishFlowables.release(1);
                    }
                });
    }

    /** Publishes outside the window and without waiting for the connection: RPC replies, requests, connects. */
    Mono<Void> publishNow(String topic, byte[] payload) {
        return publish(topic, List.of(payload), false);
    }

    private Mono<Void> publishHoldingPlace(String topic, List<byte[]> payloads, boolean windowed) {
        return Mono.defer(() -> {
            // Shared per call: window permits this call holds, taken on the handing-over thread and given back on
            // each result and, whatever is left, when the call ends (possibly by a cancel from another thread)
            AtomicInteger held = new AtomicInteger();
            Flux<Mqtt3Publish> source = Flux.fromIterable(payloads).map(p -> toPublish(topic, p));
            if (windowed) {
                source = source.concatMap(p -> window.acquire().doOnSuccess(v -> held.incrementAndGet()).thenReturn(p),
                        1);
            }
            // Shared per call, like held: publishes of this call whose result has not been seen
            AtomicInteger outstanding = new AtomicInteger();
            Flux<Mqtt3Publish> counted = source.doOnNext(p -> {
                inflight.incrementAndGet();
                outstanding.incrementAndGet();
                counters.messagesSent.increment();
                counters.bytesSent.add(p.getPayload().map(b -> b.remaining()).orElse(0));
            });
            return Flux.from(client.publish(Flowable.fromPublisher(counted)))
                    .handle((Mqtt3PublishResult result, SynchronousSink<Void> sink) -> {
                        inflight.decrementAndGet();
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
                        inflight.addAndGet(-outstanding.getAndSet(0));
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
}
