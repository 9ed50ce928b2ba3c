package io.dlmsgateway.bench.harness;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Something the harness can load with the simulated meters and measure: it starts whatever processes it needs and
 * names the one whose CPU, memory and threads are reported.
 *
 * <p>The targets today are single JVMs that poll the meters and report on themselves ({@link JvmTarget}). The
 * gateway target to come ({@code dlms-gateway.jar run} publishing to a local MQTT broker, with a subscriber counting
 * what arrives) fits the same shape: its measured process is the gateway, its markers and summary come from the
 * subscriber.
 */
public interface Target {

    /** Name on the command line and in reports. */
    String name();

    /** Lowest Java feature release the target runs on. */
    int minimumJava();

    /** Starts the target; the warm-up begins now. */
    RunningTarget start(TargetLaunch launch) throws IOException;

    /** Where the target's class histogram after the window is, once it reported. */
    default Path classHistogram(TargetLaunch launch) {
        return launch.logDir().resolve(name() + "-class-histogram.txt");
    }
}
