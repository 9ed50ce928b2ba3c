package io.dlmsgateway.bench.harness;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.dlmsgateway.bench.harness.ChaosAccounting.FaultWindow;
import io.dlmsgateway.bench.harness.ChaosAccounting.Kill;
import io.dlmsgateway.bench.harness.ChaosAccounting.Span;
import io.dlmsgateway.bench.target.DeliveryLedger;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load harness's chaos soak ({@code --chaos}): the whole gateway ({@code dlms-gateway.jar run}) polls the
 * simulated meters and publishes to a persistent mosquitto, while, after the warm-up and for the run's duration,
 * <ul>
 *   <li>random meters get random {@code MeterFault}s for random durations (set by name over each simulator's control
 *       channel, so faults added to the simulator take part without a change here), then are healed;</li>
 *   <li>the broker is stopped (SIGTERM: it saves its sessions and queued messages) and started again on the same
 *       port;</li>
 *   <li>the gateway is killed with SIGKILL and started again on the same configuration and spool.</li>
 * </ul>
 * A subscriber in this JVM (persistent session, QoS 1, reconnecting) records every telemetry entry; the simulators
 * record every reading they serve. After the run everything is healed and running, the backlog gets
 * {@code --chaos-settle} to drain, the gateway is stopped with SIGTERM, and {@link ChaosAccounting} says what was
 * lost, duplicated and missed. The gateway's heap is sampled every {@code --chaos-heap-every} ({@code jcmd
 * GC.heap_info}: used, not after a collection) along with its RSS.
 *
 * <p>Times between events are drawn uniformly from half to one and a half times their mean (fault injections:
 * exponentially), downtimes from 0.5 s to {@code --chaos-down}, fault durations from 1 s to
 * {@code --chaos-fault-max}; {@code --chaos-seed} repeats a run's draws.
 */
final class ChaosSoak {

    static final String SUBSCRIBER_ID = "bench-chaos-thingsboard";
    private static final long QUIET_MILLIS = 2_000;

    /** The soak's knobs, from the harness's {@code --chaos-*} options. */
    record Settings(Duration killEvery, Duration brokerRestartEvery, Duration faultEvery, Duration faultMax,
                    Duration downMax, Duration killWindow, Duration settle, Duration heapEvery, List<String> faults,
                    long seed) {
    }

    /** One heap sample of the gateway. */
    record HeapSample(double secondsSinceStart, int gatewayRun, Long heapUsedMiB, Long heapCommittedMiB,
                      Long rssMiB) {
    }

    /** A broker outage, epoch ms. */
    record BrokerRestart(long stoppedAt, long startedAt) {
    }

    private Settings settings;
    private final TargetLaunch launch;
    private final Simulators simulators;
    private final PrintStream progress;
    private final Random random;
    private final Path dir;
    private final DeliveryLedger ledger;
    private final AtomicLong lastArrival = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final List<SimulatorControl> controls = new ArrayList<>();

    private MosquittoBroker broker;
    private int brokerPort;
    private Process gateway;
    private int gatewayRuns;
    private final List<Kill> kills = new ArrayList<>();
    private final List<BrokerRestart> brokerRestarts = new ArrayList<>();
    private final List<FaultWindow> faultWindows = new ArrayList<>();
    private final Map<Integer, long[]> openFaults = new HashMap<>();
    private final Map<Integer, String> openFaultNames = new HashMap<>();
    private final Map<String, Integer> faultsSet = new TreeMap<>();
    private final List<HeapSample> heap = new ArrayList<>();
    private final List<String> stops = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private long started;

    ChaosSoak(Settings settings, TargetLaunch launch, Simulators simulators, PrintStream progress) {
        this.settings = settings;
        this.launch = launch;
        this.simulators = simulators;
        this.progress = progress;
        this.random = new Random(settings.seed());
        this.dir = launch.logDir().resolve("chaos");
        this.ledger = new DeliveryLedger(launch.meters(), launch.interval().toMillis());
    }

    /** Runs the soak; the simulators are stopped at the end (their served logs are complete then). */
    ChaosReport.Run run() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (int j = 0; j < simulators.count(); j++) {
            controls.add(new SimulatorControl(simulators.controlPort(j)));
        }
        List<String> known = Arrays.asList(controls.get(0).request("faults").substring(3).split(" "));
        if (settings.faults().isEmpty()) {
            settings = new Settings(settings.killEvery(), settings.brokerRestartEvery(), settings.faultEvery(),
                    settings.faultMax(), settings.downMax(), settings.killWindow(), settings.settle(),
                    settings.heapEvery(), known.stream().filter(f -> !f.equals("NONE")).toList(), settings.seed());
        }
        for (String f : settings.faults()) {
            if (!known.contains(f)) {
                throw new IllegalArgumentException("--chaos-faults: the simulator knows no fault '" + f + "'; it knows "
                        + String.join(", ", known));
            }
        }
        brokerPort = MosquittoBroker.freePort(launch.brokerPort());
        broker = MosquittoBroker.startPersistent(brokerPort, dir);
        Mqtt3AsyncClient subscriber = MqttClient.builder().useMqttVersion3().identifier(SUBSCRIBER_ID)
                .serverHost("127.0.0.1").serverPort(brokerPort)
                .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(1, TimeUnit.SECONDS)
                .applyAutomaticReconnect().buildAsync();
        try {
            subscribe(subscriber);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            broker.close();
            throw new IOException("the soak's subscriber could not subscribe on 127.0.0.1:" + brokerPort, e);
        }
        Files.writeString(dir.resolve("tb_gateway.yaml"), GatewayTarget.gatewayYaml(brokerPort, dir));
        Files.writeString(dir.resolve("dlms_connector.json"), GatewayTarget.connectorJson(launch));

        started = System.currentTimeMillis();
        startGateway();
        long chaosStart = started + launch.warmup().toMillis();
        long chaosEnd = chaosStart + launch.measure().toMillis();
        progress.printf("[chaos] %d meters, broker 127.0.0.1:%d, seed %d; warm-up %d s, chaos %d s, settle %d s%n",
                launch.meters(), brokerPort, settings.seed(), launch.warmup().toSeconds(),
                launch.measure().toSeconds(), settings.settle().toSeconds());
        try {
            chaos(chaosStart, chaosEnd);
            long stopAt = System.currentTimeMillis() + settings.settle().toMillis();
            sampleHeapUntil(stopAt);
            stopGateway();
            awaitQuiet();
        } finally {
            if (gateway != null && gateway.isAlive()) {
                gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            controls.forEach(SimulatorControl::close);
            simulators.close();
            try {
                subscriber.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the broker goes next anyway
            }
            broker.close();
        }
        ChaosAccounting.Result result = account(chaosStart, chaosEnd);
        Map<String, Long> faultCounts = new TreeMap<>();
        faultsSet.forEach((k, v) -> faultCounts.put(k, (long) v));
        return new ChaosReport.Run(settings, started, chaosStart, chaosEnd, brokerPort, gatewayRuns, kills,
                brokerRestarts, faultWindows.size(), faultCounts, List.copyOf(faultWindows), result, heap, stops, unreadable.get(), problems);
    }

    /** Connects with a persistent session and subscribes to the gateway's telemetry, QoS 1. */
    private void subscribe(Mqtt3AsyncClient subscriber) throws java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException, InterruptedException {
        subscriber.connectWith().cleanSession(false).keepAlive(30).send().get(10, TimeUnit.SECONDS);
        subscriber.subscribeWith().topicFilter("v1/gateway/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> {
                    long arrival = System.currentTimeMillis();
                    lastArrival.set(arrival);
                    if (!ledger.addGatewayTelemetry(p.getPayloadAsBytes(), arrival)) {
                        unreadable.incrementAndGet();
                    }
                }).send().get(10, TimeUnit.SECONDS);
    }

    private void chaos(long chaosStart, long chaosEnd) throws IOException, InterruptedException {
        long nextKill = chaosStart + uniform(settings.killEvery());
        long nextBroker = chaosStart + uniform(settings.brokerRestartEvery());
        long nextFault = chaosStart + exponential(settings.faultEvery());
        long nextHeap = started;
        boolean gatewayDown = false;
        boolean brokerDown = false;
        long gatewayBackAt = 0;
        long brokerBackAt = 0;
        long killedAt = 0;
        long brokerStoppedAt = 0;
        TreeMap<Long, Integer> heals = new TreeMap<>();
        while (true) {
            long now = System.currentTimeMillis();
            if (now >= chaosEnd) {
                // the run is over: heal every meter and bring back whatever is down, now
                for (Integer meter : new ArrayList<>(heals.values())) {
                    heal(meter);
                }
                heals.clear();
                if (gatewayDown) {
                    startGateway();
                    kills.add(new Kill(killedAt, System.currentTimeMillis()));
                }
                if (brokerDown) {
                    startBroker(brokerStoppedAt);
                }
                return;
            }
            long next = Math.min(Math.min(chaosEnd, nextHeap), Math.min(nextFault,
                    Math.min(gatewayDown ? gatewayBackAt : nextKill, brokerDown ? brokerBackAt : nextBroker)));
            if (!heals.isEmpty()) {
                next = Math.min(next, heals.firstKey());
            }
            if (next > now) {
                TimeUnit.MILLISECONDS.sleep(next - now);
                continue;
            }
            if (now >= nextHeap) {
                sampleHeap();
                nextHeap += settings.heapEvery().toMillis();
            }
            if (!gatewayDown && !gateway.isAlive()) {
                // not our doing: a finding in itself (and what it lost counts as lost); start it again
                problems.add(String.format(Locale.ROOT, "gateway run %d exited by itself with %d at %d s (%s)",
                        gatewayRuns, gateway.exitValue(), secondsSinceStart(), "gateway-" + gatewayRuns + ".log"));
                progress.println("[chaos] " + problems.get(problems.size() - 1));
                startGateway();
            }
            if (!brokerDown && !broker.isAlive()) {
                problems.add(String.format(Locale.ROOT, "mosquitto exited by itself at %d s (mosquitto.log)",
                        secondsSinceStart()));
                startBroker(System.currentTimeMillis());
            }
            if (gatewayDown && now >= gatewayBackAt) {
                startGateway();
                kills.add(new Kill(killedAt, System.currentTimeMillis()));
                gatewayDown = false;
                nextKill = System.currentTimeMillis() + uniform(settings.killEvery());
            } else if (!gatewayDown && now >= nextKill) {
                killedAt = System.currentTimeMillis();
                gateway.destroyForcibly(); // SIGKILL
                gateway.waitFor(30, TimeUnit.SECONDS);
                gatewayDown = true;
                gatewayBackAt = System.currentTimeMillis() + down();
                progress.printf("[chaos] %4d s: gateway killed (SIGKILL), run %d%n", secondsSinceStart(),
                        gatewayRuns);
            }
            if (brokerDown && now >= brokerBackAt) {
                startBroker(brokerStoppedAt);
                brokerDown = false;
                nextBroker = System.currentTimeMillis() + uniform(settings.brokerRestartEvery());
            } else if (!brokerDown && now >= nextBroker) {
                brokerStoppedAt = System.currentTimeMillis();
                broker.close();
                brokerDown = true;
                brokerBackAt = System.currentTimeMillis() + down();
                progress.printf("[chaos] %4d s: broker stopped%n", secondsSinceStart());
            }
            while (!heals.isEmpty() && heals.firstKey() <= now) {
                heal(heals.pollFirstEntry().getValue());
            }
            if (now >= nextFault) {
                injectFault(heals, chaosEnd);
                nextFault = now + exponential(settings.faultEvery());
            }
        }
    }

    private void startBroker(long stoppedAt) throws IOException, InterruptedException {
        broker = MosquittoBroker.startPersistent(brokerPort, dir);
        brokerRestarts.add(new BrokerRestart(stoppedAt, System.currentTimeMillis()));
        progress.printf("[chaos] %4d s: broker started again%n", secondsSinceStart());
    }

    private void injectFault(TreeMap<Long, Integer> heals, long chaosEnd) throws IOException {
        int meter = -1;
        for (int tries = 0; tries < 20 && meter < 0; tries++) {
            int m = random.nextInt(launch.meters());
            if (!openFaults.containsKey(m)) {
                meter = m;
            }
        }
        if (meter < 0) {
            return;
        }
        String fault = settings.faults().get(random.nextInt(settings.faults().size()));
        long duration = 1_000 + (long) (random.nextDouble() * Math.max(0, settings.faultMax().toMillis() - 1_000));
        long setAt = System.currentTimeMillis();
        control(meter, "fault", fault);
        openFaults.put(meter, new long[] {setAt});
        openFaultNames.put(meter, fault);
        faultsSet.merge(fault, 1, Integer::sum);
        long healAt = Math.min(setAt + duration, chaosEnd);
        while (heals.containsKey(healAt)) {
            healAt++;
        }
        heals.put(healAt, meter);
    }

    private void heal(int meter) throws IOException {
        control(meter, "heal", null);
        long healedAt = System.currentTimeMillis();
        long[] open = openFaults.remove(meter);
        String name = openFaultNames.remove(meter);
        if (open != null) {
            faultWindows.add(new FaultWindow(meter, name, new Span(open[0], healedAt)));
        }
    }

    private void control(int meter, String verb, String fault) throws IOException {
        int j = simulators.simulatorOf(meter);
        int local = meter - simulators.firstMeter(j);
        String answer = controls.get(j).request(verb + " " + local + (fault == null ? "" : " " + fault));
        if (!answer.startsWith("ok")) {
            throw new IOException("simulator " + j + " refused '" + verb + " " + local + "': " + answer);
        }
    }

    private void startGateway() throws IOException {
        gatewayRuns++;
        List<String> cmd = new ArrayList<>();
        cmd.add(launch.javaHome().resolve("bin/java").toString());
        cmd.addAll(launch.jvmArgs());
        cmd.addAll(List.of("-jar", launch.gatewayJar().toAbsolutePath().toString(), "run", "--config",
                dir.resolve("tb_gateway.yaml").toString()));
        if (gatewayRuns == 1) {
            Files.writeString(dir.resolve("gateway.command"), String.join(" ", cmd) + "\n");
        }
        gateway = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway-" + gatewayRuns + ".log").toFile()).start();
        if (gatewayRuns > 1) {
            progress.printf("[chaos] %4d s: gateway started again on the same spool (run %d)%n", secondsSinceStart(),
                    gatewayRuns);
        }
    }

    /** SIGTERM, as a service manager stops it: it gets the backlog acknowledged for a few seconds, then says so. */
    private void stopGateway() throws InterruptedException {
        gateway.destroy();
        if (!gateway.waitFor(60, TimeUnit.SECONDS)) {
            problems.add("the gateway did not stop within 60 s of SIGTERM; killed");
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int run = 1; run <= gatewayRuns; run++) {
            String log = JvmTarget.lastLines(dir.resolve("gateway-" + run + ".log"), 400);
            long[] counts = GatewayTarget.stoppedLine(log);
            if (counts[0] >= 0) {
                stops.add("run " + run + ": readings spooled " + counts[0] + ", published " + counts[1] + "; "
                        + counts[2] + " left in the spool");
            }
        }
        progress.printf("[chaos] %4d s: gateway stopped (SIGTERM) %s%n", secondsSinceStart(),
                stops.isEmpty() ? "without its Stopped line" : stops.get(stops.size() - 1));
    }

    private void awaitQuiet() throws InterruptedException {
        long since = System.currentTimeMillis();
        while (System.currentTimeMillis() - Math.max(since, lastArrival.get()) < QUIET_MILLIS
                && System.currentTimeMillis() - since < 30_000) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private void sampleHeapUntil(long until) throws InterruptedException {
        long next = System.currentTimeMillis();
        while (System.currentTimeMillis() < until) {
            if (System.currentTimeMillis() >= next) {
                sampleHeap();
                next += settings.heapEvery().toMillis();
            }
            TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(next, until) - System.currentTimeMillis()));
        }
    }

    private void sampleHeap() {
        Process g = gateway;
        if (g == null || !g.isAlive()) {
            return;
        }
        long[] h = GatewayTarget.parseHeapInfo(jcmd(g.pid(), "GC.heap_info"));
        Long rss = null;
        try {
            rss = ProcessSample.of(g.pid()).rssKiB() >> 10;
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        heap.add(new HeapSample((System.currentTimeMillis() - started) / 1000.0, gatewayRuns,
                h == null ? null : h[1] >> 20, h == null ? null : h[0] >> 20, rss));
    }

    private String jcmd(long pid, String command) {
        return launch.jcmd(pid, command);
    }

    private ChaosAccounting.Result account(long chaosStart, long chaosEnd) throws IOException {
        List<int[]> meters = new ArrayList<>();
        List<long[]> times = new ArrayList<>();
        int total = 0;
        for (int j = 0; j < simulators.count(); j++) {
            Path file = Simulators.servedLog(launch.logDir(), j);
            int first = simulators.firstMeter(j);
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            int[] m = new int[lines.size()];
            long[] t = new long[lines.size()];
            int n = 0;
            for (String line : lines) {
                int comma = line.indexOf(',');
                if (comma < 0 || !Character.isDigit(line.charAt(0))) {
                    continue;
                }
                m[n] = first + Integer.parseInt(line, 0, comma, 10);
                t[n] = Long.parseLong(line, comma + 1, line.length(), 10);
                n++;
            }
            meters.add(Arrays.copyOf(m, n));
            times.add(Arrays.copyOf(t, n));
            total += n;
        }
        int[] servedMeter = new int[total];
        long[] servedAt = new long[total];
        int at = 0;
        for (int k = 0; k < meters.size(); k++) {
            System.arraycopy(meters.get(k), 0, servedMeter, at, meters.get(k).length);
            System.arraycopy(times.get(k), 0, servedAt, at, times.get(k).length);
            at += meters.get(k).length;
        }
        long interval = launch.interval().toMillis();
        ChaosAccounting.Rules rules = new ChaosAccounting.Rules(launch.meters(), interval,
                settings.killWindow().toMillis(), interval / 2, chaosEnd, chaosStart, chaosEnd);
        ledger.writeCsv(dir.resolve("delivered.csv"));
        return ChaosAccounting.account(rules, servedMeter, servedAt, ledger.entryMeters(), ledger.entryTimestamps(),
                faultWindows, kills);
    }

    private long uniform(Duration mean) {
        return (long) (mean.toMillis() * (0.5 + random.nextDouble()));
    }

    private long exponential(Duration mean) {
        return (long) (-mean.toMillis() * Math.log(1 - random.nextDouble()));
    }

    private long down() {
        return 500 + (long) (random.nextDouble() * Math.max(0, settings.downMax().toMillis() - 500));
    }

    private long secondsSinceStart() {
        return (System.currentTimeMillis() - started) / 1000;
    }

    /** One simulator's control channel: a request line, an answer line. */
    private static final class SimulatorControl implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final PrintWriter out;

        SimulatorControl(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.US_ASCII);
        }

        String request(String line) throws IOException {
            out.println(line);
            String answer = in.readLine();
            if (answer == null) {
                throw new IOException("the simulator closed its control channel");
            }
            return answer;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
