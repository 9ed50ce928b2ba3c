package io.dlmsgateway.gateway;

import io.dlmsgateway.config.ConnectorConfig;
import io.dlmsgateway.config.DeviceConfig;
import io.dlmsgateway.config.GatewayConfig;
import io.dlmsgateway.config.StorageConfig;
import io.dlmsgateway.config.ThingsBoardConfig;
import io.dlmsgateway.config.ThingsBoardSecurity;
import io.dlmsgateway.config.ValueTemplate;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.spool.SpoolDurability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Gateway configurations pointing at simulated meters ({@code meter-<i>}) and a broker on loopback. */
final class GatewayFixture {

    static final String TOKEN = "GATEWAY_TOKEN";

    private GatewayFixture() {
    }

    /** The seed's mapping: telemetry under other keys than the measurement names, attributes from templates. */
    static List<DeviceConfig> devices(MeterSimulator simulator, Duration interval, Duration requestTimeout) {
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
        List<DeviceConfig> devices = new ArrayList<>();
        for (int i = 0; i < simulator.meterCount(); i++) {
            devices.add(DeviceConfig.builder("meter-" + i, "127.0.0.1", simulator.addresses().get(i).getPort())
                    .deviceType("DLMS_Energy_Meter")
                    .pollingInterval(interval)
                    .requestTimeout(requestTimeout)
                    .measurements("voltage_l1", "current_l1", "active_power", "frequency")
                    .timeseriesMapping(timeseries)
                    .attributesMapping(attributes)
                    .build());
        }
        return devices;
    }

    static GatewayConfig config(List<DeviceConfig> devices, int brokerPort, Path spool, int maxPayloadSize,
            Duration statsPeriod) {
        ConnectorConfig connector = new ConnectorConfig("DLMS Connector", ConnectorConfig.Type.DLMS,
                Optional.empty(), Optional.empty(), true, spool.resolve("dlms_connector.json"), devices);
        ThingsBoardConfig tb = new ThingsBoardConfig("127.0.0.1", brokerPort,
                new ThingsBoardSecurity.AccessToken(TOKEN), 1, Optional.ofNullable(statsPeriod), maxPayloadSize,
                Duration.ofMillis(50));
        StorageConfig storage = new StorageConfig(StorageConfig.Type.FILE, Optional.of(spool.resolve("spool")), 64,
                OptionalLong.empty(), SpoolDurability.CRASH);
        return new GatewayConfig(spool.resolve("tb_gateway.yaml"), tb, List.of(connector), storage);
    }

    /** Short backoffs and timeouts, so that tests of outages do not wait for production's patience. */
    static GatewayOptions quick() {
        return GatewayOptions.builder()
                .eventLoopThreads(2)
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
