package io.dlmsgateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.fleet.MeterReading;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The README's embedding example, run as written against simulated meters (only the ports differ). */
class EmbeddingExampleTest {

    @Test
    void theReadmeExampleRuns() throws Exception {
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1")
                .basePort(0).meterCount(3).workerThreads(1).build())) {
            int[] ports = simulator.addresses().stream().mapToInt(a -> a.getPort()).toArray();

            // ---- README: "Polling meters from Java" ----
            List<Meter> meters = IntStream.range(0, 3)
                    .mapToObj(i -> Meter.builder("meter-" + i, "127.0.0.1", ports[i])
                            .pollingInterval(Duration.ofSeconds(1))
                            .measurements("voltage_l1", "current_l1", "active_power")
                            .build())
                    .toList();
            List<MeterReading> readings;
            try (MeterFleet fleet = MeterFleet.create(meters)) {
                readings = fleet.readings()
                        .take(6)
                        .doOnNext(r -> System.out.println(r.meter() + " " + r.values()))
                        .collectList()
                        .block(Duration.ofSeconds(30));   // in main only: never block on an event loop
                System.out.println(fleet.statistics());
            }
            // ---- end of README example ----

            assertThat(readings).hasSize(6);
            assertThat(readings).extracting(MeterReading::meter).contains("meter-0", "meter-1", "meter-2");
            assertThat(readings).allSatisfy(r -> assertThat(r.values())
                    .containsOnlyKeys("voltage_l1", "current_l1", "active_power"));
        }
    }
}
