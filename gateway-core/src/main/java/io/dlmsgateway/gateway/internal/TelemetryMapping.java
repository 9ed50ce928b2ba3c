package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns readings into ThingsBoard telemetry and attributes through the device's {@code timeseriesMapping} and
 * {@code attributesMapping}, and telemetry into spool records and back.
 *
 * <p>A template that is exactly one placeholder ({@code "${voltage_l1}"}) keeps the value's type, so a number stays a
 * number in ThingsBoard; any other template is rendered as text. A key whose placeholder has no value in this reading
 * (the meter refused the object) is left out rather than sent as {@code null}. A device without a timeseriesMapping
 * sends every measurement under its own name. The clock check's {@code clockDeviationMs} is always sent under that
 * name, mapping or not.
 *
 * <p>A spool record is one reading: key = device name, timestamp = reading time, payload = the values as a JSON
 * object, written once and published as it is. BigDecimals are written plain, so {@code 230.1} stays {@code 230.1}
 * on the wire. The record is written straight from the reading with Jackson's streaming generator, in the order and
 * form the values' map had through the mapper: it is written per reading on the event loops, where building that map
 * and the mapper's serializer lookups were most of the record's cost.
 */
public final class TelemetryMapping {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    /**
     * One generator per thread, kept between records: a new one per record (its context, its buffers' lease, the
     * builder) was most of what a record allocated. The bytes handed to the spool are always a fresh array.
     */
    private static final FastThreadLocal<RecordWriter> WRITERS = new FastThreadLocal<>() {
        @Override
        protected RecordWriter initialValue() throws IOException {
            return new RecordWriter();
        }
    };

    private final Map<String, GatewayDevice> devices;

    public TelemetryMapping(Map<String, GatewayDevice> devices) {
        this.devices = devices;
    }

    /**
     * The attributes of a device; with no reading, only the templates that need none (host, port, name,
     * deviceType) are resolved.
     */
    public Map<String, Object> attributes(GatewayDevice device, MeterReading readingOrNull) {
        Map<String, Object> values = new LinkedHashMap<>();
        Function<String, Object> lookup = lookup(device, readingOrNull);
        device.attributesMapping().forEach((key, template) -> put(values, key, template, lookup));
        return values;
    }

    /** Whether any attribute template reads a measurement, so attributes may change with readings. */
    public static boolean attributesFollowReadings(GatewayDevice device) {
        return device.attributesMapping().values().stream()
                .flatMap(t -> t.placeholders().stream())
                .anyMatch(name -> !isDeviceField(name));
    }

    /**
     * A reading as its spool record: the telemetry values in mapping order as one JSON object, a key whose value is
     * missing left out.
     */
    public SpoolRecord record(MeterReading reading) {
        RecordWriter writer = WRITERS.get();
        boolean keep = false;
        try {
            writeTelemetry(writer.out, reading);
            byte[] payload = writer.take();
            // a writer that grew for a large record would keep that growth on this thread
            keep = payload.length <= RecordWriter.KEPT_BYTES;
            return new SpoolRecord(reading.meter(), reading.timestamp().toEpochMilli(), payload);
        } catch (IOException e) {
            throw new IllegalStateException("telemetry of " + reading.meter() + " cannot be written", e);
        } finally {
            if (!keep) {
                // also when writing failed midway: that generator holds half an object
                WRITERS.remove();
            }
        }
    }

    /**
     * A spooled reading as ThingsBoard telemetry: the record's payload is already the values' JSON object, so it goes
     * into the publish as it is (one change of form on the way out: reading to JSON, when spooled).
     */
    public DeviceTelemetry telemetry(SpoolRecord record) {
        GatewayDevice device = devices.get(record.key());
        // a device removed from the configuration since keeps its data; ThingsBoard then uses its default profile
        return DeviceTelemetry.ofJson(record.key(), device == null ? null : device.deviceType(), record.timestamp(),
                record.payload());
    }

    private void writeTelemetry(JsonGenerator out, MeterReading reading) throws IOException {
        GatewayDevice device = devices.get(reading.meter());
        out.writeStartObject();
        if (device.timeseriesMapping().isEmpty()) {
            for (Map.Entry<String, MeasuredValue> value : reading.values().entrySet()) {
                out.writeFieldName(value.getKey());
                writeValue(out, value.getValue().value());
            }
            out.writeEndObject();
            return;
        }
        boolean deviationWritten = false;
        Function<String, Object> lookup = null; // only a template with text around its placeholders needs one
        for (Map.Entry<String, ValueTemplate> entry : device.timeseriesMapping().entrySet()) {
            ValueTemplate template = entry.getValue();
            String single = template.singlePlaceholder();
            Object value;
            if (single != null) {
                value = value(device, reading, single);
            } else {
                if (lookup == null) {
                    lookup = lookup(device, reading);
                }
                value = rendered(template, lookup);
            }
            if (value != null) {
                out.writeFieldName(entry.getKey());
                writeValue(out, value);
                deviationWritten |= entry.getKey().equals(ClockCheck.DEVIATION_KEY);
            }
        }
        // what the gateway measures itself (the clock check's deviation) goes under its own name beside the mapping,
        // unless the mapping already sent a value under that name
        MeasuredValue deviation = reading.value(ClockCheck.DEVIATION_KEY);
        if (deviation != null && !deviationWritten) {
            out.writeFieldName(ClockCheck.DEVIATION_KEY);
            writeValue(out, deviation.value());
        }
        out.writeEndObject();
    }

    /** A value as the mapper writes it; the common kinds directly, the rest (structures as lists) through it. */
    private void writeValue(JsonGenerator out, Object value) throws IOException {
        if (value instanceof BigDecimal decimal) {
            out.writeNumber(decimal);
        } else if (value instanceof String text) {
            out.writeString(text);
        } else if (value instanceof Long number) {
            out.writeNumber(number.longValue());
        } else if (value instanceof Integer number) {
            out.writeNumber(number.intValue());
        } else if (value instanceof Boolean bool) {
            out.writeBoolean(bool);
        } else {
            JSON.writeValue(out, value);
        }
    }

    private static void put(Map<String, Object> values, String key, ValueTemplate template,
            Function<String, Object> lookup) {
        String single = template.singlePlaceholder();
        Object value = single != null ? lookup.apply(single) : rendered(template, lookup);
        if (value != null) {
            values.put(key, value);
        }
    }

    /** The template as text, or null when one of its placeholders has no value. */
    private static String rendered(ValueTemplate template, Function<String, Object> lookup) {
        for (String name : template.placeholders()) {
            if (lookup.apply(name) == null) {
                return null;
            }
        }
        return template.render(lookup);
    }

    private static Function<String, Object> lookup(GatewayDevice device, MeterReading reading) {
        return name -> value(device, reading, name);
    }

    /** A placeholder's value: a field of the device, or a measurement of the reading (none without a reading). */
    private static Object value(GatewayDevice device, MeterReading readingOrNull, String name) {
        if (isDeviceField(name)) {
            return deviceField(device, name);
        }
        MeasuredValue value = readingOrNull == null ? null : readingOrNull.value(name);
        return value == null ? null : value.value();
    }

    /**
     * The device field a placeholder names ({@code host}, {@code port}, {@code name}, {@code deviceType}), for every
     * mapping of a device's values (readings, profile rows); null for any other name.
     */
    static Object deviceField(GatewayDevice device, String name) {
        return switch (name) {
            case "host" -> device.meter().host();
            case "port" -> device.meter().port();
            case "name" -> device.name();
            case "deviceType" -> device.deviceType();
            default -> null;
        };
    }

    /** A generator writing one record after another into the same bytes, each record taken out as its own array. */
    private static final class RecordWriter {

        /** Above this a record's bytes are not kept on the thread for the next one. */
        static final int KEPT_BYTES = 4096;

        private final ByteArrayBuilder bytes = new ByteArrayBuilder(512);
        final JsonGenerator out;

        RecordWriter() throws IOException {
            out = JSON.createGenerator(bytes, JsonEncoding.UTF8);
            // records follow one another at the root: without the default space between root values
            out.setRootValueSeparator(null);
        }

        /** The record written since the last one, as a new array. */
        byte[] take() throws IOException {
            out.flush();
            byte[] record = bytes.toByteArray();
            bytes.reset();
            return record;
        }
    }

    /** Whether a placeholder names a field of the device rather than a measured value. */
    static boolean isDeviceField(String name) {
        return name.equals("host") || name.equals("port") || name.equals("name") || name.equals("deviceType");
    }
}
