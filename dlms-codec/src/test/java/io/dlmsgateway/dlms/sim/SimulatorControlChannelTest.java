package io.dlmsgateway.dlms.sim;

import io.dlmsgateway.dlms.Framing;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults set and healed over a real loopback socket, by name. */
class SimulatorControlChannelTest {

    @Test
    void setsAndHealsFaultsByNameAndRefusesWhatItDoesNotKnow() throws Exception {
        try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(3)
                .framing(Framing.WRAPPER).workerThreads(1).build());
             SimulatorControlChannel control = SimulatorControlChannel.start(sim, "127.0.0.1", 0);
             Socket s = new Socket(control.address().getAddress(), control.address().getPort());
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                     StandardCharsets.US_ASCII));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.US_ASCII)) {
            out.println("fault 2 stop_answering");
            assertThat(in.readLine()).isEqualTo("ok meter 2 STOP_ANSWERING");
            assertThat(sim.meter(2).fault()).isEqualTo(MeterFault.STOP_ANSWERING);
            assertThat(sim.meter(1).fault()).isEqualTo(MeterFault.NONE);

            out.println("heal 2");
            assertThat(in.readLine()).isEqualTo("ok meter 2 NONE");
            assertThat(sim.meter(2).fault()).isEqualTo(MeterFault.NONE);

            out.println("faults");
            String faults = in.readLine();
            for (MeterFault f : MeterFault.values()) {
                assertThat(faults).contains(f.name());
            }
            out.println("served 0");
            assertThat(in.readLine()).isEqualTo("ok 0");

            out.println("fault 3 STOP_ANSWERING");
            assertThat(in.readLine()).startsWith("error no meter 3");
            out.println("fault 1 MELT");
            assertThat(in.readLine()).startsWith("error unknown fault 'MELT'");
            out.println("fault x");
            assertThat(in.readLine()).isEqualTo("error usage: fault <meter> <fault>");
            out.println("reboot");
            assertThat(in.readLine()).startsWith("error unknown request 'reboot'");
            assertThat(sim.meters()).allMatch(m -> m.fault() == MeterFault.NONE);
        }
    }
}
