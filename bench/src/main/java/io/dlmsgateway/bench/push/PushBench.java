package io.dlmsgateway.bench.push;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterPushes;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.PushOptions;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.PushListener;
import io.dlmsgateway.fleet.PushListenerOptions;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.fleet.PushNotification;
import io.dlmsgateway.fleet.PushSource;
import io.dlmsgateway.fleet.PushStatistics;
import io.dlmsgateway.resources.GatewayResources;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
import io.dlmsgateway.thingsboard.TelemetryBatch;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.dlmsgateway.thingsboard.ThingsBoardTransport;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;

/**
 * Push throughput: N simulated meters push DataNotifications to one {@link PushListener} on two event loops; every
 * notification becomes telemetry ({@code active_energy}, {@code voltage_l1}, the notification's own timestamp) that a
 * {@link ThingsBoardTransport} on the same two loops publishes (QoS 1, batches of up to 2 000 or 200 ms, as the
 * gateway packs) to an {@link EmbeddedBroker}. Counts what the broker acknowledged per second over the measured window
 * and the CPU time of the listener's and transport's threads (the {@code push-bench} loops and the MQTT client's) per
 * 1 000 notifications; the process's CPU (simulator and broker included) is given beside it.
 *
 * <p>Everything runs in one JVM on this machine: the simulator's loops and the broker take CPU from the same cores,
 * so the rate is what the listener sustains <em>beside</em> the load generator, a lower bound of what it sustains
 * alone. Not the gateway's spool: GATEWAY's push path (listener to spool to transport) was not merged when this was
 * written; the spool's cost per reading is measured by SpoolBenchmark and the backfill runs.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.dlmsgateway.bench.push.PushBench --meters 1000 --interval-ms 50 \
 *     --warmup-s 10 --measure-s 20 [--framing hdlc] [--ciphered] [--port 26110]
 * </pre>
 * Uses ports {@code port} (broker) and {@code port + 1} (listener); the meters' own listening ports and the client
 * sides of the connections are ephemeral.
 */
public final class PushBench {

    private PushBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        boolean ciphered = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--ciphered")) {
                ciphered = true;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                a.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int meters = Integer.parseInt(a.getOrDefault("meters", "1000"));
        int intervalMs = Integer.parseInt(a.getOrDefault("interval-ms", "100"));
        int warmupS = Integer.parseInt(a.getOrDefault("warmup-s", "10"));
        int measureS = Integer.parseInt(a.getOrDefault("measure-s", "20"));
        int port = Integer.parseInt(a.getOrDefault("port", "26110"));
        Framing framing = Framing.valueOf(a.getOrDefault("framing", "wrapper").toUpperCase(Locale.ROOT));
        java.util.logging.Logger.getLogger("gurux").setLevel(java.util.logging.Level.WARNING);

        GatewayResources resources = GatewayResources.create(2, "push-bench");
        AtomicLong sent = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong failedBatches = new AtomicLong();
        try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                     .meterCount(meters).framing(framing).physicalAddress(16, true).workerThreads(2).build());
             EmbeddedBroker broker = EmbeddedBroker.builder().host("127.0.0.1").port(port).start()) {
            List<PushSource> sources = new ArrayList<>();
            DlmsClientSettings keys = DlmsClientSettings.builder()
                    .blockCipherKey(SimulatorOptions.DEFAULT_BLOCK_CIPHER_KEY)
                    .authenticationKey(SimulatorOptions.DEFAULT_AUTHENTICATION_KEY).build();
            for (int i = 0; i < meters; i++) {
                PushMatch match = ciphered ? PushMatch.systemTitle(HexFormat.of().formatHex(
                        sim.addressing().serverSystemTitle(i))) : framing == Framing.HDLC
                        ? PushMatch.hdlcAddress(sim.addressing().hdlcServerAddress(i))
                        : PushMatch.logicalDeviceName(String.format("GRXSIM%010d", i));
                sources.add(new PushSource(String.format("medidor_%04d", i), match, keys));
            }
            PushListener listener = PushListener.bind(PushListenerOptions.of("127.0.0.1", port + 1)
                    .withFraming(framing), sources, resources).block(Duration.ofSeconds(10));
            ThingsBoardTransport transport = ThingsBoardTransport.create(ThingsBoardSettings.builder()
                    .host("127.0.0.1").port(port).accessToken("PUSH_BENCH").qos(1).resources(resources).build());
            transport.start();
            Disposable pipeline = transport.publishTelemetry(listener.notifications()
                            .map(PushBench::telemetry)
                            .bufferTimeout(2_000, Duration.ofMillis(200), true)
                            .map(batch -> new TelemetryBatch<>(batch, batch.size())))
                    .subscribe(ack -> {
                        if (ack.isSuccess()) {
                            acked.addAndGet(ack.context());
                        } else {
                            failedBatches.incrementAndGet();
                        }
                    });
            MeterPushes pushes = sim.startPushing(PushOptions.to(new InetSocketAddress("127.0.0.1", port + 1),
                    Duration.ofMillis(intervalMs)).withCiphered(ciphered), n -> sent.incrementAndGet());
            Thread.sleep(warmupS * 1000L);
            Sample before = Sample.now(acked.get());
            Thread.sleep(measureS * 1000L);
            Sample after = Sample.now(acked.get());
            pushes.close();
            // drain: whatever was sent must reach the broker
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long lastSent = -1;
            while (System.nanoTime() < deadline && (acked.get() < sent.get() || lastSent != sent.get())) {
                lastSent = sent.get();
                Thread.sleep(200);
            }
            PushStatistics stats = listener.statistics();
            double seconds = (after.nanos - before.nanos) / 1e9;
            long delivered = after.acked - before.acked;
            double perThousand = 1000.0 / Math.max(1, delivered);
            System.out.printf(Locale.ROOT, "push bench: %d meters, %s%s, every %d ms (offered %.0f/s), %d s measured%n",
                    meters, framing, ciphered ? " ciphered" : " plain", intervalMs, meters * 1000.0 / intervalMs,
                    measureS);
            System.out.printf(Locale.ROOT, "  into the broker: %.0f notifications/s acknowledged%n", delivered / seconds);
            System.out.printf(Locale.ROOT, "  CPU per 1 000 notifications: listener+transport threads %.4f s,"
                    + " whole process %.4f s (simulator and broker included)%n",
                    (after.gatewayCpu - before.gatewayCpu) / 1e9 * perThousand,
                    (after.processCpu - before.processCpu) / 1e9 * perThousand);
            System.out.printf(Locale.ROOT, "  load average at the end %.1f on %d cores (other processes included)%n",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "  totals: sent %d, decoded %d, acknowledged %d, failed batches %d,"
                    + " refused connections or frames %d%n", sent.get(), stats.notifications(), acked.get(),
                    failedBatches.get(), stats.unknownSenders() + stats.undecodable() + stats.oversize()
                            + stats.idleClosed());
            pipeline.dispose();
            transport.close();
            listener.close().block(Duration.ofSeconds(10));
        } finally {
            resources.shutdown().block(Duration.ofSeconds(10));
        }
    }

    private static DeviceTelemetry telemetry(PushNotification n) {
        var e = n.body().elements();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("active_energy", e.get(2).longValue());
        values.put("voltage_l1", e.get(3).longValue() / 10.0);
        return new DeviceTelemetry(n.device(), "DLMS_Energy_Meter",
                n.time().orElse(n.received()).toEpochMilli(), values);
    }

    /** CPU of the gateway-side threads (listener and transport loops, MQTT client) and of the process, at one time. */
    private record Sample(long nanos, long acked, long gatewayCpu, long processCpu) {
        static Sample now(long acked) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long gateway = 0;
            for (var info : threads.dumpAllThreads(false, false)) {
                String name = info.getThreadName();
                if (name.startsWith("push-bench") || name.toLowerCase(Locale.ROOT).contains("hivemq")) {
                    long cpu = threads.getThreadCpuTime(info.getThreadId());
                    gateway += Math.max(0, cpu);
                }
            }
            long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            return new Sample(System.nanoTime(), acked, gateway, process);
        }
    }
}
