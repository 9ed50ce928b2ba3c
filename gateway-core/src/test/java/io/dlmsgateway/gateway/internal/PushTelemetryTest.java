package io.dlmsgateway.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.fleet.PushNotification;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.PushMapping;
import io.dlmsgateway.gateway.PushMapping.PushValue;
import io.dlmsgateway.spool.SpoolRecord;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 12: a pushed notification's body as ThingsBoard telemetry and attributes, by the device's push mapping. */
class PushTelemetryTest {

    private static final Instant RECEIVED = Instant.parse("2026-12-01T10:00:05Z");
    private static final Instant SENT = Instant.parse("2026-12-01T10:00:00Z");
    private static final DlmsValue BODY = DlmsValue.structure(List.of(
            DlmsValue.octets("LGZ0001".getBytes(StandardCharsets.US_ASCII)),
            DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED, 12_345),
            DlmsValue.structure(List.of(DlmsValue.integer(DlmsType.LONG_UNSIGNED, 2_301), DlmsValue.bool(true)))));

    private static GatewayDevice device(List<PushValue> values) {
        return new GatewayDevice(Meter.builder("pusher", "127.0.0.1", 1).build(), "DLMS", Map.of(), Map.of(), Map.of(),
                Map.of(), Map.of(), Optional.of(new PushMapping(PushMatch.wPort(1), values)), false);
    }

    private static PushNotification notification(Optional<Instant> time) {
        return new PushNotification("pusher", new InetSocketAddress("127.0.0.1", 40000),
                PushNotification.Kind.DATA_NOTIFICATION, 1, Optional.empty(), time, Optional.empty(), BODY, false,
                RECEIVED);
    }

    @Test
    void mappedElementsBecomeKeysScaledAtTheNotificationsTime() {
        GatewayDevice device = device(List.of(new PushValue(List.of(0), "serial", true, 0),
                new PushValue(List.of(1), "active_energy", false, -3),
                new PushValue(List.of(2, 0), "voltage", false, -1),
                new PushValue(List.of(2, 1), "relay", false, 0),
                new PushValue(List.of(5), "absent", false, 0)));
        PushTelemetry.Mapped mapped = PushTelemetry.map(device, notification(Optional.of(SENT)));
        assertThat(mapped.time()).isEqualTo(SENT);
        assertThat(mapped.attributes()).containsExactly(Map.entry("serial", "LGZ0001"));
        assertThat(mapped.telemetry()).containsOnlyKeys("active_energy", "voltage", "relay");
        assertThat((BigDecimal) mapped.telemetry().get("active_energy")).isEqualByComparingTo("12.345");
        assertThat((BigDecimal) mapped.telemetry().get("voltage")).isEqualByComparingTo("230.1");
        assertThat(mapped.telemetry().get("relay")).isEqualTo(true);
        SpoolRecord record = mapped.record("pusher").orElseThrow();
        assertThat(record.timestamp()).isEqualTo(SENT.toEpochMilli());
        assertThat(new String(record.payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"active_energy\":12.345,\"voltage\":230.1,\"relay\":true}");
    }

    @Test
    void withoutMappedValuesEveryTopLevelElementIsTelemetryAtTheTimeReceived() {
        PushTelemetry.Mapped mapped = PushTelemetry.map(device(List.of()), notification(Optional.empty()));
        assertThat(mapped.time()).isEqualTo(RECEIVED);
        assertThat(mapped.telemetry()).containsOnlyKeys("push_0", "push_1", "push_2");
        assertThat(mapped.telemetry().get("push_0")).isEqualTo("LGZ0001");
        assertThat(mapped.telemetry().get("push_1")).isEqualTo(12_345L);
    }

    @Test
    void aDateTimeIsTheInstantItNamesAtTheDevicesClock() {
        byte[] octets = CosemDateTime.of(SENT, ZoneOffset.ofHours(1), DeviationSign.STANDARD, 0).encode();
        Object value = PushTelemetry.value(new DlmsValue(DlmsType.DATE_TIME, octets), 0,
                io.dlmsgateway.gateway.DlmsJson.DeviceClock.UTC);
        assertThat(value).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(PushTelemetry.value(DlmsValue.octets(new byte[]{1, 2}), 0,
                io.dlmsgateway.gateway.DlmsJson.DeviceClock.UTC)).isEqualTo("0102");
    }
}
