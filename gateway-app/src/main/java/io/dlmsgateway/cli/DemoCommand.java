package io.dlmsgateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.ProfileSchedule;
import io.dlmsgateway.gateway.DlmsGateway;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.GatewayOptions;
import io.dlmsgateway.gateway.GatewaySettings;
import io.dlmsgateway.gateway.GatewayStatistics;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.dlmsgateway.thingsboard.broker.BrokerListener;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dlms-gateway demo}: the real pipeline (fleet, disk spool, ThingsBoard transport) against simulated meters and
 * an in-process MQTT broker standing in for ThingsBoard, with a live status line and a sample of what ThingsBoard
 * receives.
 */
@Command(name = "demo",
        header = "Runs the whole gateway against simulated meters and an in-process MQTT broker.",
        mixinStandardHelpOptions = true,
        description = {"Runs the gateway against N simulated meters and an in-process MQTT broker standing in for",
                "ThingsBoard, showing a live status line and sample payloads. Ctrl-C stops.",
                "With --duration it stops by itself and exits 0 only if every reading published reached the broker."})
public final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION_LIMITS_REQUEST = "v1/devices/me/rpc/request/";
    private static final String PROFILE_ENERGY_KEY = "load_energy";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--meters", defaultValue = "100", description = "Simulated meters (default ${DEFAULT-VALUE}).")
    int meters;

    @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "Polling interval of every meter, e.g. 5s or 500ms (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--framing", defaultValue = "WRAPPER", converter = SimulateCommand.FramingConverter.class,
            description = "wrapper or hdlc (default wrapper).")
    Framing framing;

    @Option(names = "--broker-port", defaultValue = "0",
            description = "Port of the in-process MQTT broker; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long (e.g. 30s) instead of waiting for Ctrl-C.")
    Duration duration;

    @Option(names = "--profile-period", converter = DurationConverter.class,
            description = "The simulated meters capture a load profile at this period (e.g. 10s) and the gateway reads"
                    + " it back with the meters' timestamps; none unless given.")
    Duration profilePeriod;

    @Option(names = "--backfill", defaultValue = "1h", converter = DurationConverter.class,
            description = "With --profile-period: how far back the gateway reads each load profile on first contact"
                    + " (default ${DEFAULT-VALUE}).")
    Duration backfill;

    @Option(names = "--status-interval", defaultValue = "2s", converter = DurationConverter.class,
            description = "How often the status line is refreshed (default ${DEFAULT-VALUE}).")
    Duration statusInterval;

    /** Erases from the cursor to the end of the line (ANSI), so a shorter status line leaves nothing behind. */
    private static final String ERASE_TO_END = "\u001b[K";

    private final boolean terminal = System.console() != null;

    @Override
    public Integer call() throws Exception {
        java.util.logging.Logger.getLogger("gurux").setLevel(Level.WARNING);
        quietLogging();
        PrintWriter out = spec.commandLine().getOut();
        if (meters < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--meters must be at least 1");
        }
        ThingsBoardSide thingsBoard = new ThingsBoardSide(out);
        Path spoolDirectory = Files.createTempDirectory("dlms-demo-spool");
        SimulatorOptions.Builder simulatorOptions = SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(meters).framing(framing);
        if (profilePeriod != null) {
            if (profilePeriod.toMillis() % 1000 != 0 || backfill.compareTo(profilePeriod) < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--profile-period must be whole seconds"
                        + " and --backfill at least one period");
            }
            // one period more than is read back, so that the window's oldest row is there
            simulatorOptions.profilePeriod(profilePeriod).profileHistory(backfill.plus(profilePeriod));
        }
        EmbeddedBroker brokerStarted;
        try {
            brokerStarted = EmbeddedBroker.builder().host("127.0.0.1").port(brokerPort).listener(thingsBoard)
                    .start();
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            deleteRecursively(spoolDirectory);
            spec.commandLine().getErr().println("demo: " + e.getMessage() + "; choose another --broker-port, or 0 for"
                    + " any free one");
            return 1;
        }
        try (EmbeddedBroker broker = brokerStarted;
             MeterSimulator simulator = MeterSimulator.start(simulatorOptions.build())) {
            thingsBoard.broker = broker;
            GatewaySettings settings = demoSettings(simulator, broker, spoolDirectory);
            out.printf("demo: %d simulated meters (%s, every %s ms) -> gateway -> MQTT broker 127.0.0.1:%d standing in"
                            + " for ThingsBoard; spool in %s%n", meters, framing, interval.toMillis(), broker.port(),
                    spoolDirectory);
            out.flush();
            DlmsGateway gateway = DlmsGateway.start(settings, GatewayOptions.defaults());
            ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dlms-demo-status");
                t.setDaemon(true);
                return t;
            });
            long started = System.nanoTime();
            status.scheduleAtFixedRate(() -> printStatus(out, gateway, thingsBoard, started),
                    statusInterval.toMillis(), statusInterval.toMillis(), TimeUnit.MILLISECONDS);
            GatewayStatistics[] last = new GatewayStatistics[1];
            StopOnSignal.awaitStop(() -> {
                status.shutdownNow();
                // what the gateway did, taken before it stops (after, every meter reads as down)
                last[0] = gateway.statistics();
                gateway.close();
            }, duration == null ? 0 : duration.toMillis());
            long published = gateway.readingsPublished();
            long received = thingsBoard.readings.get();
            GatewayStatistics s = last[0];
            synchronized (out) {
                if (terminal) {
                    out.print("\r" + ERASE_TO_END);
                }
                out.printf(Locale.ROOT, "demo: stopped after %.1f s: %d/%d meters were up, %d polls (%d failed),"
                                + " %d readings published and acknowledged, %d received by the broker; spool"
                                + " removed%n", (System.nanoTime() - started) / 1e9, s.fleet().devicesUp(),
                        s.fleet().devicesTotal(), s.fleet().polls(), s.fleet().failures(), published, received);
                out.flush();
            }
            boolean allArrived = published > 0 && received >= published;
            return duration == null || allArrived ? 0 : 1;
        } finally {
            deleteRecursively(spoolDirectory);
        }
    }

    /**
     * The demo shows its own status line and samples; the gateway's INFO lines (a meter connected, ThingsBoard
     * connected) would break into it on the same terminal, so only warnings and errors are logged unless
     * {@code LOG_LEVEL} asks for more.
     */
    private static void quietLogging() {
        if (System.getProperty("LOG_LEVEL") == null && System.getenv("LOG_LEVEL") == null
                && org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext c) {
            c.getLogger("io.dlmsgateway").setLevel(ch.qos.logback.classic.Level.WARN);
            // the areas logback.xml gives a level of their own (meters, ThingsBoard, spool)
            for (ch.qos.logback.classic.Logger logger : c.getLoggerList()) {
                if (logger.getName().startsWith("io.dlmsgateway.") && logger.getLevel() != null) {
                    logger.setLevel(ch.qos.logback.classic.Level.WARN);
                }
            }
        }
    }

    private GatewaySettings demoSettings(MeterSimulator simulator, EmbeddedBroker broker, Path spool) {
        Map<String, ValueTemplate> timeseries = new LinkedHashMap<>();
        for (String name : List.of("voltage_l1", "current_l1", "active_power", "frequency", "active_energy")) {
            timeseries.put(name, ValueTemplate.parse("${" + name + "}"));
        }
        Map<String, ValueTemplate> attributes = new LinkedHashMap<>();
        attributes.put("host", ValueTemplate.parse("${host}"));
        attributes.put("port", ValueTemplate.parse("${port}"));
        attributes.put("meter_type", ValueTemplate.parse("DLMS/COSEM"));
        int width = String.valueOf(meters).length();
        // load-profile rows under keys of their own, so that they stand apart from the readings in ThingsBoard
        Map<String, ValueTemplate> profileKeys = new LinkedHashMap<>();
        profileKeys.put(PROFILE_ENERGY_KEY, ValueTemplate.parse("${active_energy}"));
        profileKeys.put("load_voltage_l1", ValueTemplate.parse("${voltage_l1}"));
        List<ProfileSchedule> profiles = profilePeriod == null ? List.of() : List.of(
                ProfileSchedule.of(SimulatedProfiles.LOAD_PROFILE).withInterval(profilePeriod).withBackfill(backfill));
        List<GatewayDevice> devices = new ArrayList<>();
        for (int i = 0; i < meters; i++) {
            DlmsClientSettings.Builder client = DlmsClientSettings.builder().framing(framing);
            if (framing == Framing.HDLC) {
                client.physicalAddress(simulator.addressing().physicalAddress(i));
            }
            Meter meter = Meter.builder(String.format(Locale.ROOT, "medidor_%0" + width + "d", i + 1), "127.0.0.1",
                            simulator.addresses().get(i).getPort())
                    .client(client.build())
                    .pollingInterval(interval)
                    .measurements("voltage_l1", "current_l1", "active_power", "frequency", "active_energy")
                    .profiles(profiles)
                    .build();
            devices.add(new GatewayDevice(meter, "DLMS_Energy_Meter", attributes, timeseries,
                    profiles.isEmpty() ? Map.of() : Map.of(SimulatedProfiles.LOAD_PROFILE, profileKeys)));
        }
        ThingsBoardSettings tb = ThingsBoardSettings.builder().host(broker.host()).port(broker.port())
                .accessToken("DEMO_GATEWAY_TOKEN").qos(1).build();
        return new GatewaySettings(devices, tb, SpoolOptions.file(spool).withMaxBytes(64L << 20),
                Optional.of(Duration.ofSeconds(10)), GatewaySettings.DEFAULT_PACK_DELAY,
                // shared attributes keep the configuration's rules, as with run
                io.dlmsgateway.config.ConfigBinding.inputRules());
    }

    private void printStatus(PrintWriter out, DlmsGateway gateway, ThingsBoardSide thingsBoard, long startedNanos) {
        GatewayStatistics s = gateway.statistics();
        double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
        int up = s.fleet().devicesUp();
        int total = s.fleet().devicesTotal();
        String meters = up == total ? "meters up " + up + "/" + total
                : s.fleet().polls() == 0 ? "connecting " + up + "/" + total : "meters up " + up + "/" + total;
        String line = String.format(Locale.ROOT,
                "%s | polls %d (%.1f/s, %d failed)%s | published %d | backlog %d%s | ThingsBoard %s,"
                        + " received %d readings in %d messages",
                meters, s.fleet().polls(), s.fleet().polls() / seconds,
                s.fleet().failures(), profilePeriod == null ? "" : " | profile rows " + s.profileRowsSpooled(),
                gateway.readingsPublished(), s.spool().backlogRecords(),
                (s.spool().dropped() > 0 ? " | dropped " + s.spool().dropped() : "")
                        + GatewayStatistics.spoolSummary(s.spool()).replace("; ", " | "),
                s.connected() ? "connected" : "down", thingsBoard.readings.get(), thingsBoard.messages.get());
        synchronized (out) {
            for (String sample : thingsBoard.takeSamples()) {
                out.print(terminal ? "\r" + ERASE_TO_END : "");
                out.println(sample);
            }
            // a terminal gets one line redrawn in place (erasing what a longer one left); a log or pipe a line each time
            out.print(terminal ? "\r" + line + ERASE_TO_END : line + System.lineSeparator());
            out.flush();
        }
    }

    /** What ThingsBoard would see: counts telemetry arriving at the broker and keeps the first payloads as samples. */
    private static final class ThingsBoardSide implements BrokerListener {

        final AtomicLong readings = new AtomicLong();
        final AtomicLong messages = new AtomicLong();
        private final java.util.Set<String> sampledTopics = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final List<String> samples = new ArrayList<>();
        private final PrintWriter out;
        volatile EmbeddedBroker broker;

        ThingsBoardSide(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onPublish(String clientId, String username, String topic, byte[] payload) {
            if (topic.startsWith(SESSION_LIMITS_REQUEST)) {
                answerSessionLimits(topic.substring(SESSION_LIMITS_REQUEST.length()), payload);
                return;
            }
            if (!topic.equals("v1/gateway/telemetry") && !topic.equals("v1/gateway/connect")
                    && !topic.equals("v1/gateway/attributes") && !topic.equals("v1/devices/me/telemetry")) {
                return;
            }
            if (topic.equals("v1/gateway/telemetry")) {
                messages.incrementAndGet();
                try {
                    JsonNode tree = JSON.readTree(payload);
                    long entries = 0;
                    for (JsonNode deviceEntries : tree) {
                        entries += deviceEntries.size();
                    }
                    readings.addAndGet(entries);
                } catch (IOException e) {
                    out.println("demo: the broker received telemetry that is not JSON: " + e.getMessage());
                }
            }
            // one sample of each kind of message ThingsBoard gets, load-profile rows apart
            String text = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
            String kind = topic.equals("v1/gateway/telemetry") && text.contains("\"" + PROFILE_ENERGY_KEY + "\"")
                    ? topic + " (load profile rows, ts = capture time)" : topic;
            if (sampledTopics.add(kind)) {
                synchronized (samples) {
                    samples.add(kind + " " + (text.length() > 400 ? text.substring(0, 400) + "..." : text));
                }
            }
        }

        /** Answers the gateway's getSessionLimits as ThingsBoard does, with ThingsBoard's default limits. */
        private void answerSessionLimits(String id, byte[] request) {
            EmbeddedBroker b = broker;
            try {
                if (b == null || !"getSessionLimits".equals(JSON.readTree(request).path("method").asText())) {
                    return;
                }
            } catch (IOException e) {
                return;
            }
            byte[] limits = ("{\"maxPayloadSize\":65536,\"maxInflightMessages\":100,"
                    + "\"rateLimits\":{\"messages\":\"200:1,6000:60\",\"telemetryMessages\":\"100:1,3000:60\","
                    + "\"telemetryDataPoints\":\"200:1,6000:60\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // off the broker's interceptor thread, which is handing us this very message
            java.util.concurrent.CompletableFuture.runAsync(() -> b.publish("v1/devices/me/rpc/response/" + id, limits));
        }

        List<String> takeSamples() {
            synchronized (samples) {
                List<String> taken = List.copyOf(samples);
                samples.clear();
                return taken;
            }
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
