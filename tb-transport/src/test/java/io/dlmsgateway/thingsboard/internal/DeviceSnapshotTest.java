package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceSnapshotTest {

    @Test
    void keepsTheAnnouncementOrderAndTellsNoTypeAsNull() {
        Map<String, String> known = new LinkedHashMap<>();
        known.put("Meter-B", "Profile");
        known.put("Meter-A", DeviceAnnouncer.NO_TYPE);
        known.put("Meter-C", "Other");

        DeviceSnapshot snapshot = new DeviceSnapshot(known);

        assertThat(snapshot).containsExactly(Map.entry("Meter-B", "Profile"), new AbstractMap.SimpleEntry<>("Meter-A", null),
                Map.entry("Meter-C", "Other"));
        assertThat(snapshot.get("Meter-A")).isNull();
        assertThat(snapshot.containsKey("Meter-A")).isTrue();
        assertThat(snapshot.containsKey("Meter-D")).isFalse();
        assertThat(snapshot.get("Meter-D")).isNull();
        assertThat(snapshot.containsKey(42)).isFalse();
    }

    @Test
    void findsEveryDeviceOfALargeFleetAndEqualsAMapOfTheSameDevices() {
        Map<String, String> known = new LinkedHashMap<>();
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            String type = i % 3 == 0 ? DeviceAnnouncer.NO_TYPE : "type-" + (i % 5);
            known.put("meter-" + i, type);
            expected.put("meter-" + i, type.isEmpty() ? null : type);
        }

        DeviceSnapshot snapshot = new DeviceSnapshot(known);

        assertThat(snapshot).hasSize(10_000).isEqualTo(expected);
        assertThat(snapshot.hashCode()).isEqualTo(expected.hashCode());
        for (Map.Entry<String, String> device : expected.entrySet()) {
            assertThat(snapshot.containsKey(device.getKey())).isTrue();
            assertThat(snapshot.get(device.getKey())).isEqualTo(device.getValue());
        }
        assertThat(snapshot.containsKey("meter-10000")).isFalse();
    }

    @Test
    void theEmptyOneHasNoDevices() {
        assertThat(DeviceSnapshot.EMPTY).isEmpty();
        assertThat(DeviceSnapshot.EMPTY.containsKey("Meter-1")).isFalse();
    }
}
