package io.dlmsgateway.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.CaptureObject;
import io.dlmsgateway.dlms.client.ProfileColumn;
import io.dlmsgateway.dlms.client.ProfileRow;
import io.dlmsgateway.dlms.client.ProfileShape;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.ProfileChunk;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.SpoolRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Profile rows as ThingsBoard telemetry: keys, mapping, the row's time as ts, flagged and timeless rows. */
class ProfileTelemetryTest {

    private static final ObisCode LOAD = ObisCode.parse("1.0.99.1.0.255");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-30T12:15:00Z");

    private static final ProfileShape SHAPE = new ProfileShape(LOAD, List.of(
            column(8, "0.0.1.0.0.255"), column(3, "1.0.1.8.0.255"), column(3, "1.0.32.7.0.255"),
            column(3, "1.0.2.8.0.255")), 900, 0, 4, 4);

    private static ProfileColumn column(int classId, String obis) {
        return new ProfileColumn(new CaptureObject(classId, ObisCode.parse(obis), 2, 0), classId == 3, 0, "");
    }

    private static ProfileRow row(Instant time, int clockStatus) {
        CosemDateTime sent = time == null ? null : CosemDateTime.of(time, ZoneOffset.UTC, DeviationSign.STANDARD,
                clockStatus);
        return new ProfileRow(time, false, sent, Arrays.asList(time == null ? null : time.toString(),
                new BigDecimal("68012114"), new BigDecimal("227.9"), 5L));
    }

    private final Meter meter = Meter.builder("m1", "127.0.0.1", 4059).build();

    @Test
    void columnsGoUnderTheirCatalogueNamesOrObisCodesAndTheClockIsTheTimestamp() throws Exception {
        ProfileTelemetry.Converted converted = new ProfileTelemetry().records(GatewayDevice.of(meter),
                new ProfileChunk("m1", LOAD, SHAPE, List.of(row(T, 0))));

        SpoolRecord record = converted.records().get(0);
        assertThat(record.key()).isEqualTo("m1");
        assertThat(record.timestamp()).isEqualTo(T.toEpochMilli());
        assertThat(JSON.readTree(record.payload()).toString())
                .isEqualTo("{\"active_energy\":68012114,\"voltage_l1\":227.9,\"1.0.2.8.0.255\":5}");
        assertThat(ProfileTelemetry.columnKeys(SHAPE)).containsExactly("clock", "active_energy", "voltage_l1",
                "1.0.2.8.0.255");
    }

    @Test
    void aMappingRenamesAndSelectsByKeyOrObisCode() throws Exception {
        Map<String, ValueTemplate> mapping = new LinkedHashMap<>();
        mapping.put("energy_import", ValueTemplate.parse("${active_energy}"));
        mapping.put("v", ValueTemplate.parse("${1.0.32.7.0.255}"));
        mapping.put("label", ValueTemplate.parse("${name}: ${3/1.0.2.8.0.255/2}"));
        GatewayDevice device = new GatewayDevice(meter, "t", Map.of(), Map.of(), Map.of(LOAD, mapping));

        SpoolRecord record = new ProfileTelemetry().records(device,
                new ProfileChunk("m1", LOAD, SHAPE, List.of(row(T, 0)))).records().get(0);

        assertThat(JSON.readTree(record.payload()).toString())
                .isEqualTo("{\"energy_import\":68012114,\"v\":227.9,\"label\":\"m1: 5\"}");
    }

    @Test
    void aRowWithAnInvalidOrDoubtfulClockIsFlaggedAndOneWithoutTimeLeftOut() throws Exception {
        ProfileTelemetry.Converted converted = new ProfileTelemetry().records(GatewayDevice.of(meter),
                new ProfileChunk("m1", LOAD, SHAPE, List.of(row(T, CosemDateTime.STATUS_DOUBTFUL), row(null, 0),
                        row(T.plusSeconds(900), CosemDateTime.STATUS_DAYLIGHT_SAVING),
                        row(T.plusSeconds(1800), CosemDateTime.STATUS_INVALID))));

        assertThat(converted.records()).extracting(SpoolRecord::timestamp).containsExactly(T.toEpochMilli(),
                T.plusSeconds(900).toEpochMilli(), T.plusSeconds(1800).toEpochMilli());
        assertThat(converted.flagged()).isEqualTo(2);
        assertThat(converted.withoutTime()).isEqualTo(1);
        List<JsonNode> values = converted.records().stream().map(r -> {
            try {
                return JSON.readTree(r.payload());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        assertThat(values.get(0).get(ProfileTelemetry.CLOCK_STATUS_KEY).asInt()).isEqualTo(2);
        assertThat(values.get(1).has(ProfileTelemetry.CLOCK_STATUS_KEY)).isFalse();
        assertThat(values.get(2).get(ProfileTelemetry.CLOCK_STATUS_KEY).asInt()).isEqualTo(1);
    }
}
