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

    private final Process process;
    private final String banner;

    private SimulatorProcess(Process process, String banner) {
        this.process = process;
        this.banner = banner;
    }

    /**
     * Starts a simulator of {@code meters} meters from {@code port} on, HDLC physical addresses from
     * {@code physicalAddressBase}, and waits for its "Simulating" line.
     */
    static SimulatorProcess start(Path javaHome, Path gatewayJar, int meters, String host, int port, Framing framing,
            int physicalAddressBase, Path logFile, Duration timeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(), "-jar",
                gatewayJar.toString(), "simulate", "--meters", Integer.toString(meters), "--host", host,
                "--port", Integer.toString(port), "--framing", framing.name().toLowerCase(Locale.ROOT),
                "--physical-address", Integer.toString(physicalAddressBase)));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        LineLog out = new LineLog(process.getInputStream(), logFile, "simulator-output");
        String banner = out.await(line -> line.startsWith("Simulating"), timeout);
        if (banner == null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IOException("the simulator did not start (" + String.join(" ", cmd) + "):\n" + out.tail());
        }
        return new SimulatorProcess(process, banner);
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
