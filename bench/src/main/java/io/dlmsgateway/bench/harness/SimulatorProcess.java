package io.dlmsgateway.bench.harness;

import io.dlmsgateway.dlms.Framing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The simulated meters, in their own JVM: {@code java -jar dlms-gateway.jar simulate ...}. */
final class SimulatorProcess implements AutoCloseable {

    /** The line {@code simulate --control-port} prints before its banner. */
    static final String CONTROL_LINE = "Control channel on 127.0.0.1:";

    private final Process process;
    private final String banner;
    private final int controlPort;

    private SimulatorProcess(Process process, String banner, int controlPort) {
        this.process = process;
        this.banner = banner;
        this.controlPort = controlPort;
    }

    /**
     * Starts a simulator of {@code meters} meters from {@code port} on, HDLC physical addresses from
     * {@code physicalAddressBase}, and waits for its "Simulating" line.
     */
    static SimulatorProcess start(Path javaHome, Path gatewayJar, int meters, String host, int port, Framing framing,
            int physicalAddressBase, Path logFile, Duration timeout) throws IOException, InterruptedException {
        return start(javaHome, gatewayJar, meters, host, port, framing, physicalAddressBase, logFile, timeout, null,
                List.of());
    }

    /**
     * As above; with {@code servedLog} also a control channel on a free loopback port ({@link #controlPort()}) and
     * every served reading written to {@code servedLog} (the chaos soak).
     */
    static SimulatorProcess start(Path javaHome, Path gatewayJar, int meters, String host, int port, Framing framing,
            int physicalAddressBase, Path logFile, Duration timeout, Path servedLog, List<String> simulatorArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(), "-jar",
                gatewayJar.toString(), "simulate", "--meters", Integer.toString(meters), "--host", host,
                "--port", Integer.toString(port), "--framing", framing.name().toLowerCase(Locale.ROOT),
                "--physical-address", Integer.toString(physicalAddressBase)));
        cmd.addAll(simulatorArgs);
        if (servedLog != null) {
            cmd.addAll(List.of("--control-port", "0", "--served-log", servedLog.toAbsolutePath().toString()));
        }
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        LineLog out = new LineLog(process.getInputStream(), logFile, "simulator-output");
        int controlPort = -1;
        if (servedLog != null) {
            String control = out.await(line -> line.startsWith(CONTROL_LINE) || line.startsWith("Simulating"),
                    timeout);
            if (control == null || !control.startsWith(CONTROL_LINE)) {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IOException("the simulator opened no control channel (" + String.join(" ", cmd) + "):\n"
                        + out.tail());
            }
            controlPort = Integer.parseInt(control.substring(CONTROL_LINE.length()).split("\\D", 2)[0]);
        }
        String banner = out.await(line -> line.startsWith("Simulating"), timeout);
        if (banner == null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IOException("the simulator did not start (" + String.join(" ", cmd) + "):\n" + out.tail());
        }
        return new SimulatorProcess(process, banner, controlPort);
    }

    /** Port of its control channel on 127.0.0.1, or -1 when started without one. */
    int controlPort() {
        return controlPort;
    }

    long pid() {
        return process.pid();
    }

    String banner() {
        return banner;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: the simulator's shutdown hook closes its meters. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
