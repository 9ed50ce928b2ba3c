package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadEncoderTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final PayloadEncoder encoder = new PayloadEncoder(mapper);

    @Test
    void groupsEntriesOfManyDevicesIntoOnePayload() throws IOException {
        List<DeviceTelemetry> entries = List.of(
                new DeviceTelemetry("Meter-001", "DLMS", 1000, ordered("voltage_l1", 230.1, "status", "ok")),
                new DeviceTelemetry("Meter-002", null, 1000, ordered("current_l1", 5L)),
                new DeviceTelemetry("Meter-001", "DLMS", 2000, ordered("voltage_l1", 230.4, "flag", true)));

        PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(entries, 65_000);

        assertThat(encoded.payloads()).hasSize(1);
        assertThat(encoded.entries()).isEqualTo(3);
        assertThat(encoded.values()).isEqualTo(5);
        JsonNode json = mapper.readTree(encoded.payloads().get(0));
        assertThat(json).isEqualTo(mapper.readTree("""
                {"Meter-001":[{"ts":1000,"values":{"voltage_l1":230.1,"status":"ok"}},
                              {"ts":2000,"values":{"voltage_l1":230.4,"flag":true}}],
                 "Meter-002":[{"ts":1000,"values":{"current_l1":5}}]}"""));
    }

    @Test
    void valuesKeptAsJsonAreFramedAsTheyAreAndCountedWithoutParsing() {
        byte[] kept = "{\"voltage_l1\":230.10,\"note\":\"a, \\\"b\\\" {c}\",\"list\":[1,2]}"
                .getBytes(StandardCharsets.UTF_8);
        List<DeviceTelemetry> entries = List.of(DeviceTelemetry.ofJson("Meter-001", "DLMS", 1000, kept),
                new DeviceTelemetry("Meter-001", "DLMS", 2000, ordered("voltage_l1", 230.4)));

        PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(entries, 65_000);

        // byte for byte: 230.10 keeps its trailing zero, which a parse and a second write would not
        assertThat(new String(encoded.payloads().get(0), StandardCharsets.UTF_8)).isEqualTo(
                "{\"Meter-001\":[{\"ts\":1000,\"values\":" + new String(kept, StandardCharsets.UTF_8) + "},"
                        + "{\"ts\":2000,\"values\":{\"voltage_l1\":230.4}}]}");
        assertThat(encoded.values()).isEqualTo(4);
        assertThat(DeviceTelemetry.ofJson("m", null, 0, "{}".getBytes(StandardCharsets.UTF_8)).valueCount())
                .isZero();
    }

    @Test
    void valuesKeptAsJsonTooLargeForOnePayloadAreSplitLikeAnyOthers() throws IOException {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 40; i++) {
            json.append(i == 0 ? "" : ",").append("\"key").append(i).append("\":").append(1000 + i);
        }
        byte[] kept = json.append('}').toString().getBytes(StandardCharsets.UTF_8);

        PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(
                List.of(DeviceTelemetry.ofJson("Meter-001", null, 7, kept)), 200);

        assertThat(encoded.payloads().size()).isGreaterThan(2);
        Map<String, Integer> seen = new HashMap<>();
        for (byte[] payload : encoded.payloads()) {
            assertThat(payload.length).isLessThanOrEqualTo(200);
            mapper.readTree(payload).get("Meter-001").forEach(entry -> {
                assertThat(entry.get("ts").asLong()).isEqualTo(7);
                entry.get("values").fields().forEachRemaining(f -> seen.merge(f.getKey() + "=" + f.getValue(), 1,
                        Integer::sum));
            });
        }
        assertThat(seen).hasSize(40).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
        assertThat(encoded.values()).isEqualTo(40);
    }

    @Test
    void splitsBatchesSoEveryPayloadFitsAndEveryValueAppearsOnce() throws IOException {
        List<DeviceTelemetry> entries = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            for (int t = 0; t < 20; t++) {
                entries.add(new DeviceTelemetry("dev \"" + d + "\"", "t", 1_700_000_000_000L + t,
                        ordered("a", d * 1000 + t, "b", "x".repeat(d * 3))));
            }
        }
        int budget = 500;

        PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(entries, budget);

        assertThat(encoded.payloads().size()).isGreaterThan(5);
        assertThat(encoded.droppedValues()).isZero();
        Map<String, Integer> seen = new HashMap<>();
        for (byte[] payload : encoded.payloads()) {
            assertThat(payload.length).isLessThanOrEqualTo(budget);
            mapper.readTree(payload).fields().forEachRemaining(device -> device.getValue().forEach(entry ->
                    entry.get("values").fieldNames().forEachRemaining(key -> seen.merge(
                            device.getKey() + '|' + entry.get("ts").asLong() + '|' + key, 1, Integer::sum))));
        }
        assertThat(seen).hasSize(7 * 20 * 2);
        assertThat(seen.values()).containsOnly(1);
    }

    @Test
    void splitsAnOversizeEntryIntoEntriesWithTheSameTimestampAndDropsOnlyAValueTooLargeAlone() throws IOException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            values.put("register_" + i, 1000.5 + i);
        }
        values.put("huge", "y".repeat(400));
        List<DeviceTelemetry> entries = List.of(new DeviceTelemetry("Meter-9", null, 42, values));
        int budget = 300;

        PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(entries, budget);

        assertThat(encoded.droppedValues()).isEqualTo(1);
        Map<String, Double> received = new HashMap<>();
        for (byte[] payload : encoded.payloads()) {
            assertThat(payload.length).isLessThanOrEqualTo(budget);
            for (JsonNode entry : mapper.readTree(payload).get("Meter-9")) {
                assertThat(entry.get("ts").asLong()).isEqualTo(42);
                entry.get("values").fields().forEachRemaining(v ->
                        assertThat(received.put(v.getKey(), v.getValue().asDouble())).isNull());
            }
        }
        assertThat(received).hasSize(40).containsEntry("register_39", 1039.5).doesNotContainKey("huge");
    }

    @Test
    void writesOtherValueTypesAsJson() throws IOException {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("n", null);
        values.put("f", 1.5f);
        values.put("big", new java.math.BigDecimal("12345678901234567890.5"));
        values.put("obj", Map.of("k", List.of(1, 2)));
        values.put("tree", mapper.readTree("{\"x\":1}"));

        byte[] payload = encoder.encodeTelemetry(List.of(new DeviceTelemetry("d", null, 1, values)), 10_000)
                .payloads().get(0);

        assertThat(mapper.readTree(payload).get("d").get(0).get("values")).isEqualTo(mapper.readTree(
                "{\"n\":null,\"f\":1.5,\"big\":12345678901234567890.5,\"obj\":{\"k\":[1,2]},\"tree\":{\"x\":1}}"));
    }

    @Test
    void splitsAttributesAndFlatObjects() throws IOException {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            attributes.put("attribute_" + i, "value-" + i);
        }
        int[] dropped = new int[1];

        List<byte[]> payloads = encoder.encodeDeviceAttributes("Meter-1", attributes, 200, dropped);

        assertThat(payloads.size()).isGreaterThan(1);
        Map<String, String> received = new HashMap<>();
        for (byte[] payload : payloads) {
            assertThat(payload.length).isLessThanOrEqualTo(200);
            mapper.readTree(payload).get("Meter-1").fields()
                    .forEachRemaining(f -> received.put(f.getKey(), f.getValue().asText()));
        }
        assertThat(received).hasSize(30).containsEntry("attribute_29", "value-29");
        assertThat(mapper.readTree(encoder.encodeObject(Map.of("cpu", 3), 100, dropped).get(0)))
                .isEqualTo(mapper.readTree("{\"cpu\":3}"));
        assertThat(dropped[0]).isZero();
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
