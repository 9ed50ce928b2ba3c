package io.dlmsgateway.gateway;

import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Gateway settings pointing at simulated meters ({@code meter-<i>}) and a broker on loopback. */
public final class GatewayFixture {

    public static final String TOKEN = "GATEWAY_TOKEN";

    private GatewayFixture() {
    }

    /** The seed's mapping: telemetry under other keys than the measurement names, attributes from templates. */
    public static List<GatewayDevice> devices(MeterSimulator simulator, Duration interval, Duration requestTimeout) {
        Map<String, ValueTemplate> timeseries = new LinkedHashMap<>();
        timeseries.put("voltage", ValueTemplate.parse("${voltage_l1}"));
        timeseries.put("current_l1", ValueTemplate.parse("${current_l1}"));
        timeseries.put("active_power", ValueTemplate.parse("${active_power}"));
        timeseries.put("frequency", ValueTemplate.parse("${frequency}"));
        Map<String, ValueTemplate> attributes = new LinkedHashMap<>();
        attributes.put("host", ValueTemplate.parse("${host}"));
        attributes.put("port", ValueTemplate.parse("${port}"));
        attributes.put("meter_type", ValueTemplate.parse("DLMS/COSEM"));
        attributes.put("label", ValueTemplate.parse("${name} (${deviceType})"));
        List<GatewayDevice> devices = new ArrayList<>();
        for (int i = 0; i < simulator.meterCount(); i++) {
            Meter meter = Meter.builder("meter-" + i, "127.0.0.1", simulator.addresses().get(i).getPort())
                    .client(DlmsClientSettings.builder().requestTimeout(requestTimeout).build())
                    .pollingInterval(interval)
                    .measurements("voltage_l1", "current_l1", "active_power", "frequency")
                    .build();
            devices.add(new GatewayDevice(meter, "DLMS_Energy_Meter", attributes, timeseries));
        }
        return devices;
    }

    static GatewaySettings config(List<GatewayDevice> devices, int brokerPort, Path spool, int maxPayloadSize,
            Duration statsPeriod) {
        ThingsBoardSettings tb = ThingsBoardSettings.builder().host("127.0.0.1").port(brokerPort).accessToken(TOKEN)
                .qos(1).maxPayloadSize(maxPayloadSize).build();
        return new GatewaySettings(devices, tb, SpoolOptions.file(spool.resolve("spool")).withMaxBytes(64L << 20),
                Optional.ofNullable(statsPeriod), Duration.ofMillis(50));
    }

    /** Short backoffs and timeouts, so that tests of outages do not wait for production's patience. */
    public static GatewayOptions quick() {
        return GatewayOptions.builder()
                .fleet(io.dlmsgateway.fleet.FleetOptions.builder()
                        .reconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                        .releaseTimeout(Duration.ofSeconds(2))
                        .build())
                .transport(b -> b.reconnectDelay(Duration.ofMillis(200), Duration.ofSeconds(1))
                        .rpcTimeout(Duration.ofSeconds(2))
                        .sessionLimitsTimeout(Duration.ofMillis(500)))
                .build();
    }
}
