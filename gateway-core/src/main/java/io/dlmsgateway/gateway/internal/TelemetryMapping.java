package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
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
 * on the wire.
 */
public final class TelemetryMapping {

    private final ObjectMapper json = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private final Map<String, GatewayDevice> devices;

    public TelemetryMapping(Map<String, GatewayDevice> devices) {
        this.devices = devices;
    }

    /** The telemetry values of a reading, in mapping order. */
    public Map<String, Object> telemetry(MeterReading reading) {
        GatewayDevice device = devices.get(reading.meter());
        Map<String, Object> values = new LinkedHashMap<>();
        if (device.timeseriesMapping().isEmpty()) {
            reading.values().forEach((name, value) -> values.put(name, value.value()));
            return values;
        }
        Function<String, Object> lookup = lookup(device, reading);
        device.timeseriesMapping().forEach((key, template) -> put(values, key, template, lookup));
        // what the gateway measures itself (the clock check's deviation) goes under its own name beside the mapping
        MeasuredValue deviation = reading.value(ClockCheck.DEVIATION_KEY);
        if (deviation != null) {
            values.putIfAbsent(ClockCheck.DEVIATION_KEY, deviation.value());
        }
        return values;
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

    public SpoolRecord record(MeterReading reading) {
        try {
            return new SpoolRecord(reading.meter(), reading.timestamp().toEpochMilli(),
                    json.writeValueAsBytes(telemetry(reading)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("telemetry of " + reading.meter() + " cannot be written", e);
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

    private static void put(Map<String, Object> values, String key, ValueTemplate template,
            Function<String, Object> lookup) {
        String single = template.singlePlaceholder();
        if (single != null) {
            Object value = lookup.apply(single);
            if (value != null) {
                values.put(key, value);
            }
            return;
        }
        for (String name : template.placeholders()) {
            if (lookup.apply(name) == null) {
                return;
            }
        }
        values.put(key, template.render(lookup));
    }

    private static Function<String, Object> lookup(GatewayDevice device, MeterReading reading) {
        return name -> switch (name) {
            case "host" -> device.meter().host();
            case "port" -> device.meter().port();
            case "name" -> device.name();
            case "deviceType" -> device.deviceType();
            default -> {
                MeasuredValue value = reading == null ? null : reading.value(name);
                yield value == null ? null : value.value();
            }
        };
    }

    private static boolean isDeviceField(String name) {
        return name.equals("host") || name.equals("port") || name.equals("name") || name.equals("deviceType");
    }
}
