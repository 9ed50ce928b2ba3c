package io.dlmsgateway.dlms.sim;

import gurux.dlms.objects.GXDLMSObject;
import gurux.dlms.objects.GXDLMSRegister;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.MeasurementCatalog;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The served-reading events a load harness counts lost readings against: one per reply that carries register values,
 * none for association, scaler or swallowed requests.
 */
class ReadingServedTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:07.250Z");

    private static GXDLMSRegister register(String name) {
        return new GXDLMSRegister(MeasurementCatalog.require(name).obis().toString());
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void everyReplyCarryingRegisterValuesIsOneServedReadingAndNothingElseIs(Framing framing) throws Exception {
        BlockingQueue<long[]> served = new LinkedBlockingQueue<>();
        try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2)
                .framing(framing).workerThreads(1).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build())) {
            sim.onReadingServed((meter, millis) -> served.add(new long[] {meter, millis}));
            try (BlockingTestClient c = new BlockingTestClient(sim.addresses().get(1), sim.addressing(), 1,
                    Authentication.NONE, 2000).associate()) {
                GXDLMSRegister voltage = register("voltage_l1");
                GXDLMSRegister frequency = register("frequency");
                c.read(voltage, 3);
                c.read(frequency, 3);
                assertThat(served.poll(200, TimeUnit.MILLISECONDS)).as("association and scalers serve no reading")
                        .isNull();

                c.read(voltage, 2);
                assertThat(served.poll(5, TimeUnit.SECONDS)).containsExactly(1, NOW.toEpochMilli());

                c.readList(List.of(Map.entry((GXDLMSObject) voltage, 2), Map.entry((GXDLMSObject) frequency, 2)));
                assertThat(served.poll(5, TimeUnit.SECONDS)).as("a GET-with-list is one reading")
                        .containsExactly(1, NOW.toEpochMilli());
                assertThat(served.poll(200, TimeUnit.MILLISECONDS)).isNull();

                sim.meter(1).fault(MeterFault.STOP_ANSWERING);
                c.timeout(300);
                assertThatThrownBy(() -> c.read(voltage, 2)).isInstanceOf(SocketTimeoutException.class);
                assertThat(served.poll(200, TimeUnit.MILLISECONDS)).as("a swallowed request serves nothing").isNull();
            }
            assertThat(sim.meter(1).readingsServed()).isEqualTo(2);
            assertThat(sim.meter(0).readingsServed()).isZero();
        }
    }
}
