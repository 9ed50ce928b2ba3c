package io.dlmsgateway.cli;

import io.dlmsgateway.dlms.sim.ReadingServedListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code simulate --served-log FILE}: every reading a simulated meter served as a line {@code meter,epochMillis}, for
 * the load harness's chaos soak. The meters' event loops only enqueue; a writer thread of its own does the file I/O
 * and flushes at least every 100 ms, so that a process killed at any moment has lost at most that much.
 */
final class ServedReadingLog implements ReadingServedListener, AutoCloseable {

    private record Served(int meter, long millis) {
    }

    private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ConcurrentLinkedQueue<Served> queue = new ConcurrentLinkedQueue<>();
    private final BufferedWriter out;
    private final Thread writer;
    private volatile boolean closing;
    private volatile IOException failure;

    ServedReadingLog(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        out.write("meter,servedAt\n");
        writer = new Thread(this::drainLoop, "dlms-sim-served-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void readingServed(int meterIndex, long epochMillis) {
        queue.add(new Served(meterIndex, epochMillis));
    }

    private void drainLoop() {
        try {
            while (!closing) {
                drain();
                LockSupport.parkNanos(FLUSH_NANOS);
            }
            drain();
        } catch (IOException e) {
            failure = e;
        }
    }

    private void drain() throws IOException {
        Served s;
        boolean wrote = false;
        while ((s = queue.poll()) != null) {
            out.write(s.meter() + "," + s.millis() + "\n");
            wrote = true;
        }
        if (wrote) {
            out.flush();
        }
    }

    /** Writes what is queued and closes the file. */
    @Override
    public void close() throws IOException {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.close();
        if (failure != null) {
            throw failure;
        }
    }
}
