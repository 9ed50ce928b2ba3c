package io.dlmsgateway.fleet;

import io.dlmsgateway.config.DeviceConfig;
import io.dlmsgateway.config.MeterSecurity;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/** Device configurations pointing at the meters of a running simulator, named {@code meter-<index>}. */
final class SimulatedDevices {

    static final List<Measurement> SEED_MEASUREMENTS = List.of(MeasurementCatalog.require("voltage_l1"),
            MeasurementCatalog.require("current_l1"), MeasurementCatalog.require("active_power"),
            MeasurementCatalog.require("frequency"));

    private SimulatedDevices() {
    }

    static List<DeviceConfig> all(MeterSimulator simulator, Duration interval, Duration requestTimeout) {
        return IntStream.range(0, simulator.meterCount())
                .mapToObj(i -> device(simulator, i, interval, requestTimeout))
                .toList();
    }

    static DeviceConfig device(MeterSimulator simulator, int index, Duration interval, Duration requestTimeout) {
        MeterAddressing addressing = simulator.addressing();
        Framing framing = simulator.options().framing();
        return new DeviceConfig("meter-" + index, "DLMS_Energy_Meter", "127.0.0.1",
                simulator.addresses().get(index).getPort(), interval, SEED_MEASUREMENTS, Map.of(), Map.of(), framing,
                MeterAddressing.PUBLIC_CLIENT, addressing.logicalAddress(),
                framing == Framing.HDLC ? OptionalInt.of(addressing.physicalAddress(index)) : OptionalInt.empty(),
                MeterSecurity.NONE, Duration.ofSeconds(2), requestTimeout);
    }

    static int index(String deviceName) {
        return Integer.parseInt(deviceName.substring("meter-".length()));
    }
}
