package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.gateway.AttributeWrite;
import io.dlmsgateway.gateway.DlmsJson;
import io.dlmsgateway.gateway.DlmsJson.DeviceClock;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.resources.LogText;
import io.dlmsgateway.thingsboard.AttributeUpdate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Writes ThingsBoard shared attributes to meters ({@link GatewayDevice#attributeWrites()}): each changed key that
 * names a meter attribute is written with {@link MeterFleet#set}, typed as its {@code valueType} says or as the
 * attribute's current value (read first).
 *
 * <p>One write per key and meter at a time; a value that arrives while one is on the wire is written after it, only
 * the latest. A write that fails for want of the meter (not connected, timed out, association or connection lost,
 * any failure but the meter's refusal) is, when the key has {@code retry}, kept, the latest value per key, and
 * written again once the meter is associated again: {@link #retryPending()}, called on the gateway's timer every
 * {@link #CHECK_INTERVAL}, starts it within that time of the meter's next association (its connect count has grown
 * and it is up), or after {@link #RETRY_WITHOUT_RECONNECT} while it stays up (a control association failed while
 * the poll's went on). Kept writes live in memory only: a restart of the gateway forgets them. A refusal (read-write-denied, type-unmatched, ...) or a value that is not of the type is
 * logged and counted, never retried: writing it again would be refused again.
 *
 * <p>Logs: INFO for a write done, WARN for a refusal with the result's name or a failure with its reason; values
 * are cut to {@link #LOGGED_VALUE_CHARS} characters so a line stays a line.
 */
public final class AttributeWriter {

    /** How often the gateway's timer looks for meters associated again. */
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /** A kept write is tried again after this long while its meter stays up without reconnecting. */
    public static final Duration RETRY_WITHOUT_RECONNECT = Duration.ofSeconds(60);
    static final int LOGGED_VALUE_CHARS = 64;

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.gateway.DLMSConnector");

    private final MeterFleet fleet;
    private final Map<String, GatewayDevice> devices;
    private final LongSupplier nanoTime;
    private final Map<Target, Slot> slots = new ConcurrentHashMap<>();
    private final LongAdder written = new LongAdder();
    private final LongAdder failed = new LongAdder();

    private record Target(String device, String key) {
        @Override
        public String toString() {
            return "'" + key + "' of '" + device + "'";
        }
    }

    /** What is to be written to one key of one meter; guarded by itself. */
    private static final class Slot {
        final AttributeWrite write;
        JsonNode latest;
        boolean inFlight;
        /** Kept for a retry: waiting for the meter. */
        boolean waiting;
        long connectsAtFailure;
        long failedAtNanos;

        Slot(AttributeWrite write) {
            this.write = write;
        }
    }

    public AttributeWriter(MeterFleet fleet, Map<String, GatewayDevice> devices, LongSupplier nanoTime) {
        this.fleet = fleet;
        this.devices = devices;
        this.nanoTime = nanoTime;
    }

    /** Writes every key of the update the device maps onto a meter attribute; other keys are left alone. */
    public void apply(AttributeUpdate update) {
        GatewayDevice device = devices.get(update.device());
        if (device == null || device.attributeWrites().isEmpty()) {
            return;
        }
        update.values().fields().forEachRemaining(field -> {
            AttributeWrite write = device.attributeWrites().get(field.getKey());
            if (write == null) {
                return;
            }
            if (!device.polled()) {
                failed.increment();
                log.warn("[DLMSConnector] Shared attribute {} not written: push-only device, no association",
                        new Target(device.name(), write.key()));
                return;
            }
            Target target = new Target(device.name(), write.key());
            Slot slot = slots.computeIfAbsent(target, t -> new Slot(write));
            boolean start;
            synchronized (slot) {
                slot.latest = field.getValue();
                // a newer value replaces one waiting for the meter: it is tried now, as any new write is
                slot.waiting = false;
                start = !slot.inFlight;
                slot.inFlight = true;
            }
            if (start) {
                write(target, slot);
            }
        });
    }

    /**
     * Starts the kept writes of meters associated again since their write failed (or up for
     * {@link #RETRY_WITHOUT_RECONNECT} since). Cheap: a look at each waiting key's meter state.
     */
    public void retryPending() {
        long now = nanoTime.getAsLong();
        slots.forEach((target, slot) -> {
            Optional<DeviceStatistics> stats = fleet.deviceStatistics(target.device());
            if (stats.isEmpty() || stats.get().state() != DeviceState.UP) {
                return;
            }
            boolean start;
            synchronized (slot) {
                start = slot.waiting && !slot.inFlight && (stats.get().connects() > slot.connectsAtFailure
                        || now - slot.failedAtNanos >= RETRY_WITHOUT_RECONNECT.toNanos());
                if (start) {
                    slot.waiting = false;
                    slot.inFlight = true;
                }
            }
            if (start) {
                log.info("[DLMSConnector] Meter '{}' is associated again: writing shared attribute '{}' kept since"
                        + " it failed", LogText.escape(target.device()), LogText.escape(target.key()));
                write(target, slot);
            }
        });
    }

    /** Writes done since start. */
    public long written() {
        return written.sum();
    }

    /** Writes refused or failed since start (a retried write that fails again counts again). */
    public long failed() {
        return failed.sum();
    }

    /** Writes kept for the meter's next association now. */
    public long pending() {
        return slots.values().stream().filter(slot -> {
            synchronized (slot) {
                return slot.waiting;
            }
        }).count();
    }

    private void write(Target target, Slot slot) {
        JsonNode json;
        synchronized (slot) {
            json = slot.latest;
        }
        GatewayDevice device = devices.get(target.device());
        DeviceClock clock = DeviceClock.of(device.meter().client());
        AttributeWrite write = slot.write;
        Mono<DlmsValue> value = write.valueType().isPresent() || (json.isObject() && json.has("type"))
                ? Mono.fromCallable(() -> DlmsJson.typed(json, write.valueType().orElse(null), clock))
                : fleet.get(target.device(), write.target(), null).map(current -> DlmsJson.like(json, current, clock));
        // the connect count before the write: a reconnect after it is the association the retry waits for
        long connectsBefore = fleet.deviceStatistics(target.device()).map(DeviceStatistics::connects).orElse(0L);
        Mono.defer(() -> value)
                .flatMap(v -> fleet.set(target.device(), write.target(), v).thenReturn(v))
                .subscribe(v -> {
                    written.increment();
                    log.info("[DLMSConnector] Shared attribute {} written to {}: {}", target, write.target(),
                            bounded(v.toString()));
                    done(target, slot, json);
                }, e -> failed(target, slot, json, e, connectsBefore));
    }

    private void failed(Target target, Slot slot, JsonNode json, Throwable e, long connectsBefore) {
        failed.increment();
        AttributeWrite write = slot.write;
        if (e instanceof DlmsAccessException refused) {
            log.warn("[DLMSConnector] Shared attribute {} refused by the meter: {} (result {}); value {}", target,
                    refused.resultName(), refused.result(), bounded(json.toString()));
            done(target, slot, json);
        } else if (e instanceof IllegalArgumentException wrong) {
            log.warn("[DLMSConnector] Shared attribute {} not written: {}", target, LogText.remote(wrong.getMessage()));
            done(target, slot, json);
        } else if (e instanceof DlmsException && write.retry()) {
            boolean newer;
            synchronized (slot) {
                newer = slot.latest != json;
                slot.inFlight = newer;
                slot.waiting = !newer;
                slot.connectsAtFailure = connectsBefore;
                slot.failedAtNanos = nanoTime.getAsLong();
            }
            log.warn("[DLMSConnector] Shared attribute {} not written, kept for the meter's next association: {}",
                    target, LogText.remote(e.getMessage()));
            if (newer) {
                write(target, slot);
            }
        } else {
            log.warn("[DLMSConnector] Shared attribute {} not written: {}", target, LogText.remote(String.valueOf(
                    e.getMessage())));
            done(target, slot, json);
        }
    }

    /** The write of {@code json} is over: the slot goes, unless a newer value came meanwhile, which is written now. */
    private void done(Target target, Slot slot, JsonNode json) {
        boolean newer;
        synchronized (slot) {
            newer = slot.latest != json;
            slot.inFlight = newer;
            if (!newer) {
                slots.remove(target, slot);
            }
        }
        if (newer) {
            write(target, slot);
        }
    }

    private static String bounded(String text) {
        String escaped = LogText.escape(text);
        return escaped.length() <= LOGGED_VALUE_CHARS ? escaped : escaped.substring(0, LOGGED_VALUE_CHARS) + "...";
    }
}
