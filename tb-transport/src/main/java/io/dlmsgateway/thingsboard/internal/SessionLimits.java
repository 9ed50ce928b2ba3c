package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import reactor.core.publisher.Mono;

/**
 * The limits ThingsBoard sets this gateway's session: maximum payload size and in-flight window, asked for after each
 * connect with the client-side RPC {@code getSessionLimits}, as the official Python gateway does. ThingsBoard closes
 * the connection of a gateway that exceeds them, so like that gateway we keep to 80 % of what is announced, never
 * above the configured values (the in-flight one is also the MQTT client's fixed send maximum), and fall back on the
 * configured values when nothing is announced in time.
 *
 * <p>Threading: {@link #request()} may be subscribed from any thread; the answer is applied on whichever thread
 * delivers it. The maximum payload size is read by every encoding thread.
 */
final class SessionLimits {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;
    private static final String METHOD = "getSessionLimits";
    /** ThingsBoard numbers its own RPCs on the same topic: only an answer carrying limits is ours. */
    private static final Predicate<JsonNode> IS_LIMITS_ANSWER =
            json -> json.has("maxPayloadSize") || json.has("maxInflightMessages") || json.has("rateLimits");
    /** Smallest payload budget kept whatever is announced: room for one telemetry entry of one value. */
    static final int MIN_PAYLOAD_SIZE = 256;

    /** Limits in force. */
    record Limits(int maxPayloadSize, int maxInflight) {
    }

    private final ThingsBoardSettings settings;
    private final ClientSideRpc rpc;
    private final InflightWindow window;
    /**
     * Shared: written by whichever thread applies an answer, read by every thread encoding a payload. A single int
     * replaced whole, so volatile is enough; the window keeps its own limit under its lock.
     */
    private volatile int maxPayloadSize;

    SessionLimits(ThingsBoardSettings settings, ClientSideRpc rpc, InflightWindow window) {
        this.settings = settings;
        this.rpc = rpc;
        this.window = window;
        this.maxPayloadSize = settings.maxPayloadSize();
    }

    /**
     * 80 % of each announced limit, at least {@link #MIN_PAYLOAD_SIZE} and 1, at most the configured value; a limit
     * missing or not positive in the answer leaves the configured value.
     */
    static Limits keepEightyPercent(JsonNode answer, int configuredPayloadSize, int configuredInflight) {
        int payload = answer.path("maxPayloadSize").asInt(0);
        int inflight = answer.path("maxInflightMessages").asInt(0);
        return new Limits(
                payload > 0 ? Math.max(MIN_PAYLOAD_SIZE, Math.min(configuredPayloadSize, (int) (payload * 0.8)))
                        : configuredPayloadSize,
                inflight > 0 ? Math.max(1, Math.min(configuredInflight, (int) (inflight * 0.8))) : configuredInflight);
    }

    /** Asks ThingsBoard and applies the answer or, failing one, the configured limits; never errors. */
    Mono<Void> request() {
        Duration timeout = settings.sessionLimitsTimeout();
        if (timeout.isZero()) {
            return Mono.empty();
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("timeout", timeout.toMillis());
        return rpc.call(METHOD, params, IS_LIMITS_ANSWER, timeout)
                .doOnNext(this::apply)
                .switchIfEmpty(Mono.fromRunnable(this::applyConfigured))
                .onErrorResume(e -> {
                    LOG.info("No session limits from ThingsBoard ({}); using the configured ones",
                            e instanceof TimeoutException ? "no answer in " + timeout : e.toString());
                    applyConfigured();
                    return Mono.empty();
                })
                .then();
    }

    int maxPayloadSize() {
        return maxPayloadSize;
    }

    /** Bytes a payload on this topic may take: ThingsBoard's limit applies to the whole PUBLISH remaining length. */
    int payloadBudget(String topic) {
        return maxPayloadSize - Topics.publishOverhead(topic);
    }

    private void apply(JsonNode answer) {
        Limits limits = keepEightyPercent(answer, settings.maxPayloadSize(), settings.maxInflight());
        maxPayloadSize = limits.maxPayloadSize();
        window.setLimit(limits.maxInflight());
        LOG.info("ThingsBoard session limits {}: using maxPayloadSize {} and maxInflight {}", answer,
                maxPayloadSize, window.limit());
    }

    private void applyConfigured() {
        maxPayloadSize = settings.maxPayloadSize();
        window.setLimit(settings.maxInflight());
    }
}
