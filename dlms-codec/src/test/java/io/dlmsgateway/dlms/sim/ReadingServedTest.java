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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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

    /**
     * The next event, waiting up to {@code millis} for it: the client may read the reply before the simulator's
     * event loop has told the listener.
     */
    private static long[] nextWithin(Queue<long[]> events, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        long[] e;
        while ((e = events.poll()) == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return e;
    }

    private static GXDLMSRegister register(String name) {
        return new GXDLMSRegister(MeasurementCatalog.require(name).obis().toString());
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void everyReplyCarryingRegisterValuesIsOneServedReadingAndNothingElseIs(Framing framing) throws Exception {
        // lock-free: the listener runs on the simulator's event loops
        Queue<long[]> served = new ConcurrentLinkedQueue<>();
        try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2)
                .framing(framing).workerThreads(1).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build())) {
            sim.onReadingServed((meter, millis) -> served.add(new long[] {meter, millis}));
            try (BlockingTestClient c = new BlockingTestClient(sim.addresses().get(1), sim.addressing(), 1,
                    Authentication.NONE, 2000).associate()) {
                GXDLMSRegister voltage = register("voltage_l1");
                GXDLMSRegister frequency = register("frequency");
                c.read(voltage, 3);
                c.read(frequency, 3);
                assertThat(nextWithin(served, 200)).as("association and scalers serve no reading")
                        .isNull();

                c.read(voltage, 2);
                assertThat(nextWithin(served, 5_000)).containsExactly(1, NOW.toEpochMilli());

                c.readList(List.of(Map.entry((GXDLMSObject) voltage, 2), Map.entry((GXDLMSObject) frequency, 2)));
                assertThat(nextWithin(served, 5_000)).as("a GET-with-list is one reading")
                        .containsExactly(1, NOW.toEpochMilli());
                assertThat(nextWithin(served, 200)).isNull();

                sim.meter(1).fault(MeterFault.STOP_ANSWERING);
                c.timeout(300);
                assertThatThrownBy(() -> c.read(voltage, 2)).isInstanceOf(SocketTimeoutException.class);
                assertThat(nextWithin(served, 200)).as("a swallowed request serves nothing").isNull();
            }
            assertThat(sim.meter(1).readingsServed()).isEqualTo(2);
            assertThat(sim.meter(0).readingsServed()).isZero();
        }
    }
}
