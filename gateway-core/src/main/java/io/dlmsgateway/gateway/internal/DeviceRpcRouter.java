package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.fleet.ClockSync;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.MeasurementJson;
import io.dlmsgateway.thingsboard.DeviceRpcHandler;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;
import io.dlmsgateway.thingsboard.RpcMethodNotFoundException;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Answers ThingsBoard's RPCs to meters:
 * <ul>
 *   <li>{@code read}: reads now, outside the schedule. Params: a list of measurement names or OBIS codes
 *       ({@code ["voltage_l1","1.0.14.7.0.255"]}), an object {@code {"measurements":[...]}}, a comma-separated string,
 *       or nothing for the device's configured measurements; at most {@link #MAX_OBJECTS_PER_READ}, else the
 *       request is refused with the reason ({@code {"error":..,"code":400}}) and nothing is read.
 *       Reply: {@code {"voltage_l1":{"value":230.1,"unit":"V"},...}}, refused objects as {@code {"error":"object-undefined","result":4}}.</li>
 *   <li>{@code reconnect}: drops the association and reconnects at once. Reply {@code {"result":"reconnecting"}}.</li>
 *   <li>{@code getStatistics}: the device's counters.</li>
 *   <li>{@code getClock}: reads the meter's clock now. Reply {@code {"meterTime":"2026-11-30T21:30:00.120Z",
 *       "deviationMs":90012,"roundTripMs":4,"clockStatus":0,"dateTime":"..."}} (meter minus gateway).</li>
 *   <li>{@code syncClock}: corrects the meter's clock now (shift_time up to 900 s, else the time set) and reads it
 *       again. Reply {@code {"method":"shift_time","shiftedSeconds":-90,"deviationBeforeMs":90012,
 *       "deviationAfterMs":8}}; {@code "method":"none"} when it was off by less than half a second; a meter that
 *       refuses {@code {"error":"read-write-denied","result":3,"reason":"..."}}.</li>
 * </ul>
 * Other methods are answered "Method not found"; failures (meter down, unknown OBIS) with the reason.
 */
public final class DeviceRpcRouter implements DeviceRpcHandler {

    /**
     * Most objects one {@code read} may ask for. The largest real meters expose a few hundred objects (the
     * association's object list of a polyphase industrial meter); a thousand covers any of them in one read and
     * keeps a request's work and its reply (a few dozen bytes per object) bounded.
     */
    public static final int MAX_OBJECTS_PER_READ = 1000;
    /** Longest entry: a measurement name (as a ThingsBoard key, at most 255) or {@code CLASS/OBIS/ATTRIBUTE}. */
    public static final int MAX_ENTRY_CHARS = 255;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final MeterFleet fleet;

    public DeviceRpcRouter(MeterFleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public Mono<JsonNode> handle(DeviceRpcRequest request) {
        return switch (request.method()) {
            // the params are checked here, on the transport's lane, before the fleet sees them
            case "read" -> Mono.defer(() -> fleet.readNow(request.device(), entries(request.params())))
                    .map(DeviceRpcRouter::reply);
            case "reconnect" -> fleet.reconnect(request.device())
                    .thenReturn(NODES.objectNode().put("result", "reconnecting"));
            case "getStatistics" -> Mono.fromCallable(() -> statistics(fleet.deviceStatistics(request.device())
                    .orElseThrow(() -> new IllegalArgumentException("no device named '" + request.device() + "'"))));
            case "getClock" -> fleet.readClock(request.device()).<JsonNode>map(DeviceRpcRouter::clock)
                    .onErrorResume(DlmsAccessException.class, e -> Mono.just(refusal(e)));
            case "syncClock" -> fleet.syncClock(request.device()).<JsonNode>map(DeviceRpcRouter::sync)
                    .onErrorResume(DlmsAccessException.class, e -> Mono.just(refusal(e)));
            default -> Mono.error(new RpcMethodNotFoundException(request.method()));
        };
    }

    /**
     * The entries a {@code read} asks for, checked and bounded before anything of them reaches a meter's session:
     * at most {@link #MAX_OBJECTS_PER_READ}, each a string of at most {@link #MAX_ENTRY_CHARS} characters, duplicates
     * read once. Linear in the size of the params, whatever they hold; the refusal names the bound.
     *
     * @throws RpcRefusedException with the reason, answered {@code {"error":..,"code":400}}
     */
    static List<String> entries(JsonNode params) {
        if (params == null || params.isMissingNode() || params.isNull()) {
            return List.of();
        }
        JsonNode list = params;
        if (params.isObject()) {
            list = params.path("measurements");
            if (list.isMissingNode() || list.isNull()) {
                throw new RpcRefusedException("read: expected params as a list of measurement names or OBIS codes,"
                        + " or {\"measurements\":[...]}");
            }
        }
        Set<String> entries = new LinkedHashSet<>();
        if (list.isArray()) {
            requireWithinBound(list.size());
            for (JsonNode e : list) {
                if (!e.isTextual()) {
                    throw new RpcRefusedException("read: every entry must be a string (a measurement name or an"
                            + " OBIS code), got " + e.getNodeType().name().toLowerCase(Locale.ROOT));
                }
                add(entries, e.textValue());
            }
        } else if (list.isTextual()) {
            String text = list.textValue();
            // a comma-separated string: bounded in length before it is split, so no split of megabytes happens
            if (text.length() > (long) MAX_OBJECTS_PER_READ * (MAX_ENTRY_CHARS + 1)) {
                throw new RpcRefusedException("read: " + text.length() + " characters of entries is more than "
                        + MAX_OBJECTS_PER_READ + " entries can take; at most " + MAX_OBJECTS_PER_READ
                        + " objects per read");
            }
            String[] parts = text.split(",");
            requireWithinBound(parts.length);
            for (String part : parts) {
                if (!part.isBlank()) {
                    add(entries, part);
                }
            }
        } else {
            throw new RpcRefusedException("read: expected params as a list of measurement names or OBIS codes, got "
                    + list.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return List.copyOf(entries);
    }

    private static void requireWithinBound(int count) {
        if (count > MAX_OBJECTS_PER_READ) {
            throw new RpcRefusedException("read: " + count + " objects asked for; at most " + MAX_OBJECTS_PER_READ
                    + " objects per read (split the request)");
        }
    }

    private static void add(Set<String> entries, String entry) {
        String trimmed = entry.trim();
        if (trimmed.isEmpty()) {
            throw new RpcRefusedException("read: an entry is blank");
        }
        if (trimmed.length() > MAX_ENTRY_CHARS) {
            throw new RpcRefusedException("read: an entry of " + trimmed.length() + " characters; at most "
                    + MAX_ENTRY_CHARS + " (a measurement name or an OBIS code)");
        }
        entries.add(trimmed);
    }

    static ObjectNode reply(MeterReading reading) {
        return MeasurementJson.read(reading.values().values(), reading.refusals());
    }

    static ObjectNode clock(ClockReading reading) {
        ObjectNode node = NODES.objectNode();
        reading.meterTime().ifPresent(t -> node.put("meterTime", t.toString()));
        reading.deviation().ifPresent(d -> node.put("deviationMs", d.toMillis()));
        node.put("roundTripMs", reading.roundTrip().toMillis())
                .put("clockStatus", reading.time().clockStatus())
                .put("dateTime", reading.time().toString());
        return node;
    }

    static ObjectNode sync(ClockSync sync) {
        ObjectNode node = NODES.objectNode().put("method", switch (sync.method()) {
            case NONE -> "none";
            case SHIFT_TIME -> "shift_time";
            case SET_TIME -> "set_time";
        });
        if (sync.method() == ClockSync.Method.SHIFT_TIME) {
            node.put("shiftedSeconds", sync.shiftedSeconds());
        }
        sync.before().deviation().ifPresent(d -> node.put("deviationBeforeMs", d.toMillis()));
        sync.after().flatMap(ClockReading::deviation).ifPresent(d -> node.put("deviationAfterMs", d.toMillis()));
        return node;
    }

    /** A meter's refusal as a reply, as {@code read} gives it per object. */
    static ObjectNode refusal(DlmsAccessException e) {
        String message = e.getMessage();
        String prefix = "[" + e.meter() + "] ";
        return NODES.objectNode().put("error", e.resultName()).put("result", e.result())
                .put("reason", message != null && message.startsWith(prefix) ? message.substring(prefix.length())
                        : message);
    }

    static ObjectNode statistics(DeviceStatistics s) {
        ObjectNode node = NODES.objectNode()
                .put("state", s.state().name())
                .put("polls", s.polls())
                .put("successes", s.successes())
                .put("failures", s.failures())
                .put("successRate", Math.round(s.successRate() * 10) / 10.0)
                .put("skipped", s.skipped())
                .put("missed", s.missed())
                .put("bytesReceived", s.bytesReceived())
                .put("bytesSent", s.bytesSent())
                .put("protocolViolations", s.protocolViolations());
        s.lastPoll().ifPresent(t -> node.put("lastPoll", t.toString()));
        s.lastLatency().ifPresent(l -> node.put("lastLatencyMs", l.toMillis()));
        s.lastError().ifPresent(e -> node.put("lastError", e));
        return node;
    }
}
