package io.dlmsgateway.bench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.bench.target.TargetLifecycle;
import io.dlmsgateway.bench.target.TargetProtocol;
import io.dlmsgateway.bench.target.TargetSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A target that is one JVM running a main class of the bench jar, speaking {@link TargetProtocol}. */
public final class JvmTarget implements Target {

    private final String name;
    private final String mainClass;
    private final List<String> extraArgs;
    private final int minimumJava;

    public JvmTarget(String name, String mainClass, List<String> extraArgs, int minimumJava) {
        this.name = name;
        this.mainClass = mainClass;
        this.extraArgs = List.copyOf(extraArgs);
        this.minimumJava = minimumJava;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int minimumJava() {
        return minimumJava;
    }

    /** The command line that starts the target JVM. */
    List<String> command(TargetLaunch launch) {
        List<String> cmd = new ArrayList<>();
        cmd.add(launch.javaHome().resolve("bin").resolve("java").toString());
        cmd.addAll(launch.jvmArgs());
        // live objects by class after the window, next to the target's other output
        cmd.add("-D" + TargetLifecycle.CLASS_HISTOGRAM_PROPERTY + "="
                + launch.logDir().resolve(name + "-class-histogram.txt").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(launch.classpath());
        cmd.add(mainClass);
        cmd.addAll(launch.targetOptions(name));
        cmd.addAll(extraArgs);
        return cmd;
    }

    @Override
    public RunningTarget start(TargetLaunch launch) throws IOException {
        List<String> cmd = command(launch);
        Path stderr = launch.logDir().resolve(name + ".stderr.log");
        Files.writeString(launch.logDir().resolve(name + ".command"), String.join(" ", cmd) + "\n");
        Process process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        LineLog stdout = new LineLog(process.getInputStream(), launch.logDir().resolve(name + ".stdout.log"),
                name + "-stdout");
        return new Running(process, stdout, stderr);
    }

    private static final class Running implements RunningTarget {

        private final Process process;
        private final LineLog stdout;
        private final Path stderr;
        private volatile boolean broken;

        Running(Process process, LineLog stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public long measuredPid() {
            return process.pid();
        }

        @Override
        public boolean awaitMeasureStart(Duration timeout) throws InterruptedException {
            return seen(stdout.await(TargetProtocol.MEASURE_START::equals, timeout));
        }

        @Override
        public boolean awaitMeasureEnd(Duration timeout) throws InterruptedException {
            return seen(stdout.await(TargetProtocol.MEASURE_END::equals, timeout));
        }

        @Override
        public void proceed() {
            try {
                OutputStream in = process.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                // the target is gone; awaitSummary says so
            }
        }

        @Override
        public TargetSummary awaitSummary(Duration timeout) throws InterruptedException {
            String line = stdout.await(l -> l.startsWith(TargetProtocol.SUMMARY_PREFIX), timeout);
            if (!seen(line)) {
                return null;
            }
            try {
                return new ObjectMapper().readValue(line.substring(TargetProtocol.SUMMARY_PREFIX.length()),
                        TargetSummary.class);
            } catch (IOException e) {
                throw new IllegalStateException("unreadable summary from the target: " + line, e);
            }
        }

        private boolean seen(String line) {
            broken |= line == null;
            return line != null;
        }

        @Override
        public String failure() {
            String state = process.isAlive() ? "still running, but silent"
                    : "exited with code " + process.exitValue();
            return "target " + state + "; last output:\n" + lastLines(stderr, 15) + "\n" + stdout.tail();
        }

        @Override
        public void close() {
            try {
                // a target that reported shuts its meters down and exits; one that broke is not waited for
                if (broken || !process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    static String lastLines(Path file, int count) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no " + file + ")";
        }
    }
}
