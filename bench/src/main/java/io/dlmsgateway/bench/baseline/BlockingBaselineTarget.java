package io.dlmsgateway.bench.baseline;

import gurux.dlms.GXDLMSClient;
import io.dlmsgateway.bench.target.LoadWorkload;
import io.dlmsgateway.bench.target.PollRecorder;
import io.dlmsgateway.bench.target.ScheduleGrid;
import io.dlmsgateway.bench.target.TargetLifecycle;
import io.dlmsgateway.bench.target.TargetOptions;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.MeasurementCatalog;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Load targets {@code baseline-threads} and {@code baseline-virtual}: the blocking way to poll meters, one thread
 * per meter, each with its own {@link BlockingMeterClient}. The thread keeps the same grid as the fleet (slot
 * {@code i/N} of the interval, then every interval; slots that passed while it was busy or down are counted as
 * missed, not made up), keeps its association open across polls and after a failure closes the socket, waits
 * (1 s doubling to 60 s, ±50 % jitter, as the fleet's backoff) and reconnects.
 */
@Command(name = "baseline-target", mixinStandardHelpOptions = true)
public final class BlockingBaselineTarget implements LoadWorkload, Callable<Integer> {

    /** Which threads run the meters. */
    public enum Threads {
        /** one platform thread per meter */
        PLATFORM,
        /** one virtual thread per meter (Java 21+) */
        VIRTUAL
    }

    private static final List<String> OBIS = List.of("voltage_l1", "current_l1", "active_power", "frequency")
            .stream().map(name -> MeasurementCatalog.require(name).obis().toString()).toList();
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    @Mixin
    TargetOptions options;

    @Option(names = "--threads", required = true, description = "platform or virtual")
    Threads threads;

    private final List<Thread> pollers = new ArrayList<>();
    private final AtomicInteger connected = new AtomicInteger();
    private final LongAdder failures = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder missed = new LongAdder();
    private final AtomicInteger getWithList = new AtomicInteger();
    private volatile boolean stopping;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new BlockingBaselineTarget()).setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return TargetLifecycle.run(options, this);
    }

    @Override
    public void start(ScheduleGrid grid, PollRecorder recorder) {
        ThreadFactory factory = threads == Threads.VIRTUAL ? VirtualThreads.factory("meter-")
                : r -> new Thread(r);
        for (int i = 0; i < options.meters; i++) {
            int index = i;
            Thread t = factory.newThread(() -> pollForever(index, grid, recorder));
            t.setName("meter-" + i);
            t.setDaemon(true);
            pollers.add(t);
        }
        for (Thread t : pollers) {
            t.start();
        }
    }

    private void pollForever(int index, ScheduleGrid grid, PollRecorder recorder) {
        InetSocketAddress address = new InetSocketAddress(options.host, options.port + index);
        int serverAddress = options.framing == Framing.HDLC
                ? GXDLMSClient.getServerAddress(1, options.physicalAddressBase + index) : 1;
        long interval = grid.intervalMillis();
        long slot = grid.firstSlot(index);
        int failuresInARow = 0;
        BlockingMeterClient client = null;
        try {
            while (!stopping) {
                sleepUntil(slot);
                long now = System.currentTimeMillis();
                if (now - slot >= interval) {
                    long passed = (now - slot) / interval;
                    missed.add(passed);
                    slot += passed * interval;
                }
                if (client == null) {
                    client = new BlockingMeterClient(options.framing, 16, serverAddress, OBIS);
                    try {
                        client.connect(address, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS);
                        connected.incrementAndGet();
                        if (client.usesGetWithList()) {
                            getWithList.incrementAndGet();
                        }
                    } catch (Exception e) {
                        client.close();
                        client = null;
                        connectFailures.increment();
                        slot = backOff(slot, interval, ++failuresInARow);
                        continue;
                    }
                    // the association took time: poll now if this slot is still ours, as the fleet does
                    now = System.currentTimeMillis();
                }
                long startNanos = System.nanoTime();
                try {
                    List<Object> values = client.poll();
                    recorder.pollDone(slot, now, System.nanoTime() - startNanos, values.size());
                    failuresInARow = 0;
                    slot += interval;
                } catch (Exception e) {
                    failures.increment();
                    client.close();
                    client = null;
                    connected.decrementAndGet();
                    slot = backOff(slot, interval, ++failuresInARow);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (client != null) {
                client.close();
                connected.decrementAndGet();
            }
        }
    }

    /** Sleeps the backoff and returns the first grid slot after it. */
    private static long backOff(long slot, long interval, int failuresInARow) throws InterruptedException {
        long nominal = Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << Math.min(20, failuresInARow - 1));
        long delay = (long) (nominal * (0.5 + ThreadLocalRandom.current().nextDouble()));
        Thread.sleep(delay);
        long now = System.currentTimeMillis();
        return now <= slot ? slot : slot + ((now - slot + interval - 1) / interval) * interval;
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        long left;
        while ((left = epochMillis - System.currentTimeMillis()) > 0) {
            TimeUnit.MILLISECONDS.sleep(left);
        }
    }

    @Override
    public Counters counters() {
        return new Counters(failures.sum(), connectFailures.sum(), missed.sum(), 0);
    }

    @Override
    public int connected() {
        return connected.get();
    }

    @Override
    public String notes() {
        int withList = getWithList.get();
        return "one " + threads.name().toLowerCase(java.util.Locale.ROOT) + " thread per meter, blocking Socket;"
                + (withList > 0 ? " GET-with-list of the 4 registers per poll" : " one GET per register")
                + " (scaler_unit read once per association)";
    }

    @Override
    public void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : pollers) {
            t.interrupt();
        }
        for (Thread t : pollers) {
            t.join(100);
        }
    }
}
