package io.dlmsgateway.thingsboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One timestamped set of values of one device, as ThingsBoard stores it: {@code {"ts":..,"values":{..}}} under the
 * device's name.
 *
 * <p>Values come in one of two forms. As a map ({@link #DeviceTelemetry(String, String, long, Map)}): values may be
 * {@link Number}, {@link Boolean}, {@link CharSequence}, Jackson {@code JsonNode}, {@code null}, or anything Jackson
 * can serialise (maps and lists become JSON values); iteration order is kept. Or already written as one JSON object
 * ({@link #ofJson}), as a disk spool keeps them: those bytes go into the payload as they are, never parsed and
 * written again, unless one entry alone exceeds the payload limit and must be split.
 *
 * <p>Immutable as long as the map or the bytes handed in are not changed afterwards (they are not copied).
 */
public final class DeviceTelemetry {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String device;
    private final String deviceType;
    private final long ts;
    private final Map<String, ?> values;
    private final byte[] valuesJson;

    /**
     * @param device     child device name, unique on the ThingsBoard tenant
     * @param deviceType device profile name sent with {@code v1/gateway/connect}; {@code null} lets ThingsBoard use
     *                   {@code "default"}
     * @param ts         epoch milliseconds
     * @param values     telemetry keys and values; not copied, so do not change the map after handing it over
     */
    public DeviceTelemetry(String device, String deviceType, long ts, Map<String, ?> values) {
        this(device, deviceType, ts, Objects.requireNonNull(values, "values"), null);
    }

    private DeviceTelemetry(String device, String deviceType, long ts, Map<String, ?> values, byte[] valuesJson) {
        this.device = Objects.requireNonNull(device, "device");
        this.deviceType = deviceType;
        this.ts = ts;
        this.values = values;
        this.valuesJson = valuesJson;
    }

    /**
     * Telemetry whose values are already one JSON object, {@code {"voltage_l1":230.1,...}} in UTF-8. The bytes are
     * not checked here (a spool wrote them); they are not copied either.
     */
    public static DeviceTelemetry ofJson(String device, String deviceType, long ts, byte[] valuesJson) {
        return new DeviceTelemetry(device, deviceType, ts, null, Objects.requireNonNull(valuesJson, "valuesJson"));
    }

    public String device() {
        return device;
    }

    public String deviceType() {
        return deviceType;
    }

    public long ts() {
        return ts;
    }

    /** The values as a map; for telemetry made {@link #ofJson}, parsed on each call (JSON nodes as values). */
    public Map<String, ?> values() {
        if (values != null) {
            return values;
        }
        Map<String, JsonNode> parsed = new LinkedHashMap<>();
        try {
            JsonNode tree = JSON.readTree(valuesJson);
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                parsed.put(field.getKey(), field.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("telemetry of " + device + " at " + ts + " is not a JSON object", e);
        }
        return parsed;
    }

    /** The values as one JSON object, when they came so ({@link #ofJson}). */
    public Optional<byte[]> valuesJson() {
        return Optional.ofNullable(valuesJson);
    }

    /** How many values: the map's size, or the JSON object's top-level fields, counted without parsing. */
    public int valueCount() {
        return values != null ? values.size() : countFields(valuesJson);
    }

    /** Top-level fields of a JSON object: its commas at depth one outside strings, plus one unless empty. */
    static int countFields(byte[] json) {
        int depth = 0;
        int commas = 0;
        boolean inString = false;
        boolean any = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
                continue;
            }
            switch (b) {
                case '"' -> {
                    inString = true;
                    any |= depth == 1;
                }
                case '{', '[' -> depth++;
                case '}', ']' -> depth--;
                case ',' -> commas += depth == 1 ? 1 : 0;
                default -> { }
            }
        }
        return any ? commas + 1 : 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceTelemetry other && ts == other.ts && device.equals(other.device)
                && Objects.equals(deviceType, other.deviceType)
                && (valuesJson != null && other.valuesJson != null ? Arrays.equals(valuesJson, other.valuesJson)
                        : values().equals(other.values()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(device, deviceType, ts);
    }

    @Override
    public String toString() {
        return "DeviceTelemetry[device=" + device + ", deviceType=" + deviceType + ", ts=" + ts + ", values="
                + (values != null ? values : new String(valuesJson, java.nio.charset.StandardCharsets.UTF_8)) + "]";
    }
}
