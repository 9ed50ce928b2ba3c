package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * DLMS values to and from JSON, the one place that says how: the {@code get}, {@code set} and {@code execute} RPCs,
 * named RPCs, shared-attribute writes, push bodies and {@code check-config} (a configured fixed value) all use it.
 *
 * <p>A value of a given type ({@link #value}):
 * <ul>
 *   <li>integer types (integer, long, double-long, unsigned, long-unsigned, double-long-unsigned, long64,
 *       long64-unsigned, enum): a JSON integer in the type's range ({@code 1500}); a fraction or a value out of
 *       range is refused naming the range</li>
 *   <li>float32, float64: a JSON number (float32 within ±3.4e38)</li>
 *   <li>boolean: {@code true} or {@code false}</li>
 *   <li>visible-string: a string of printable ASCII; utf8-string: any string</li>
 *   <li>octet-string, bcd: hex ({@code "4142"}), or {@code {"text":"AB"}} for the ASCII octets of a text; an
 *       octet-string also takes an ISO-8601 instant, written as the 12 octets of a date-time (COSEM clocks and profile
 *       captures carry date-times as octet-strings of 12)</li>
 *   <li>date-time: an ISO-8601 instant ({@code "2026-12-01T10:00:00Z"}), written as the meter's local time at its
 *       clock offset with the deviation signed as the meter signs it ({@link DeviceClock}), clock status 0; or 24
 *       hex digits, the 12 octets as they go on the wire</li>
 *   <li>date: {@code "2026-12-01"} or 10 hex digits; time: {@code "10:00:00"} or 8 hex digits</li>
 *   <li>bit-string: a string of {@code 0} and {@code 1}</li>
 *   <li>array, structure: a JSON array of typed values ({@code [{"type":"unsigned","value":1}, 7]}; a bare element
 *       takes its natural type, see {@link #typed})</li>
 *   <li>null-data: {@code null}</li>
 * </ul>
 * A typed value ({@link #typed}) is {@code {"type":"long-unsigned","value":1500}} (the type by its Blue Book name),
 * {@code {"type":"octet-string","text":"AB"}}, or a bare value with the type the caller knows.
 * {@link #json} writes {@code {"type":..,"value":..}} that {@link #typed} reads back to the same value.
 *
 * <p>Bounds: nesting deeper than {@link #MAX_DEPTH} is refused, as the A-XDR decoder refuses it.
 */
public final class DlmsJson {

    /** Deepest nesting of arrays and structures taken from JSON: as deep as the A-XDR decoder takes. */
    public static final int MAX_DEPTH = 64;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    /**
     * How a meter's date-times map onto instants: the offset of its local time from UTC and how it signs the
     * deviation. A value written as an ISO instant goes to the meter at this offset; a date-time read from it is
     * shown as the instant it names.
     *
     * @param offset the meter's local time's offset from UTC
     * @param sign   how the meter signs the deviation
     */
    public record DeviceClock(ZoneOffset offset, DeviationSign sign) {

        /** UTC, deviation as the Blue Book signs it. */
        public static final DeviceClock UTC = new DeviceClock(ZoneOffset.UTC, DeviationSign.STANDARD);

        public DeviceClock {
            Objects.requireNonNull(offset, "offset");
            Objects.requireNonNull(sign, "sign");
        }

        /** The clock settings of a meter's client ({@link DlmsClientSettings#clockOffset()}, deviation sign). */
        public static DeviceClock of(DlmsClientSettings client) {
            return new DeviceClock(client.clockOffset(), client.deviationSign());
        }
    }

    private DlmsJson() {
    }

    /**
     * The JSON value written as the given type: {@code 1500} as long-unsigned, {@code "4142"} (hex) as octet-string;
     * a date-time instant at UTC (see {@link #value(JsonNode, DlmsType, DeviceClock)}).
     *
     * @throws IllegalArgumentException naming the type and what is wrong, when the JSON cannot be that type
     */
    public static DlmsValue value(JsonNode json, DlmsType type) {
        return value(json, type, DeviceClock.UTC);
    }

    /**
     * The JSON value written as the given type, a date-time given as an instant written at the meter's clock.
     *
     * @throws IllegalArgumentException naming the type and what is wrong, when the JSON cannot be that type
     */
    public static DlmsValue value(JsonNode json, DlmsType type, DeviceClock clock) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(clock, "clock");
        return value(json, type, clock, 0);
    }

    /**
     * A JSON value as the client gives it in an RPC: {@code {"type":"long-unsigned","value":1500}} with an explicit
     * type, or a bare JSON value typed by {@code fallback} when not null, else by its natural type.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static DlmsValue typed(JsonNode json, DlmsType fallback) {
        return typed(json, fallback, DeviceClock.UTC);
    }

    /**
     * As {@link #typed(JsonNode, DlmsType)}, date-times at the meter's clock. Natural types of bare values: a whole
     * number double-long (long64 beyond its range), a fraction float64, true/false boolean, a string visible-string
     * (utf8-string when not ASCII), null null-data, a JSON array a structure of its elements' natural types.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static DlmsValue typed(JsonNode json, DlmsType fallback, DeviceClock clock) {
        Objects.requireNonNull(clock, "clock");
        return typed(json, fallback, clock, 0);
    }

    /**
     * A JSON value written as the value the attribute holds now is typed: a typed value keeps its own type; a bare
     * one takes the current value's type, and a JSON array the types of the current elements, place by place (an
     * array's elements the type of its first element). How {@code set} writes what has no type of its own.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static DlmsValue like(JsonNode json, DlmsValue current, DeviceClock clock) {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(clock, "clock");
        return like(json, current, clock, 0);
    }

    /** A DLMS value as JSON for an RPC reply or telemetry: {@code {"type":"long-unsigned","value":1500}}. */
    public static JsonNode json(DlmsValue value) {
        return json(value, DeviceClock.UTC);
    }

    /**
     * A DLMS value as JSON: {@code {"type":"long-unsigned","value":1500}}; an octet-string as hex with {@code "text"}
     * beside it when it is printable ASCII; a date-time as the ISO instant it names at the meter's clock with the
     * octets as {@code "raw"} (the raw hex as value when it names no instant); arrays and structures as a JSON array
     * of such objects.
     */
    public static ObjectNode json(DlmsValue value, DeviceClock clock) {
        ObjectNode node = NODES.objectNode().put("type", value.type().text());
        switch (value.type()) {
            case NULL_DATA -> node.putNull("value");
            case BOOLEAN -> node.put("value", (Boolean) value.value());
            case FLOAT32, FLOAT64 -> node.put("value", (Double) value.value());
            case VISIBLE_STRING, UTF8_STRING, BIT_STRING -> node.put("value", (String) value.value());
            case OCTET_STRING -> {
                node.put("value", HEX.formatHex(value.octets()));
                value.printableText().ifPresent(text -> node.put("text", text));
            }
            case BCD, DATE, TIME -> node.put("value", HEX.formatHex(value.octets()));
            case DATE_TIME -> {
                byte[] octets = value.octets();
                Optional<Instant> instant = CosemDateTime.decode(octets).toInstant(clock.sign(), clock.offset());
                node.put("value", instant.map(Instant::toString).orElseGet(() -> HEX.formatHex(octets)));
                node.put("raw", HEX.formatHex(octets));
            }
            case ARRAY, STRUCTURE -> {
                ArrayNode elements = node.putArray("value");
                for (DlmsValue element : value.elements()) {
                    elements.add(json(element, clock));
                }
            }
            default -> node.put("value", value.longValue());
        }
        return node;
    }

    private static DlmsValue typed(JsonNode json, DlmsType fallback, DeviceClock clock, int depth) {
        checkDepth(depth);
        if (json == null || json.isMissingNode()) {
            throw new IllegalArgumentException("a value is missing");
        }
        if (json.isObject()) {
            JsonNode typeNode = json.get("type");
            if (typeNode == null) {
                if (fallback != null && json.has("text")) {
                    return value(json, fallback, clock, depth);
                }
                throw new IllegalArgumentException("a value given as an object needs its \"type\" (one of "
                        + DlmsType.names() + ") and \"value\"");
            }
            DlmsType type = type(typeNode);
            // the raw octets a date-time was read as (json(...) writes them) say more than the instant: deviation,
            // status and hundredths as the meter had them
            JsonNode raw = json.get("raw");
            if (type == DlmsType.DATE_TIME && raw != null) {
                return value(raw, type, clock, depth);
            }
            if (json.has("text") && !json.has("value")) {
                return value(json, type, clock, depth);
            }
            if (!json.has("value")) {
                if (type == DlmsType.NULL_DATA) {
                    return DlmsValue.NULL;
                }
                throw new IllegalArgumentException(type + ": \"value\" is missing");
            }
            return value(json.get("value"), type, clock, depth);
        }
        if (fallback != null) {
            return value(json, fallback, clock, depth);
        }
        if (json.isNull()) {
            return DlmsValue.NULL;
        }
        if (json.isBoolean()) {
            return DlmsValue.bool(json.booleanValue());
        }
        if (json.isIntegralNumber()) {
            if (!json.canConvertToLong()) {
                throw new IllegalArgumentException("the whole number " + json + " is beyond long64 "
                        + Long.MIN_VALUE + ".." + Long.MAX_VALUE);
            }
            long n = json.longValue();
            return DlmsValue.integer(n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? DlmsType.DOUBLE_LONG
                    : DlmsType.LONG64, n);
        }
        if (json.isNumber()) {
            return value(json, DlmsType.FLOAT64, clock, depth);
        }
        if (json.isTextual()) {
            String text = json.textValue();
            return text.chars().allMatch(c -> c >= 0x20 && c < 0x7F) ? DlmsValue.visible(text)
                    : new DlmsValue(DlmsType.UTF8_STRING, text);
        }
        if (json.isArray()) {
            return value(json, DlmsType.STRUCTURE, clock, depth);
        }
        throw new IllegalArgumentException("cannot tell the DLMS type of " + kind(json) + "; give it as"
                + " {\"type\":..,\"value\":..}");
    }

    private static DlmsValue like(JsonNode json, DlmsValue current, DeviceClock clock, int depth) {
        checkDepth(depth);
        if (json != null && json.isObject() && json.has("type")) {
            return typed(json, null, clock, depth);
        }
        DlmsType type = current.type();
        if ((type == DlmsType.ARRAY || type == DlmsType.STRUCTURE) && json != null && json.isArray()) {
            List<DlmsValue> now = current.elements();
            List<DlmsValue> elements = new ArrayList<>(json.size());
            for (int i = 0; i < json.size(); i++) {
                DlmsValue model = type == DlmsType.ARRAY ? (now.isEmpty() ? null : now.get(0))
                        : i < now.size() ? now.get(i) : null;
                elements.add(model == null ? typed(json.get(i), null, clock, depth + 1)
                        : like(json.get(i), model, clock, depth + 1));
            }
            return new DlmsValue(type, elements);
        }
        return typed(json, type, clock, depth);
    }

    private static DlmsValue value(JsonNode json, DlmsType type, DeviceClock clock, int depth) {
        checkDepth(depth);
        if (json == null || json.isMissingNode()) {
            throw new IllegalArgumentException(type + ": the value is missing");
        }
        if (type.isInteger()) {
            return integer(json, type);
        }
        return switch (type) {
            case NULL_DATA -> {
                if (!json.isNull()) {
                    throw new IllegalArgumentException("null-data takes null, got " + kind(json));
                }
                yield DlmsValue.NULL;
            }
            case BOOLEAN -> {
                if (!json.isBoolean()) {
                    throw new IllegalArgumentException("boolean takes true or false, got " + kind(json));
                }
                yield DlmsValue.bool(json.booleanValue());
            }
            case FLOAT32, FLOAT64 -> {
                if (!json.isNumber()) {
                    throw new IllegalArgumentException(type + " takes a number, got " + kind(json));
                }
                double d = json.doubleValue();
                if (Double.isInfinite(d) || type == DlmsType.FLOAT32 && Math.abs(d) > Float.MAX_VALUE) {
                    throw new IllegalArgumentException(type + " takes a number within ±"
                            + (type == DlmsType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE) + ", got " + json);
                }
                yield new DlmsValue(type, d);
            }
            case VISIBLE_STRING -> {
                String text = text(json, type);
                int bad = firstNotPrintable(text);
                if (bad >= 0) {
                    throw new IllegalArgumentException("visible-string takes printable ASCII only; character "
                            + bad + " is not (use utf8-string)");
                }
                yield DlmsValue.visible(text);
            }
            case UTF8_STRING -> new DlmsValue(type, text(json, type));
            case BIT_STRING -> {
                String bits = text(json, type);
                if (!bits.chars().allMatch(c -> c == '0' || c == '1')) {
                    throw new IllegalArgumentException("bit-string takes a string of 0 and 1");
                }
                yield new DlmsValue(type, bits);
            }
            case OCTET_STRING, BCD -> {
                if (json.isObject() && json.has("text")) {
                    JsonNode text = json.get("text");
                    if (!text.isTextual() || firstNotPrintable(text.textValue()) >= 0) {
                        throw new IllegalArgumentException(type + ": \"text\" takes printable ASCII");
                    }
                    yield new DlmsValue(type, text.textValue().getBytes(StandardCharsets.US_ASCII));
                }
                // COSEM clocks and profile captures carry a date-time as an octet-string of 12: an instant given
                // for one is written as those 12 octets
                if (type == DlmsType.OCTET_STRING && json.isTextual() && looksLikeInstant(json.textValue())) {
                    yield new DlmsValue(type, dateTime(json, clock).octets());
                }
                yield new DlmsValue(type, hex(json, type, -1));
            }
            case DATE_TIME -> dateTime(json, clock);
            case DATE -> {
                String text = text(json, type);
                if (text.length() == 10 && text.charAt(4) == '-') {
                    LocalDate date = parse(() -> LocalDate.parse(text), type, text);
                    yield new DlmsValue(type, new byte[]{(byte) (date.getYear() >> 8), (byte) date.getYear(),
                            (byte) date.getMonthValue(), (byte) date.getDayOfMonth(),
                            (byte) date.getDayOfWeek().getValue()});
                }
                yield new DlmsValue(type, hex(json, type, 5));
            }
            case TIME -> {
                String text = text(json, type);
                if (text.contains(":")) {
                    LocalTime time = parse(() -> LocalTime.parse(text), type, text);
                    yield new DlmsValue(type, new byte[]{(byte) time.getHour(), (byte) time.getMinute(),
                            (byte) time.getSecond(), (byte) (time.getNano() / 10_000_000)});
                }
                yield new DlmsValue(type, hex(json, type, 4));
            }
            case ARRAY, STRUCTURE -> {
                if (!json.isArray()) {
                    throw new IllegalArgumentException(type + " takes a JSON array of typed values"
                            + " ([{\"type\":\"unsigned\",\"value\":1}, ...]), got " + kind(json));
                }
                List<DlmsValue> elements = new ArrayList<>(json.size());
                for (JsonNode element : json) {
                    elements.add(typed(element, null, clock, depth + 1));
                }
                yield new DlmsValue(type, elements);
            }
            default -> throw new IllegalArgumentException("type " + type + " is not supported");
        };
    }

    private static DlmsValue integer(JsonNode json, DlmsType type) {
        String range = type.min() + ".." + type.max();
        if (!json.isNumber()) {
            throw new IllegalArgumentException(type + " takes a whole number in " + range + ", got " + kind(json));
        }
        if (!json.isIntegralNumber()) {
            // 1500.0 is a whole number written as a fraction: refused too, a type's range is of whole numbers only
            throw new IllegalArgumentException(type + " takes a whole number in " + range + ", got " + json);
        }
        if (!json.canConvertToLong() || json.longValue() < type.min() || json.longValue() > type.max()) {
            throw new IllegalArgumentException(type + " takes a whole number in " + range + ", got "
                    + bounded(json.asText()));
        }
        return DlmsValue.integer(type, json.longValue());
    }

    private static DlmsValue dateTime(JsonNode json, DeviceClock clock) {
        String text = text(json, DlmsType.DATE_TIME);
        if (text.length() == 2 * CosemDateTime.LENGTH && text.indexOf('-') < 0 && text.indexOf(':') < 0) {
            return new DlmsValue(DlmsType.DATE_TIME, hex(json, DlmsType.DATE_TIME, CosemDateTime.LENGTH));
        }
        Instant instant = parse(() -> Instant.parse(text), DlmsType.DATE_TIME, text);
        // a date-time's year is two octets, and 0xFFFF means "not specified"
        int year = parse(() -> instant.atOffset(clock.offset()).getYear(), DlmsType.DATE_TIME, text);
        if (year < 0 || year >= CosemDateTime.YEAR_NOT_SPECIFIED) {
            throw new IllegalArgumentException("date-time: the year " + year + " is outside 0.."
                    + (CosemDateTime.YEAR_NOT_SPECIFIED - 1));
        }
        return new DlmsValue(DlmsType.DATE_TIME, CosemDateTime.of(instant, clock.offset(), clock.sign(), 0).encode());
    }

    /** {@code 2026-12-01T10:00:00Z}: a date, a T, a time; never hex, which has no T or colon. */
    private static boolean looksLikeInstant(String text) {
        return text.length() >= 20 && text.length() <= 40 && text.charAt(4) == '-' && text.indexOf('T') == 10;
    }

    private interface Parse<T> {
        T parse();
    }

    private static <T> T parse(Parse<T> parse, DlmsType type, String text) {
        try {
            return parse.parse();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(type + ": '" + bounded(text) + "' is no " + switch (type) {
                case DATE -> "ISO date (2026-12-01) nor 10 hex digits";
                case TIME -> "ISO time (10:00:00) nor 8 hex digits";
                default -> "ISO-8601 instant (2026-12-01T10:00:00Z) nor 24 hex digits";
            });
        }
    }

    private static byte[] hex(JsonNode json, DlmsType type, int octets) {
        String text = text(json, type).replace(" ", "");
        try {
            if (text.length() % 2 != 0) {
                throw new IllegalArgumentException("odd");
            }
            byte[] bytes = HEX.parseHex(text);
            if (octets >= 0 && bytes.length != octets) {
                throw new IllegalArgumentException(type + " takes " + octets + " octets (" + 2 * octets
                        + " hex digits), got " + bytes.length);
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(type.text())) {
                throw e;
            }
            throw new IllegalArgumentException(type + " takes hex digits, two per octet (\"4142\")"
                    + (type == DlmsType.OCTET_STRING ? " or {\"type\":\"octet-string\",\"text\":\"AB\"}" : "")
                    + ", got '" + bounded(text) + "'");
        }
    }

    private static String text(JsonNode json, DlmsType type) {
        if (!json.isTextual()) {
            throw new IllegalArgumentException(type + " takes a string, got " + kind(json));
        }
        return json.textValue();
    }

    private static DlmsType type(JsonNode typeNode) {
        if (!typeNode.isTextual()) {
            throw new IllegalArgumentException("\"type\" must be one of " + DlmsType.names());
        }
        return DlmsType.of(typeNode.textValue()).orElseThrow(() -> new IllegalArgumentException("unknown type '"
                + bounded(typeNode.textValue()) + "'; one of " + DlmsType.names()));
    }

    private static void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("arrays and structures nested deeper than " + MAX_DEPTH);
        }
    }

    private static int firstNotPrintable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                return i;
            }
        }
        return -1;
    }


    private static String kind(JsonNode json) {
        return json.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** Text of the caller's echoed in a message, cut so a message stays a line. */
    private static String bounded(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
