package io.dlmsgateway.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The output of a child JVM (a gateway run by a test as its CLI runs it), read line by line on a daemon thread so the
 * child never blocks on a full pipe, and looked at from the test's thread as it grows.
 */
final class ChildOutput {

    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private ChildOutput(Process process) {
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended, or was killed
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts reading {@code process}'s standard output (with standard error, when the builder merged it). */
    static ChildOutput of(Process process) {
        return new ChildOutput(process);
    }

    /** The lines read so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits up to {@code millis} for the last line, once the process has ended. */
    void awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
    }
}
