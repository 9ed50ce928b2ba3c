package io.dlmsgateway.bench.harness;

import io.dlmsgateway.dlms.Framing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything a target needs to start against the running simulator.
 *
 * @param meters      meters the simulator serves; meter i on {@code port + i}
 * @param host        simulator address
 * @param port        port of meter 0
 * @param framing     the simulator's framing
 * @param interval    polling interval
 * @param warmup      time before the measurement window opens
 * @param measure     length of the measurement window
 * @param grace       time after the window for the polls of its last slots to finish
 * @param javaHome    JDK that runs the target
 * @param jvmArgs     options for the target JVM
 * @param classpath   classpath holding the target main classes (the bench jar)
 * @param logDir      where the target's output goes
 * @param gatewayJar  the runnable gateway jar ({@code gateway} target)
 * @param brokerPort  preferred port of the MQTT broker ({@code gateway} target; the next free one is taken)
 * @param backfill    a backfill run ({@code gateway} target): the load profile every meter backfills; null otherwise
 */
public record TargetLaunch(int meters, String host, int port, Framing framing, Duration interval, Duration warmup,
                           Duration measure, Duration grace, Path javaHome, List<String> jvmArgs, String classpath,
                           Path logDir, Path gatewayJar, int brokerPort, Backfill backfill) {

    /**
     * The load profile of a backfill run: the simulator's 15-minute profile {@value #PROFILE} (clock, active energy,
     * voltage), read back {@code window} on first contact; rows are told from readings by {@value #PROFILE_KEY},
     * which the register polls do not read.
     */
    public record Backfill(Duration window, Duration period) {
        public static final String PROFILE = "1.0.99.1.0.255";
        public static final String PROFILE_KEY = "active_energy";
    }

    /** A run without backfill. */
    public TargetLaunch(int meters, String host, int port, Framing framing, Duration interval, Duration warmup,
            Duration measure, Duration grace, Path javaHome, List<String> jvmArgs, String classpath, Path logDir,
            Path gatewayJar, int brokerPort) {
        this(meters, host, port, framing, interval, warmup, measure, grace, javaHome, jvmArgs, classpath, logDir,
                gatewayJar, brokerPort, null);
    }

    /** HDLC physical address of meter 0; meter i has base + i, as the harness starts the simulators. */
    public static final int PHYSICAL_ADDRESS_BASE = 16;

    public TargetLaunch {
        jvmArgs = List.copyOf(jvmArgs);
    }

    /** The options every target main ({@code io.dlmsgateway.bench.target.TargetOptions}) takes. */
    List<String> targetOptions(String name) {
        return List.of("--name", name, "--meters", Integer.toString(meters), "--host", host,
                "--port", Integer.toString(port), "--framing", framing.name(),
                "--interval-ms", Long.toString(interval.toMillis()), "--warmup-ms", Long.toString(warmup.toMillis()),
                "--measure-ms", Long.toString(measure.toMillis()), "--grace-ms", Long.toString(grace.toMillis()));
    }

    /**
     * Runs {@code jcmd <pid> <command>} of the target's JDK and returns what it printed; empty when it could not run.
     * Waits for the output, then at most a minute for the tool to exit.
     */
    String jcmd(long pid, String command) {
        try {
            Process p = new ProcessBuilder(javaHome.resolve("bin/jcmd").toString(), Long.toString(pid), command)
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
