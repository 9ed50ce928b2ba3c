package io.dlmsgateway.bench.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The ThingsBoard side of the {@code gateway} target, in its own JVM: an MQTT client (HiveMQ, MQTT 3.1.1, QoS 1,
 * clean session) subscribed to {@code v1/gateway/telemetry} on the bench's broker, which counts what the gateway
 * delivers and speaks {@link TargetProtocol} with the harness in the gateway's stead:
 *
 * <ol>
 *   <li>{@value TargetProtocol#SUBSCRIBED} once subscribed; the harness starts the gateway and the warm-up counts
 *       from here;</li>
 *   <li>the window's markers; at each edge and after the grace time it asks the gateway for its counters with the
 *       gateway RPC {@code gateway_stats} ({@code v1/devices/me/rpc/request/<id>});</li>
 *   <li>after the harness's go-ahead and the grace time, the {@link TargetSummary} of the window, with "polls done"
 *       being the readings of window slots delivered to the broker (see {@link DeliveryLedger} for how a reading's
 *       slot is found) and "latency" poll start to delivery;</li>
 *   <li>after {@value TargetProtocol#TOTALS} on stdin (the gateway has stopped), the whole run's counts once no
 *       entry arrived for a second.</li>
 * </ol>
 */
@Command(name = "thingsboard-side", mixinStandardHelpOptions = true)
public final class ThingsBoardSide implements Callable<Integer> {

    static final String TELEMETRY_TOPIC = "v1/gateway/telemetry";
    private static final String RPC_REQUEST = "v1/devices/me/rpc/request/";
    private static final String RPC_RESPONSE = "v1/devices/me/rpc/response/";
    private static final long RPC_TIMEOUT_SECONDS = 5;
    private static final long QUIET_MILLIS = 1_000;

    @Mixin
    TargetOptions options;

    @Option(names = "--broker-host", defaultValue = "127.0.0.1")
    String brokerHost;

    @Option(names = "--broker-port", required = true)
    int brokerPort;

    @Option(names = "--entries-csv", description = "Where to write every entry received (meter,ts,arrival) at the end.")
    java.nio.file.Path entriesCsv;

    @Option(names = "--profile-key", description = "Backfill run: entries with this telemetry key are load-profile"
            + " rows (a column the register polls do not read).")
    String profileKey;

    @Option(names = "--profile-period-ms", defaultValue = "900000", description = "Backfill run: capture period.")
    long profilePeriodMillis;

    @Option(names = "--backfill-ms", defaultValue = "0", description = "Backfill run: how far back the gateway reads.")
    long backfillMillis;

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<Integer, CompletableFuture<JsonNode>> rpcs = new ConcurrentHashMap<>();
    private final AtomicLong lastArrival = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private DeliveryLedger ledger;
    private Mqtt3AsyncClient client;
    private int nextRpcId = 900_000;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ThingsBoardSide()).setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream log = System.err;
        BlockingQueue<String> stdin = readStdin();
        ledger = new DeliveryLedger(options.meters, options.intervalMillis);
        client = MqttClient.builder().useMqttVersion3().identifier("bench-thingsboard-side")
                .serverHost(brokerHost).serverPort(brokerPort).buildAsync();
        client.connectWith().cleanSession(true).keepAlive(60).send().get(10, TimeUnit.SECONDS);
        client.subscribeWith().topicFilter(TELEMETRY_TOPIC).qos(MqttQos.AT_LEAST_ONCE).callback(this::onTelemetry)
                .send().get(10, TimeUnit.SECONDS);
        client.subscribeWith().topicFilter(RPC_RESPONSE + "+").qos(MqttQos.AT_LEAST_ONCE).callback(this::onRpcResponse)
                .send().get(10, TimeUnit.SECONDS);

        long launched = System.currentTimeMillis();
        long windowStart = launched + options.warmupMillis;
        long windowEnd = windowStart + options.measureMillis;
        ProfileLedger profiles = null;
        if (profileKey != null) {
            profiles = new ProfileLedger(options.meters, profilePeriodMillis, launched, backfillMillis);
            ledger.separateProfileRows(profileKey, profiles);
        }
        out.println(TargetProtocol.SUBSCRIBED);
        out.flush();
        log.printf("[%s] subscribed to %s on %s:%d; window %d..%d%n", options.name, TELEMETRY_TOPIC, brokerHost,
                brokerPort, windowStart, windowEnd);

        sleepUntil(windowStart);
        CompletableFuture<JsonNode> statsAtStart = gatewayStats();
        out.println(TargetProtocol.MEASURE_START);
        out.flush();
        log.printf("[%s] window open, %d entries so far%n", options.name, ledger.size());

        if (profiles == null) {
            sleepUntil(windowEnd);
        } else {
            // a backfill run's window closes once every meter's rows are in (the window's length is its limit),
            // and lasts two intervals at least, so that it holds polls to measure
            while (System.currentTimeMillis() < windowEnd && profiles.analyse().complete() < options.meters) {
                TimeUnit.MILLISECONDS.sleep(500); // an analysis sorts every row: not more often
            }
            windowEnd = Math.max(System.currentTimeMillis(), windowStart + 2 * options.intervalMillis);
            sleepUntil(windowEnd);
        }
        CompletableFuture<JsonNode> statsAtEnd = gatewayStats();
        out.println(TargetProtocol.MEASURE_END);
        out.flush();
        log.printf("[%s] window closed, %d entries so far%n", options.name, ledger.size());

        if (!TargetProtocol.PROCEED.equals(stdin.poll(120, TimeUnit.SECONDS))) {
            log.printf("[%s] no go-ahead from the harness; reporting anyway%n", options.name);
        }
        long deadline = windowEnd + options.graceMillis;
        sleepUntil(deadline);
        JsonNode afterGrace = await(gatewayStats());
        JsonNode atStart = await(statsAtStart);
        JsonNode atEnd = await(statsAtEnd);

        // the origin's phase from the readings of the last two intervals before the window and the window itself:
        // by then the start-up's first connections are over
        long[] phases = ledger.originPhases(launched, windowStart - 2 * options.intervalMillis, Long.MAX_VALUE);
        DeliveryLedger.Analysis a = ledger.analyse(launched, phases, windowStart, windowEnd, deadline);
        long phase = a.minPhase();
        long pollsInWindow = diff(atStart, atEnd, "polls");
        long failedInWindow = diff(atStart, atEnd, "pollsFailed");
        int connected = atEnd != null && atEnd.has("devicesUp") ? atEnd.get("devicesUp").asInt() : a.metersUpAtEnd();
        TargetSummary.Delivery delivery = new TargetSummary.Delivery(a.entries(), a.unique(), a.duplicates(), -1, -1,
                -1, -1, pollsInWindow, failedInWindow, field(afterGrace, "spoolBacklog"),
                field(afterGrace, "readingsDropped"), a.slotToDelivery(), phase, null, backfill(profiles, launched));
        String notes = String.format(java.util.Locale.ROOT, "dlms-gateway run, readings counted on %s by a QoS 1"
                        + " subscriber; meters' grid phases %d..%d ms after launch mod the interval (estimated: each meter's"
                        + " most punctual poll defines its grid); %d extra readings for slots that had one; latency = poll start to delivery"
                        + " at the subscriber; %d entries of unknown devices, %d unreadable payloads", TELEMETRY_TOPIC,
                a.minPhase(), a.maxPhase(), a.extraPolls(), a.unknownDevices(), unreadable.get());
        TargetSummary summary = new TargetSummary(options.name, options.meters, options.intervalMillis, windowStart,
                windowEnd, a.scheduled(), a.done(), a.onTime(), a.arrivedInWindow(), a.valuesRead(),
                Math.max(0, failedInWindow), 0, 0, Math.max(0, diff(atStart, atEnd, "pollsSkipped")), connected,
                a.lag(), a.readToDelivery(), 0, 0, 0, 0, "", notes, delivery);
        out.println(TargetProtocol.SUMMARY_PREFIX + mapper.writeValueAsString(summary));
        out.flush();
        log.printf("[%s] %d of %d readings delivered for the window's slots%n", options.name, a.done(),
                a.scheduled());

        // the whole run, once the gateway has stopped and what it published last has arrived
        String line;
        while ((line = stdin.poll(600, TimeUnit.SECONDS)) != null && !line.equals(TargetProtocol.TOTALS)) {
            // ignore anything else
        }
        long quietSince = System.currentTimeMillis();
        while (System.currentTimeMillis() - Math.max(quietSince, lastArrival.get()) < QUIET_MILLIS
                && System.currentTimeMillis() - quietSince < 15_000) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        long[] totals = ledger.totals();
        if (entriesCsv != null) {
            ledger.writeCsv(entriesCsv);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("entries", totals[0]);
        counts.put("unique", totals[1]);
        counts.put("duplicates", totals[2]);
        out.println(TargetProtocol.DELIVERY_PREFIX + mapper.writeValueAsString(counts));
        out.flush();
        client.disconnect().get(5, TimeUnit.SECONDS);
        return 0;
    }

    private TargetSummary.Backfill backfill(ProfileLedger profiles, long launched) {
        if (profiles == null) {
            return null;
        }
        ProfileLedger.Analysis p = profiles.analyse();
        return new TargetSummary.Backfill(profilePeriodMillis, backfillMillis, p.rows(), p.unique(), p.duplicates(),
                p.gaps(), p.complete(), p.owedPerMeter(), p.firstArrival() < 0 ? -1 : p.firstArrival() - launched,
                p.lastArrival() < 0 ? -1 : p.lastArrival() - launched);
    }

    private void onTelemetry(Mqtt3Publish publish) {
        long arrival = System.currentTimeMillis();
        lastArrival.set(arrival);
        if (!ledger.addGatewayTelemetry(publish.getPayloadAsBytes(), arrival)) {
            unreadable.incrementAndGet();
        }
    }

    private void onRpcResponse(Mqtt3Publish publish) {
        String topic = publish.getTopic().toString();
        try {
            int id = Integer.parseInt(topic.substring(RPC_RESPONSE.length()));
            CompletableFuture<JsonNode> pending = rpcs.remove(id);
            if (pending != null) {
                pending.complete(mapper.readTree(publish.getPayloadAsBytes()));
            }
        } catch (NumberFormatException | IOException e) {
            // not an answer to us
        }
    }

    /** Asks the gateway for its counters ({@code GatewayStatistics.asTelemetry()}). */
    private CompletableFuture<JsonNode> gatewayStats() {
        int id = nextRpcId++;
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        rpcs.put(id, answer);
        client.publishWith().topic(RPC_REQUEST + id).qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"method\":\"gateway_stats\",\"params\":{}}".getBytes(StandardCharsets.UTF_8)).send();
        return answer;
    }

    private static JsonNode await(CompletableFuture<JsonNode> answer) {
        try {
            return answer.get(RPC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    private static long field(JsonNode stats, String name) {
        return stats != null && stats.has(name) ? stats.get(name).asLong() : -1;
    }

    private static long diff(JsonNode from, JsonNode to, String name) {
        long a = field(from, name);
        long b = field(to, name);
        return a < 0 || b < 0 ? -1 : b - a;
    }

    private static BlockingQueue<String> readStdin() {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line.trim());
                }
            } catch (IOException e) {
                // stdin gone: the waits time out
            }
        }, "bench-stdin");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        long left;
        while ((left = epochMillis - System.currentTimeMillis()) > 0) {
            TimeUnit.MILLISECONDS.sleep(left);
        }
    }
}
