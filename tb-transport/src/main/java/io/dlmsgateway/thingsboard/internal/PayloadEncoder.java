package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Gateway API payloads with Jackson's streaming generator and splits them to a byte budget.
 *
 * <p>Splitting works on serialised pieces: every telemetry entry ({@code {"ts":..,"values":{..}}}) and, when an entry
 * alone is too large, every {@code "key":value} pair is serialised once, and payloads are assembled from those bytes
 * with exact size arithmetic, so nothing is serialised twice and every payload is valid JSON within the budget.
 *
 * <p>Stateless and thread-safe; each call uses its own buffers.
 */
final class PayloadEncoder {

    private static final Logger LOG = LoggerFactory.getLogger(PayloadEncoder.class);

    private static final byte[] TS_PREFIX = bytes("{\"ts\":");
    private static final byte[] VALUES_PREFIX = bytes(",\"values\":{");
    private static final byte[] VALUES_FIELD = bytes(",\"values\":");
    private static final byte[] CLOSE_ENTRY = bytes("}");

    private final JsonFactory jsonFactory;

    PayloadEncoder(ObjectMapper mapper) {
        // the mapper's factory carries it as codec, so values of any type Jackson knows can be written
        this.jsonFactory = mapper.getFactory();
    }

    /** Result of encoding a telemetry batch. */
    record EncodedTelemetry(List<byte[]> payloads, int entries, int values, int droppedValues) {
    }

    /**
     * Encodes telemetry for {@code v1/gateway/telemetry} into payloads of at most {@code budget} bytes each, grouped by
     * device (entries of one device keep their order).
     */
    EncodedTelemetry encodeTelemetry(List<DeviceTelemetry> entries, int budget) {
        Map<String, List<DeviceTelemetry>> byDevice = new LinkedHashMap<>();
        int values = 0;
        for (DeviceTelemetry entry : entries) {
            byDevice.computeIfAbsent(entry.device(), d -> new ArrayList<>()).add(entry);
            values += entry.valueCount();
        }
        PieceWriter writer = new PieceWriter();
        PayloadAssembler assembler = new PayloadAssembler(budget);
        int dropped = 0;
        for (Map.Entry<String, List<DeviceTelemetry>> device : byDevice.entrySet()) {
            byte[] key = writer.string(device.getKey());
            // a payload holding only this device's one entry: {key:[entry]}
            int entryBudget = budget - (1 + key.length + 2 + 2);
            for (DeviceTelemetry entry : device.getValue()) {
                byte[] encoded = writer.telemetryEntry(entry);
                if (encoded.length <= entryBudget) {
                    assembler.add(key, encoded);
                    continue;
                }
                SplitEntries split = splitEntry(writer, entry, entryBudget);
                dropped += split.dropped();
                for (byte[] part : split.parts()) {
                    assembler.add(key, part);
                }
            }
        }
        return new EncodedTelemetry(assembler.finish(), entries.size(), values, dropped);
    }

    /**
     * Encodes {@code {"device":{attributes}}} for {@code v1/gateway/attributes}, split into several payloads when too
     * large. {@code dropped} receives the number of single attributes too large for any payload.
     */
    List<byte[]> encodeDeviceAttributes(String device, Map<String, ?> attributes, int budget, int[] dropped) {
        PieceWriter writer = new PieceWriter();
        byte[] key = writer.string(device);
        byte[] prefix = concat(bytes("{"), key, bytes(":{"));
        return packPairs(writer, prefix, bytes("}}"), attributes, budget, dropped, device);
    }

    /** Encodes a flat object ({@code v1/devices/me/telemetry}), split into several payloads when too large. */
    List<byte[]> encodeObject(Map<String, ?> values, int budget, int[] dropped) {
        return packPairs(new PieceWriter(), bytes("{"), bytes("}"), values, budget, dropped, "gateway");
    }

    /** {@code {"device":..,"type":..}}, without type when it is {@code null}. */
    byte[] connect(String device, String deviceType) {
        PieceWriter writer = new PieceWriter();
        return writer.write(g -> {
            g.writeStartObject();
            g.writeStringField("device", device);
            if (deviceType != null) {
                g.writeStringField("type", deviceType);
            }
            g.writeEndObject();
        });
    }

    /** {@code {"device":..}}. */
    byte[] disconnect(String device) {
        return connect(device, null);
    }

    /** Device RPC reply {@code {"device":..,"id":..,"data":..}}; the id as the request had it (number or string). */
    byte[] deviceRpcReply(String device, JsonNode id, JsonNode data) {
        return new PieceWriter().write(g -> {
            g.writeStartObject();
            g.writeStringField("device", device);
            g.writeFieldName("id");
            g.writeTree(id);
            g.writeFieldName("data");
            g.writeTree(data);
            g.writeEndObject();
        });
    }

    /** Any JSON tree. */
    byte[] json(JsonNode node) {
        return new PieceWriter().write(g -> g.writeTree(node));
    }

    private record SplitEntries(List<byte[]> parts, int dropped) {
    }

    /** Splits one entry's values over several entries with the same timestamp, each within {@code entryBudget}. */
    private SplitEntries splitEntry(PieceWriter writer, DeviceTelemetry entry, int entryBudget) {
        byte[] head = concat(TS_PREFIX, bytes(Long.toString(entry.ts())), VALUES_PREFIX);
        int frame = head.length + 2; // values object and entry closed: "}}"
        List<byte[]> parts = new ArrayList<>();
        ByteBuilder current = new ByteBuilder();
        int dropped = 0;
        int inCurrent = 0;
        for (Map.Entry<String, ?> value : entry.values().entrySet()) {
            byte[] pair = writer.pair(value.getKey(), value.getValue());
            if (frame + pair.length > entryBudget) {
                dropped++;
                LOG.error("Dropped telemetry value {} of device {} at {}: {} bytes alone exceed the maximum payload size",
                        value.getKey(), entry.device(), entry.ts(), pair.length);
                continue;
            }
            if (inCurrent > 0 && current.size() + 1 + pair.length + 2 > entryBudget) {
                current.append(bytes("}}"));
                parts.add(current.toByteArray());
                current = new ByteBuilder();
                inCurrent = 0;
            }
            if (inCurrent == 0) {
                current.append(head);
            } else {
                current.append((byte) ',');
            }
            current.append(pair);
            inCurrent++;
        }
        if (inCurrent > 0) {
            current.append(bytes("}}"));
            parts.add(current.toByteArray());
        }
        return new SplitEntries(parts, dropped);
    }

    private List<byte[]> packPairs(PieceWriter writer, byte[] prefix, byte[] suffix, Map<String, ?> values,
                                   int budget, int[] dropped, String owner) {
        List<byte[]> payloads = new ArrayList<>();
        ByteBuilder current = new ByteBuilder();
        int inCurrent = 0;
        int frame = prefix.length + suffix.length;
        for (Map.Entry<String, ?> value : values.entrySet()) {
            byte[] pair = writer.pair(value.getKey(), value.getValue());
            if (frame + pair.length > budget) {
                dropped[0]++;
                LOG.error("Dropped value {} of {}: {} bytes alone exceed the maximum payload size",
                        value.getKey(), owner, pair.length);
                continue;
            }
            if (inCurrent > 0 && current.size() + 1 + pair.length + suffix.length > budget) {
                current.append(suffix);
                payloads.add(current.toByteArray());
                current = new ByteBuilder();
                inCurrent = 0;
            }
            current.append(inCurrent == 0 ? prefix : new byte[] {','});
            current.append(pair);
            inCurrent++;
        }
        if (inCurrent > 0) {
            current.append(suffix);
            payloads.add(current.toByteArray());
        } else if (payloads.isEmpty() && values.isEmpty()) {
            payloads.add(concat(prefix, suffix));
        }
        return payloads;
    }

    /**
     * Assembles {@code {"dev1":[e1,e2],"dev2":[e3]}} payloads from serialised entries, starting a new payload when the
     * next entry would not fit. A device whose entries span payloads is opened again in the next one.
     */
    private static final class PayloadAssembler {
        private final int budget;
        private final List<byte[]> payloads = new ArrayList<>();
        private ByteBuilder current;
        private byte[] openKey;

        PayloadAssembler(int budget) {
            this.budget = budget;
        }

        void add(byte[] key, byte[] entry) {
            boolean sameDevice = current != null && openKey == key;
            int cost;
            if (current == null) {
                cost = 1 + key.length + 2 + entry.length;
            } else if (sameDevice) {
                cost = 1 + entry.length;
            } else {
                cost = 2 + key.length + 2 + entry.length;
            }
            if (current != null && current.size() + cost + 2 > budget) {
                close();
                cost = 1 + key.length + 2 + entry.length;
                sameDevice = false;
            }
            if (current == null) {
                current = new ByteBuilder();
                current.append((byte) '{');
                current.append(key);
                current.append((byte) ':');
                current.append((byte) '[');
            } else if (sameDevice) {
                current.append((byte) ',');
            } else {
                current.append((byte) ']');
                current.append((byte) ',');
                current.append(key);
                current.append((byte) ':');
                current.append((byte) '[');
            }
            current.append(entry);
            openKey = key;
        }

        private void close() {
            current.append((byte) ']');
            current.append((byte) '}');
            payloads.add(current.toByteArray());
            current = null;
            openKey = null;
        }

        List<byte[]> finish() {
            if (current != null) {
                close();
            }
            return payloads;
        }
    }

    /** Serialises pieces with one generator over one reusable buffer. */
    private final class PieceWriter {
        private final ByteBuilder buffer = new ByteBuilder();
        private final JsonGenerator generator;

        PieceWriter() {
            try {
                generator = jsonFactory.createGenerator(buffer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // pieces are root values written one after another: no separator between them
            generator.setRootValueSeparator(null);
        }

        interface Writing {
            void writeTo(JsonGenerator g) throws IOException;
        }

        byte[] write(Writing writing) {
            buffer.reset();
            try {
                writing.writeTo(generator);
                generator.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }

        byte[] string(String value) {
            return write(g -> g.writeString(value));
        }

        byte[] telemetryEntry(DeviceTelemetry entry) {
            byte[] json = entry.valuesJson().orElse(null);
            if (json != null) {
                // values kept as JSON (a spool's records): framed as they are, with no parse and no second write
                byte[] ts = bytes(Long.toString(entry.ts()));
                return concat(TS_PREFIX, ts, VALUES_FIELD, json, CLOSE_ENTRY);
            }
            return write(g -> {
                g.writeStartObject();
                g.writeNumberField("ts", entry.ts());
                g.writeObjectFieldStart("values");
                for (Map.Entry<String, ?> value : entry.values().entrySet()) {
                    g.writeFieldName(value.getKey());
                    writeValue(g, value.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            });
        }

        /** {@code "key":value}: an object of one field without its braces. */
        byte[] pair(String key, Object value) {
            byte[] object = write(g -> {
                g.writeStartObject();
                g.writeFieldName(key);
                writeValue(g, value);
                g.writeEndObject();
            });
            return Arrays.copyOfRange(object, 1, object.length - 1);
        }
    }

    static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof Float f) {
            g.writeNumber(f);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof CharSequence s) {
            g.writeString(s.toString());
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (value instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (value instanceof JsonNode node) {
            g.writeTree(node);
        } else {
            g.writeObject(value);
        }
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuilder b = new ByteBuilder();
        for (byte[] part : parts) {
            b.append(part);
        }
        return b.toByteArray();
    }

    /** A ByteArrayOutputStream with append helpers free of IOException noise. */
    static final class ByteBuilder extends ByteArrayOutputStream {
        ByteBuilder() {
            super(256);
        }

        void append(byte[] bytes) {
            write(bytes, 0, bytes.length);
        }

        void append(byte b) {
            write(b);
        }
    }
}
