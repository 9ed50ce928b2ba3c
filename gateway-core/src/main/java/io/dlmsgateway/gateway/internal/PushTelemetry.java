package io.dlmsgateway.gateway.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.fleet.PushNotification;
import io.dlmsgateway.gateway.DlmsJson;
import io.dlmsgateway.gateway.DlmsJson.DeviceClock;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.PushMapping;
import io.dlmsgateway.gateway.PushMapping.PushValue;
import io.dlmsgateway.spool.SpoolRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pushed notification as ThingsBoard data, through the device's {@link PushMapping}: each mapped element of the
 * body (found by its path) becomes a telemetry key, or a client attribute, a number multiplied by 10^scaler.
 * Without mapped values, every top-level element {@code i} of a structure body becomes telemetry {@code push_<i>}
 * (the whole body {@code push_0} when it is no structure). The telemetry's time is the notification's own date-time
 * when it names an instant, else the time it was received.
 *
 * <p>Values: whole numbers and floats as JSON numbers (scaled ones as exact decimals), booleans, strings as they
 * are, an octet-string as its text when it is printable ASCII and as hex otherwise, a date-time as the ISO instant
 * it names at the device's clock (its hex otherwise), a date, time or bcd as hex, an array or structure as
 * {@link DlmsJson#json} writes it. A path that leads nowhere in this body (a shorter structure) leaves its key out.
 *
 * <p>A spool record of push telemetry is just like a reading's: key the device, timestamp the telemetry's time,
 * payload the values' JSON object; the spool and the publisher do not tell them apart.
 */
public final class PushTelemetry {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private static final String DEFAULT_KEY_PREFIX = "push_";

    private PushTelemetry() {
    }

    /** The notification's telemetry and attributes. */
    public record Mapped(Instant time, Map<String, Object> telemetry, Map<String, Object> attributes) {

        /** The telemetry as a spool record; empty when the notification has no telemetry. */
        public Optional<SpoolRecord> record(String device) {
            if (telemetry.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new SpoolRecord(device, time.toEpochMilli(), JSON.writeValueAsBytes(telemetry)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("push telemetry of " + device + " cannot be written", e);
            }
        }
    }

    public static Mapped map(GatewayDevice device, PushNotification notification) {
        DeviceClock clock = DeviceClock.of(device.meter().client());
        Map<String, Object> telemetry = new LinkedHashMap<>();
        Map<String, Object> attributes = new LinkedHashMap<>();
        DlmsValue body = notification.body();
        List<PushValue> values = device.push().map(PushMapping::values).orElse(List.of());
        if (values.isEmpty()) {
            if (body.type() == DlmsType.STRUCTURE) {
                List<DlmsValue> elements = body.elements();
                for (int i = 0; i < elements.size(); i++) {
                    putIfAny(telemetry, DEFAULT_KEY_PREFIX + i, value(elements.get(i), 0, clock));
                }
            } else {
                putIfAny(telemetry, DEFAULT_KEY_PREFIX + 0, value(body, 0, clock));
            }
        } else {
            for (PushValue mapped : values) {
                element(body, mapped.path()).ifPresent(element -> putIfAny(mapped.attribute() ? attributes
                        : telemetry, mapped.key(), value(element, mapped.scaler(), clock)));
            }
        }
        return new Mapped(notification.time().orElse(notification.received()), telemetry, attributes);
    }

    /** The element at the path: each index into the structure or array reached so far. */
    static Optional<DlmsValue> element(DlmsValue body, List<Integer> path) {
        DlmsValue at = body;
        for (int index : path) {
            if (at.type() != DlmsType.STRUCTURE && at.type() != DlmsType.ARRAY) {
                return Optional.empty();
            }
            List<DlmsValue> elements = at.elements();
            if (index < 0 || index >= elements.size()) {
                return Optional.empty();
            }
            at = elements.get(index);
        }
        return Optional.of(at);
    }

    /** One element as a telemetry or attribute value; null for null-data (the key is then left out). */
    static Object value(DlmsValue value, int scaler, DeviceClock clock) {
        return switch (value.type()) {
            case NULL_DATA -> null;
            case BOOLEAN, VISIBLE_STRING, UTF8_STRING, BIT_STRING -> value.value();
            case FLOAT32, FLOAT64 -> {
                double d = (Double) value.value();
                yield scaler == 0 || !Double.isFinite(d) ? d : BigDecimal.valueOf(d).scaleByPowerOfTen(scaler)
                        .stripTrailingZeros();
            }
            case OCTET_STRING -> value.printableText().orElseGet(() -> HexFormat.of().formatHex(value.octets()));
            case DATE_TIME -> {
                byte[] octets = value.octets();
                yield CosemDateTime.decode(octets).toInstant(clock.sign(), clock.offset()).map(Instant::toString)
                        .orElseGet(() -> HexFormat.of().formatHex(octets));
            }
            case BCD, DATE, TIME -> HexFormat.of().formatHex(value.octets());
            case ARRAY, STRUCTURE -> DlmsJson.json(value, clock);
            default -> scaler == 0 ? (Object) value.longValue()
                    : BigDecimal.valueOf(value.longValue()).scaleByPowerOfTen(scaler).stripTrailingZeros();
        };
    }

    private static void putIfAny(Map<String, Object> values, String key, Object value) {
        if (value != null) {
            values.put(key, value);
        }
    }

}
