package io.dlmsgateway.bench.harness;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Drains a child process's output on its own thread (a full pipe would stall the child), copies every line to a log
 * file and lets the harness wait for a line it expects.
 */
final class LineLog {

    private static final String EOF = "\u0000eof";
    private static final int TAIL_LINES = 20;

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> tail = new ArrayDeque<>();

    LineLog(InputStream stream, Path logFile, String threadName) throws IOException {
        BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
                 log) {
                String line;
                while ((line = in.readLine()) != null) {
                    log.write(line);
                    log.newLine();
                    log.flush();
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone; waiting callers see end of output
            } finally {
                lines.add(EOF);
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
    }

    /**
     * The first line that matches, or null when the output ends or the time runs out first (earlier lines are
     * consumed).
     */
    String await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                return null;
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                return null;
            }
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** The last lines seen, for a failure message. */
    String tail() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }
}
