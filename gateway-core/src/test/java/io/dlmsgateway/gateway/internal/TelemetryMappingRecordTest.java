package io.dlmsgateway.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.SpoolRecord;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The spool record of a reading is written straight from the reading; its bytes must stay exactly what the values'
 * map through an ObjectMapper gave before (kept here as the oracle), for every form a mapping and a value can take.
 */
class TelemetryMappingRecordTest {

    private static final Instant TAKEN = Instant.parse("2026-12-01T10:00:00.123Z");

    /** Every kind of value a MeasuredValue may hold (see CosemValues.plain), with text that needs escapes. */
    private static Map<String, Object> everyKind() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("voltage_l1", new BigDecimal("230.1"));
        values.put("active_energy", new BigDecimal("1E+3")); // negative scale: plain 1000, never 1E+3
        values.put("tiny", new BigDecimal("0.00000001"));
        values.put("zero_scaled", new BigDecimal("0.000"));
        values.put("negative", new BigDecimal("-12.50"));
        values.put("long", Long.MIN_VALUE);
        values.put("int", 2_147_483_647);
        values.put("short", (short) -7);
        values.put("byte", (byte) 3);
        values.put("float", 1.5e-3f);
        values.put("double", 12345.678901234);
        values.put("double_nan", Double.NaN);
        values.put("big_integer", new BigInteger("18446744073709551615"));
        values.put("relay", true);
        values.put("alarm", false);
        values.put("empty", "");
        values.put("escapes", "quote \" backslash \\ slash / tab \t newline \n nul \u0000 bell \u0007 del \u007f");
        values.put("unicode", "Zähler – 電表 😀 \u2028");
        values.put("hex", "0102A0FF");
        values.put("structure", List.of(new BigDecimal("1E+2"), "a\"b", List.of(true, 7L), List.of()));
        values.put("key \"with\" escapes\n", "value");
        values.put(ClockCheck.DEVIATION_KEY, -1_250L);
        return values;
    }

    @Test
    void withoutMappingEveryValueGoesUnderItsNameAsTheMapWroteIt() throws Exception {
        GatewayDevice device = device(Map.of());
        assertSameBytes(device, reading(device, everyKind()));
    }

    @Test
    void anEmptyReadingIsAnEmptyObject() throws Exception {
        GatewayDevice device = device(Map.of());
        assertThat(new String(assertSameBytes(device, reading(device, Map.of())), StandardCharsets.UTF_8))
                .isEqualTo("{}");
        GatewayDevice mapped = device(mapping("v", "${voltage_l1}", "t", "at ${voltage_l1}"));
        assertThat(new String(assertSameBytes(mapped, reading(mapped, Map.of())), StandardCharsets.UTF_8))
                .isEqualTo("{}");
    }

    @Test
    void singlePlaceholdersKeepTheValuesTypesInMappingOrder() throws Exception {
        Map<String, String> mapping = new LinkedHashMap<>();
        for (String name : everyKind().keySet()) {
            if (!name.equals(ClockCheck.DEVIATION_KEY)) {
                mapping.put("m_" + name, "${" + name + "}");
            }
        }
        mapping.put("host", "${host}");
        mapping.put("port", "${port}");
        mapping.put("device", "${name}");
        mapping.put("profile", "${deviceType}");
        mapping.put("again", "${voltage_l1}");
        mapping.put("spaced", "${ voltage_l1 }");
        GatewayDevice device = device(mapping(mapping));
        assertSameBytes(device, reading(device, everyKind()));
    }

    @Test
    void templatesWithTextAreRenderedAsTheMapRenderedThem() throws Exception {
        GatewayDevice device = device(mapping(
                "label", "${voltage_l1} V at ${host}:${port} (${name}, ${deviceType})",
                "sci", "tiny=${tiny} big=${active_energy} ${structure}",
                "escaped", "\"${escapes}\" ${unicode}",
                "twice", "${int}/${int}",
                "literal", "no placeholder at all",
                "empty", "",
                "kinds", "${relay} ${float} ${double} ${double_nan} ${big_integer} ${short} ${byte} ${long}"));
        assertSameBytes(device, reading(device, everyKind()));
    }

    @Test
    void aKeyWhosePlaceholderHasNoValueIsLeftOut() throws Exception {
        GatewayDevice device = device(mapping(
                "first", "${voltage_l1}",
                "missing", "${refused}",
                "half", "${voltage_l1} and ${refused}",
                "last", "${relay}"));
        Map<String, Object> values = Map.of("voltage_l1", new BigDecimal("230.1"), "relay", true);
        assertThat(new String(assertSameBytes(device, reading(device, values)), StandardCharsets.UTF_8))
                .isEqualTo("{\"first\":230.1,\"last\":true}");
    }

    @Test
    void theClockDeviationGoesBesideTheMappingAtTheEnd() throws Exception {
        GatewayDevice device = device(mapping("v", "${voltage_l1}", "e", "${active_energy}"));
        Map<String, Object> values = everyKind();
        assertThat(new String(assertSameBytes(device, reading(device, values)), StandardCharsets.UTF_8))
                .isEqualTo("{\"v\":230.1,\"e\":1000,\"clockDeviationMs\":-1250}");
        // a clock check's reading alone: only the deviation
        assertThat(new String(assertSameBytes(device, reading(device,
                Map.of(ClockCheck.DEVIATION_KEY, 42L))), StandardCharsets.UTF_8))
                .isEqualTo("{\"clockDeviationMs\":42}");
    }

    @Test
    void aMappingThatNamesTheDeviationKeyKeepsItsPlaceAndValue() throws Exception {
        // mapped under the deviation's name to something else: the mapped value stays where the mapping puts it
        GatewayDevice other = device(mapping(ClockCheck.DEVIATION_KEY, "${int}", "v", "${voltage_l1}"));
        assertThat(new String(assertSameBytes(other, reading(other, everyKind())), StandardCharsets.UTF_8))
                .isEqualTo("{\"clockDeviationMs\":2147483647,\"v\":230.1}");
        // mapped to itself
        GatewayDevice itself = device(mapping("v", "${voltage_l1}", ClockCheck.DEVIATION_KEY,
                "${" + ClockCheck.DEVIATION_KEY + "}", "r", "${relay}"));
        assertThat(new String(assertSameBytes(itself, reading(itself, everyKind())), StandardCharsets.UTF_8))
                .isEqualTo("{\"v\":230.1,\"clockDeviationMs\":-1250,\"r\":true}");
        // mapped to a value this reading lacks: the deviation itself comes at the end
        GatewayDevice lacking = device(mapping(ClockCheck.DEVIATION_KEY, "${refused}", "v", "${voltage_l1}"));
        assertThat(new String(assertSameBytes(lacking, reading(lacking, everyKind())), StandardCharsets.UTF_8))
                .isEqualTo("{\"v\":230.1,\"clockDeviationMs\":-1250}");
        // as text
        GatewayDevice text = device(mapping(ClockCheck.DEVIATION_KEY, "${voltage_l1} V"));
        assertThat(new String(assertSameBytes(text, reading(text, everyKind())), StandardCharsets.UTF_8))
                .isEqualTo("{\"clockDeviationMs\":\"230.1 V\"}");
    }

    @Test
    void keysNeedingEscapesAreWrittenAsTheMapWroteThem() throws Exception {
        GatewayDevice device = device(mapping("a \"quoted\" key", "${voltage_l1}", "tab\tkey", "${relay}",
                "ümlaut", "${unicode}", "", "${hex}"));
        assertSameBytes(device, reading(device, everyKind()));
    }

    @Test
    void plainBigDecimalsStayPlain() throws Exception {
        GatewayDevice device = device(Map.of());
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("a", new BigDecimal("230.1"));
        values.put("b", new BigDecimal("1E+3"));
        values.put("c", new BigDecimal("5E-10"));
        assertThat(new String(assertSameBytes(device, reading(device, values)), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":230.1,\"b\":1000,\"c\":0.0000000005}");
    }

    @Test
    void eachRecordHasItsOwnBytes() {
        GatewayDevice device = device(Map.of());
        TelemetryMapping mapping = new TelemetryMapping(Map.of(device.name(), device));
        SpoolRecord first = mapping.record(reading(device, Map.of("v", new BigDecimal("1.5"))));
        SpoolRecord second = mapping.record(reading(device, Map.of("v", new BigDecimal("2.5"))));
        assertThat(new String(first.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":1.5}");
        assertThat(new String(second.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":2.5}");
        assertThat(first.key()).isEqualTo("meter-7");
        assertThat(first.timestamp()).isEqualTo(TAKEN.toEpochMilli());
    }

    @Test
    void aRecordThatCannotBeWrittenLeavesNothingBehindForTheNext() {
        GatewayDevice device = device(Map.of());
        TelemetryMapping mapping = new TelemetryMapping(Map.of(device.name(), device));
        Map<String, Object> unwritable = new LinkedHashMap<>();
        unwritable.put("v", new BigDecimal("1.5"));
        unwritable.put("opaque", new Object()); // no serializer: the mapper refused it too
        assertThatThrownBy(() -> mapping.record(reading(device, unwritable)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("meter-7");
        SpoolRecord next = mapping.record(reading(device, Map.of("w", 2L)));
        assertThat(new String(next.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"w\":2}");
    }

    @Test
    void aLargeRecordAndTheSmallOneAfterItAreWhole() throws Exception {
        GatewayDevice device = device(Map.of());
        Map<String, Object> large = new LinkedHashMap<>();
        for (int i = 0; i < 2_000; i++) {
            large.put("value_" + i, new BigDecimal(i).movePointLeft(2));
        }
        assertThat(assertSameBytes(device, reading(device, large)).length).isGreaterThan(20_000);
        assertThat(new String(assertSameBytes(device, reading(device, Map.of("w", "x"))), StandardCharsets.UTF_8))
                .isEqualTo("{\"w\":\"x\"}");
    }

    /** Asserts the record's bytes are the oracle's; returns them. */
    private static byte[] assertSameBytes(GatewayDevice device, MeterReading reading) throws Exception {
        SpoolRecord record = new TelemetryMapping(Map.of(device.name(), device)).record(reading);
        byte[] expected = MapOracle.bytes(device, reading);
        assertThat(new String(record.payload(), StandardCharsets.UTF_8))
                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(record.payload()).isEqualTo(expected);
        assertThat(record.key()).isEqualTo(reading.meter());
        assertThat(record.timestamp()).isEqualTo(reading.timestamp().toEpochMilli());
        return record.payload();
    }

    private static GatewayDevice device(Map<String, ValueTemplate> timeseries) {
        return new GatewayDevice(Meter.builder("meter-7", "10.0.0.7", 4059).build(), "DLMS \"Energy\" Meter",
                Map.of(), timeseries);
    }

    private static Map<String, ValueTemplate> mapping(String... keysAndTemplates) {
        Map<String, String> mapping = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTemplates.length; i += 2) {
            mapping.put(keysAndTemplates[i], keysAndTemplates[i + 1]);
        }
        return mapping(mapping);
    }

    private static Map<String, ValueTemplate> mapping(Map<String, String> templates) {
        Map<String, ValueTemplate> mapping = new LinkedHashMap<>();
        templates.forEach((key, template) -> mapping.put(key, ValueTemplate.parse(template)));
        return mapping;
    }

    private static MeterReading reading(GatewayDevice device, Map<String, Object> values) {
        Map<String, MeasuredValue> measured = new LinkedHashMap<>();
        values.forEach((name, value) -> measured.put(name, new MeasuredValue(
                new Measurement(name, MeasurementCatalog.CLOCK, Measurement.CLASS_DATA, 2), value, "")));
        return new MeterReading(device.name(), TAKEN, TAKEN, Duration.ofMillis(3), measured, List.of());
    }

    /** How the record was written before: the values into a LinkedHashMap, the map through an ObjectMapper. */
    private static final class MapOracle {

        private static final ObjectMapper JSON =
                new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

        static byte[] bytes(GatewayDevice device, MeterReading reading) throws Exception {
            return JSON.writeValueAsBytes(telemetry(device, reading));
        }

        private static Map<String, Object> telemetry(GatewayDevice device, MeterReading reading) {
            Map<String, Object> values = new LinkedHashMap<>();
            if (device.timeseriesMapping().isEmpty()) {
                reading.values().forEach((name, value) -> values.put(name, value.value()));
                return values;
            }
            Function<String, Object> lookup = lookup(device, reading);
            device.timeseriesMapping().forEach((key, template) -> put(values, key, template, lookup));
            MeasuredValue deviation = reading.value(ClockCheck.DEVIATION_KEY);
            if (deviation != null) {
                values.putIfAbsent(ClockCheck.DEVIATION_KEY, deviation.value());
            }
            return values;
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
    }
}
