package io.dlmsgateway.bench.target;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;

/**
 * Runs a {@link LoadWorkload} through one measurement and speaks {@link TargetProtocol} with the harness: fixes the
 * window before the first poll, starts the workload, marks the window's edges on stdout, waits for the harness's
 * go-ahead after the end marker, lets the polls of the window's last slots finish (the grace time), runs a full GC,
 * reads the heap (and, when asked, writes a class histogram) and prints the {@link TargetSummary}. Progress goes to
 * stderr; stdout carries only the protocol.
 */
public final class TargetLifecycle {

    /** How long to wait for the harness's go-ahead before reporting anyway. */
    private static final long PROCEED_TIMEOUT_SECONDS = 120;

    /** System property naming the file for the class histogram after the window; the harness sets it. */
    public static final String CLASS_HISTOGRAM_PROPERTY = "dlms.bench.classHistogram";

    private TargetLifecycle() {
    }

    /**
     * Runs the measurement, stops the workload and returns the exit code (0: the summary was printed). A target's
     * main exits with it ({@code System.exit}), so threads the workload left behind do not keep the JVM alive.
     */
    public static int run(TargetOptions options, LoadWorkload workload) throws Exception {
        PrintStream out = System.out;
        PrintStream log = System.err;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        CountDownLatch proceed = listenForProceed();

        ScheduleGrid grid = options.grid(System.currentTimeMillis());
        PollRecorder recorder = new PollRecorder(grid);
        log.printf("[%s] %s; grace %d ms%n", options.name, grid, options.graceMillis);
        workload.start(grid, recorder);

        sleepUntil(grid.windowStartMillis());
        LoadWorkload.Counters atStart = workload.counters();
        out.println(TargetProtocol.MEASURE_START);
        out.flush();
        log.printf("[%s] window open, %d meters connected%n", options.name, workload.connected());

        sleepUntil(grid.windowEndMillis());
        int connectedAtEnd = workload.connected();
        long committedAtEnd = memory.getHeapMemoryUsage().getCommitted();
        int jvmThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        out.println(TargetProtocol.MEASURE_END);
        out.flush();
        log.printf("[%s] window closed, %d meters connected%n", options.name, connectedAtEnd);

        // the harness samples /proc of this process now; allocating or collecting meanwhile would blur what it sees
        if (!proceed.await(PROCEED_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            log.printf("[%s] no go-ahead from the harness in %d s; reporting anyway%n", options.name,
                    PROCEED_TIMEOUT_SECONDS);
        }
        sleepUntil(grid.windowEndMillis() + options.graceMillis);
        PollRecorder.Snapshot polls = recorder.snapshot();
        LoadWorkload.Counters counters = workload.counters().since(atStart);
        String notes = workload.notes();

        System.gc();
        long heapUsed = memory.getHeapMemoryUsage().getUsed();
        long heapCommitted = memory.getHeapMemoryUsage().getCommitted();
        writeClassHistogram(log);

        TargetSummary summary = new TargetSummary(options.name, options.meters, options.intervalMillis,
                grid.windowStartMillis(), grid.windowEndMillis(), grid.slotsInWindow(), polls.pollsDone(),
                polls.pollsOnTime(), polls.pollsCompletedInWindow(), polls.valuesRead(), counters.failures(),
                counters.connectFailures(), counters.missed(), counters.skipped(), connectedAtEnd, polls.lag(),
                polls.latency(), heapUsed, heapCommitted, committedAtEnd, jvmThreads,
                System.getProperty("java.version"), notes, null);
        out.println(TargetProtocol.SUMMARY_PREFIX + new ObjectMapper().writeValueAsString(summary));
        out.flush();
        log.printf("[%s] %d of %d polls done; stopping%n", options.name, polls.pollsDone(), grid.slotsInWindow());
        workload.stop();
        return 0;
    }

    /**
     * Writes the live objects by class ({@code jcmd GC.class_histogram}, which collects first) to the file named by
     * {@link #CLASS_HISTOGRAM_PROPERTY}, when set: what each meter holds is the instance counts divided by the
     * meters. Taken after the heap was read, so its own collection does not change the reported figures.
     */
    private static void writeClassHistogram(PrintStream log) {
        String file = System.getProperty(CLASS_HISTOGRAM_PROPERTY);
        if (file == null || file.isEmpty()) {
            return;
        }
        try {
            Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Files.writeString(Path.of(file), String.valueOf(histogram));
        } catch (Exception e) {
            log.println("class histogram not written: " + e);
        }
    }

    /**
     * Counts down when the harness writes {@link TargetProtocol#PROCEED}, or when stdin ends (the harness is gone
     * or never meant to answer: report rather than hang).
     */
    private static CountDownLatch listenForProceed() {
        CountDownLatch latch = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.trim().equals(TargetProtocol.PROCEED)) {
                        break;
                    }
                }
            } catch (IOException e) {
                // stdin unreadable: nobody will say go
            } finally {
                latch.countDown();
            }
        }, "bench-proceed");
        reader.setDaemon(true);
        reader.start();
        return latch;
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        long left;
        while ((left = epochMillis - System.currentTimeMillis()) > 0) {
            TimeUnit.MILLISECONDS.sleep(left);
        }
    }
}
