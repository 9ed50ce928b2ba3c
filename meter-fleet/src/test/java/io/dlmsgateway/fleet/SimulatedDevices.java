package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterAddressing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/** Meters pointing at the meters of a running simulator, named {@code meter-<index>}. */
final class SimulatedDevices {

    static final List<Measurement> SEED_MEASUREMENTS = Meter.DEFAULT_MEASUREMENTS;

    private SimulatedDevices() {
    }

    static List<Meter> all(MeterSimulator simulator, Duration interval, Duration requestTimeout) {
        return IntStream.range(0, simulator.meterCount())
                .mapToObj(i -> device(simulator, i, interval, requestTimeout))
                .toList();
    }

    static Meter device(MeterSimulator simulator, int index, Duration interval, Duration requestTimeout) {
        return Meter.builder("meter-" + index, "127.0.0.1", simulator.addresses().get(index).getPort())
                .client(client(simulator, index, requestTimeout).build())
                .pollingInterval(interval)
                .measurements(SEED_MEASUREMENTS)
                .build();
    }

    /** The public client's settings for meter {@code index} of the simulator. */
    static DlmsClientSettings.Builder client(MeterSimulator simulator, int index, Duration requestTimeout) {
        MeterAddressing addressing = simulator.addressing();
        Framing framing = simulator.options().framing();
        DlmsClientSettings.Builder b = DlmsClientSettings.builder()
                .framing(framing)
                .clientAddress(MeterAddressing.PUBLIC_CLIENT)
                .logicalAddress(addressing.logicalAddress())
                .connectTimeout(Duration.ofSeconds(2))
                .requestTimeout(requestTimeout);
        if (framing == Framing.HDLC) {
            b.physicalAddress(addressing.physicalAddress(index));
        }
        return b;
    }

    static int index(String deviceName) {
        return Integer.parseInt(deviceName.substring("meter-".length()));
    }
}
