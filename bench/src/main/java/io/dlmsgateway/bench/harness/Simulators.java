package io.dlmsgateway.bench.harness;

import io.dlmsgateway.dlms.Framing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated meters, split over {@code K} simulator JVMs so that none needs more descriptors than a process may
 * open (two per meter): simulator {@code j} serves meters {@code [j·N/K, (j+1)·N/K)} on {@code port + first}
 * onwards, with HDLC physical addresses {@code 16 + first} onwards, so that to a target the meters look exactly as
 * one simulator of N meters would serve them.
 */
final class Simulators implements AutoCloseable {

    /** Meters one simulator JVM holds at most by default: 2 descriptors each, 16 512 in all, below 20 000. */
    static final int DEFAULT_METERS_PER_SIMULATOR = 8_000;

    private final List<SimulatorProcess> processes;
    private final int meters;

    private Simulators(List<SimulatorProcess> processes, int meters) {
        this.processes = List.copyOf(processes);
        this.meters = meters;
    }

    /** Simulators needed so that each holds at most {@link #DEFAULT_METERS_PER_SIMULATOR} meters. */
    static int defaultCount(int meters) {
        return Math.max(1, (meters + DEFAULT_METERS_PER_SIMULATOR - 1) / DEFAULT_METERS_PER_SIMULATOR);
    }

    /** First meter of simulator {@code j} of {@code k}. */
    static int first(int meters, int k, int j) {
        return (int) ((long) j * meters / k);
    }

    /** Most meters any one of {@code k} simulators serves. */
    static int largestShare(int meters, int k) {
        int largest = 0;
        for (int j = 0; j < k; j++) {
            largest = Math.max(largest, first(meters, k, j + 1) - first(meters, k, j));
        }
        return largest;
    }

    /** Starts {@code k} simulators one after another; closes those started when one fails. */
    static Simulators start(Path javaHome, Path gatewayJar, int meters, int k, String host, int port,
            Framing framing, Path logDir, Duration timeout) throws IOException, InterruptedException {
        return start(javaHome, gatewayJar, meters, k, host, port, framing, logDir, timeout, false, List.of());
    }

    /**
     * As above; with {@code control} each simulator also opens a control channel and logs the readings it serves to
     * {@link #servedLog}{@code (j)} (the chaos soak); {@code simulatorArgs} go to every {@code simulate}.
     */
    static Simulators start(Path javaHome, Path gatewayJar, int meters, int k, String host, int port,
            Framing framing, Path logDir, Duration timeout, boolean control, List<String> simulatorArgs)
            throws IOException, InterruptedException {
        List<SimulatorProcess> started = new ArrayList<>();
        try {
            for (int j = 0; j < k; j++) {
                int first = first(meters, k, j);
                int count = first(meters, k, j + 1) - first;
                Path log = logDir.resolve(k == 1 ? "simulator.log" : "simulator-" + j + ".log");
                started.add(SimulatorProcess.start(javaHome, gatewayJar, count, host, port + first, framing,
                        TargetLaunch.PHYSICAL_ADDRESS_BASE + first, log, timeout,
                        control ? servedLog(logDir, j) : null, simulatorArgs));
            }
            return new Simulators(started, meters);
        } catch (IOException | InterruptedException | RuntimeException e) {
            new Simulators(started, meters).close();
            throw e;
        }
    }

    /** Where simulator {@code j} of a chaos soak logs the readings it serves. */
    static Path servedLog(Path logDir, int j) {
        return logDir.resolve("served-" + j + ".csv");
    }

    /** Simulator JVMs. */
    int count() {
        return processes.size();
    }

    /** First meter (global index) simulator {@code j} serves. */
    int firstMeter(int j) {
        return first(meters, processes.size(), j);
    }

    /** The simulator serving meter {@code meter} (global index). */
    int simulatorOf(int meter) {
        for (int j = processes.size() - 1; j >= 0; j--) {
            if (meter >= firstMeter(j)) {
                return j;
            }
        }
        throw new IllegalArgumentException("no meter " + meter);
    }

    /** Control port of simulator {@code j}, -1 without one. */
    int controlPort(int j) {
        return processes.get(j).controlPort();
    }

    List<Long> pids() {
        return processes.stream().map(SimulatorProcess::pid).toList();
    }

    boolean isAlive() {
        return processes.stream().allMatch(SimulatorProcess::isAlive);
    }

    /** The ready lines up to their addressing details, joined. */
    String banner() {
        List<String> lines = processes.stream().map(p -> p.banner().split(";")[0]).toList();
        return lines.size() == 1 ? lines.get(0) : lines.size() + " simulator JVMs: " + String.join("; ", lines);
    }

    /** The simulators' samples added up, or null when one could not be read. */
    ProcessSample sample() {
        long cpu = 0;
        long rss = 0;
        long peak = 0;
        int threads = 0;
        for (long pid : pids()) {
            try {
                ProcessSample s = ProcessSample.of(pid);
                cpu += s.cpuTicks();
                rss += s.rssKiB();
                peak += s.rssPeakKiB();
                threads += s.threads();
            } catch (IOException e) {
                return null;
            }
        }
        return new ProcessSample(cpu, rss, peak, threads);
    }

    @Override
    public void close() throws InterruptedException {
        for (SimulatorProcess p : processes) {
            p.close();
        }
    }
}
