package io.dlmsgateway.bench.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeasurements;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The blocking baseline client against real simulated meters over loopback TCP. */
class BlockingMeterClientTest {

    private static final Instant METER_TIME = Instant.parse("2025-11-04T10:30:45Z");
    private static final List<String> NAMES = List.of("voltage_l1", "current_l1", "active_power", "frequency");
    private static final List<String> OBIS = NAMES.stream()
            .map(n -> MeasurementCatalog.require(n).obis().toString()).toList();

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsScaledValuesOfTheRightMeterPollAfterPoll(Framing framing) throws Exception {
        SimulatorOptions options = SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(3)
                .framing(framing).workerThreads(1).clock(Clock.fixed(METER_TIME, ZoneOffset.UTC)).build();
        try (MeterSimulator simulator = MeterSimulator.start(options)) {
            int meter = 2;
            try (BlockingMeterClient client = new BlockingMeterClient(framing, 16,
                    simulator.addressing().serverAddress(meter), OBIS)) {
                client.connect(simulator.addresses().get(meter), 2_000, 2_000);

                assertThat(client.usesGetWithList()).isTrue();
                for (int poll = 0; poll < 3; poll++) {
                    List<Object> values = client.poll();
                    assertThat(values).hasSize(NAMES.size());
                    for (int i = 0; i < NAMES.size(); i++) {
                        double expected = SimulatedMeasurements.value(NAMES.get(i), meter, METER_TIME.toEpochMilli());
                        assertThat(((Number) values.get(i)).doubleValue()).as(NAMES.get(i))
                                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aPollOnAClosedMeterFails(Framing framing) throws Exception {
        SimulatorOptions options = SimulatorOptions.builder().host("127.0.0.1").basePort(0).meterCount(1)
                .framing(framing).workerThreads(1).build();
        BlockingMeterClient client;
        try (MeterSimulator simulator = MeterSimulator.start(options)) {
            client = new BlockingMeterClient(framing, 16, simulator.addressing().serverAddress(0), OBIS);
            client.connect(simulator.addresses().get(0), 2_000, 2_000);
            client.poll();
        }
        try (client) {
            assertThatThrownBy(client::poll).isInstanceOf(IOException.class);
        }
    }
}
