package io.dlmsgateway.bench.target;

import io.dlmsgateway.dlms.Framing;
import picocli.CommandLine.Option;

/**
 * The options every load target's main takes (a picocli mixin), as the harness passes them: where the simulated
 * meters are and how the run is timed.
 */
public final class TargetOptions {

    @Option(names = "--name", required = true, description = "Target name, as reported.")
    public String name;

    @Option(names = "--meters", required = true, description = "Meters; meter i listens on port + i.")
    public int meters;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Simulator address (default ${DEFAULT-VALUE}).")
    public String host;

    @Option(names = "--port", required = true, description = "Port of meter 0.")
    public int port;

    @Option(names = "--framing", defaultValue = "WRAPPER", description = "WRAPPER or HDLC (default ${DEFAULT-VALUE}).")
    public Framing framing;

    @Option(names = "--physical-address-base", defaultValue = "16",
            description = "HDLC physical address of meter 0; meter i has base + i, as the simulator assigns them"
                    + " (default ${DEFAULT-VALUE}).")
    public int physicalAddressBase;

    @Option(names = "--interval-ms", required = true, description = "Polling interval of every meter.")
    public long intervalMillis;

    @Option(names = "--warmup-ms", required = true, description = "Time from the start to the window's opening.")
    public long warmupMillis;

    @Option(names = "--measure-ms", required = true, description = "Length of the measurement window.")
    public long measureMillis;

    @Option(names = "--grace-ms", defaultValue = "3000",
            description = "Time after the window for the polls of its last slots to finish (default ${DEFAULT-VALUE}).")
    public long graceMillis;

    /** The grid of this run, starting now. */
    public ScheduleGrid grid(long originMillis) {
        return new ScheduleGrid(originMillis, meters, intervalMillis, warmupMillis, measureMillis);
    }
}
