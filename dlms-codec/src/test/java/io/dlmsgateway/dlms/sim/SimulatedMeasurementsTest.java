package io.dlmsgateway.dlms.sim;

import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.Measurement;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedMeasurementsTest {

    @Test
    void coversTheCatalogue() {
        assertThat(SimulatedMeasurements.names())
                .containsExactlyElementsOf(MeasurementCatalog.standard().stream().map(Measurement::name).toList());
    }

    @Test
    void valuesStayInTheirRangesAndEnergyNeverDecreases() {
        long t0 = Instant.parse("2025-06-01T00:00:00Z").toEpochMilli();
        for (int meter = 0; meter < 500; meter += 7) {
            long previousEnergy = 0;
            for (long t = t0; t < t0 + 600_000; t += 1_337) {
                for (String name : SimulatedMeasurements.names()) {
                    double v = SimulatedMeasurements.value(name, meter, t);
                    assertThat(SimulatedMeasurements.range(name).contains(v)).as(name + " " + v).isTrue();
                }
                long e = SimulatedMeasurements.raw("active_energy", meter, t);
                assertThat(e).isGreaterThanOrEqualTo(previousEnergy);
                previousEnergy = e;
            }
        }
    }

    @Test
    void powerIsConsistent() {
        long t = Instant.parse("2025-06-01T00:00:00Z").toEpochMilli();
        double s = SimulatedMeasurements.value("apparent_power", 3, t);
        double p = SimulatedMeasurements.value("active_power", 3, t);
        double q = SimulatedMeasurements.value("reactive_power", 3, t);
        assertThat(Math.hypot(p, q)).isCloseTo(s, org.assertj.core.api.Assertions.within(2.0));
        assertThat(p / s).isCloseTo(SimulatedMeasurements.value("power_factor", 3, t),
                org.assertj.core.api.Assertions.within(0.001));
    }

    @Test
    void metersDiffer() {
        long t = Instant.parse("2025-06-01T00:00:00Z").toEpochMilli();
        assertThat(SimulatedMeasurements.raw("voltage_l1", 0, t)).isNotEqualTo(SimulatedMeasurements.raw("voltage_l1", 1, t));
    }
}
