package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.fleet.PushSource;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The push sources by what identifies them: one map per {@link PushMatch.Kind}, filled once, read from every loop.
 */
public final class PushSources {

    private final Map<PushMatch.Kind, Map<String, PushSource>> byKind = new EnumMap<>(PushMatch.Kind.class);
    /**
     * The last invocation counter accepted per device, for replay protection. Shared: written by the connections of
     * every event loop (a meter may reconnect on another), hence concurrent; in memory, so after a restart the first
     * notification of each device sets it again.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> lastCounters =
            new java.util.concurrent.ConcurrentHashMap<>();

    public PushSources(List<PushSource> sources) {
        for (PushMatch.Kind kind : PushMatch.Kind.values()) {
            byKind.put(kind, new HashMap<>());
        }
        for (PushSource s : sources) {
            PushSource before = byKind.get(s.match().kind()).putIfAbsent(s.match().value(), s);
            if (before != null) {
                throw new IllegalArgumentException("push sources '" + before.device() + "' and '" + s.device()
                        + "' both match " + s.match().kind() + " " + s.match().value());
            }
        }
    }

    public boolean uses(PushMatch.Kind kind) {
        return !byKind.get(kind).isEmpty();
    }

    public Optional<PushSource> find(PushMatch.Kind kind, String value) {
        return Optional.ofNullable(byKind.get(kind).get(value));
    }

    public Optional<PushSource> bySystemTitle(byte[] systemTitle) {
        return find(PushMatch.Kind.SYSTEM_TITLE, HexFormat.of().formatHex(systemTitle));
    }

    /**
     * The logical device name a body carries as its first element (or as itself when it is no structure or array):
     * an octet-string read as ASCII, or a visible- or utf8-string; empty when it is none of these.
     */
    public static Optional<String> logicalDeviceName(DlmsValue body) {
        DlmsValue first = body;
        if (body.type() == DlmsType.STRUCTURE || body.type() == DlmsType.ARRAY) {
            List<DlmsValue> elements = body.elements();
            if (elements.isEmpty()) {
                return Optional.empty();
            }
            first = elements.get(0);
        }
        return switch (first.type()) {
            case OCTET_STRING -> Optional.of(new String(first.octets(), StandardCharsets.US_ASCII));
            case VISIBLE_STRING, UTF8_STRING -> Optional.of((String) first.value());
            default -> Optional.empty();
        };
    }

    /**
     * Accepts {@code counter} as the device's latest when it is above the last accepted one.
     *
     * @return -1 when accepted, else the last accepted counter (the notification is a replay)
     */
    long acceptInvocationCounter(String device, long counter) {
        long[] refusedBecause = {-1};
        lastCounters.compute(device, (d, last) -> {
            if (last == null || counter > last) {
                return counter;
            }
            refusedBecause[0] = last;
            return last;
        });
        return refusedBecause[0];
    }
}
