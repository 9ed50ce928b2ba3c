package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.fleet.PushListener;
import io.dlmsgateway.fleet.PushNotification;
import io.dlmsgateway.fleet.PushSource;
import io.dlmsgateway.fleet.PushStatistics;
import io.dlmsgateway.gateway.internal.AttributeWriter;
import io.dlmsgateway.gateway.internal.DeviceRpcRouter;
import io.dlmsgateway.gateway.internal.GatewayMeters;
import io.dlmsgateway.gateway.internal.PushTelemetry;
import io.dlmsgateway.gateway.internal.SpoolInvocationCounterStore;
import io.dlmsgateway.gateway.internal.SpoolProfileStore;
import io.dlmsgateway.gateway.internal.TelemetryMapping;
import io.dlmsgateway.resources.GatewayResources;
import io.dlmsgateway.resources.LogText;
import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolException;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.spool.SpoolStatistics;
import io.dlmsgateway.spool.SpooledBatch;
import io.dlmsgateway.thingsboard.AttributeUpdate;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import io.dlmsgateway.thingsboard.TelemetryAck;
import io.dlmsgateway.thingsboard.TelemetryBatch;
import io.dlmsgateway.thingsboard.ThingsBoardTransport;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The whole gateway: the meter fleet, the disk spool and the ThingsBoard transport, on one shared event-loop group.
 *
 * <pre>
 * meters → MeterFleet.readings() → telemetry (timeseriesMapping) → Spool (disk, bounded)
 *        → batches → ThingsBoardTransport (v1/gateway/telemetry, QoS 1) → acknowledged → deleted from the spool
 * ThingsBoard RPC (read, get, set, execute, remoteDisconnect, named RPCs...) and shared attributes
 *        (pollingInterval, attributeUpdates → SET) → the meter's session
 * meters → PushListener (pushListener port) → PushMapping → Spool, as readings are
 * </pre>
 *
 * <p>Push-only devices ({@link GatewayDevice#polled()} false) are announced to ThingsBoard and receive pushes, but
 * are never given to the fleet: nothing connects to them, and every RPC to them is refused.
 *
 * <p>A reading is on disk before it is published and leaves the disk only once ThingsBoard acknowledged it, so a
 * ThingsBoard outage, a network outage or a crash of the gateway loses nothing (delivery is at least once: a batch
 * published but not acknowledged before a crash is published again). Readings go to the spool as they arrive and
 * are on disk within milliseconds; {@code packDelay} gathers them for publishing only. The spool is the one place
 * readings can be dropped, oldest first, counted by reason and logged: at its size bound, at the free-space margin
 * of its file system, or from memory while its disk fails (full, I/O error), which never stops polling or
 * publishing and ends by itself when writes succeed again.
 */
public final class DlmsGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.gateway.DLMSConnector");

    /** Records per spool batch; the transport splits them into payloads within ThingsBoard's limit. */
    private static final int SPOOL_BATCH_RECORDS = 2_000;
    private static final int SPOOL_BATCH_BYTES = 1 << 20;
    /** Pause before retrying a batch ThingsBoard did not acknowledge, so a persistent refusal cannot spin. */
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /** Beside the spool: the devices announced by the last start. */
    private static final String KNOWN_DEVICES_FILE = "devices.txt";
    /** Longest a graceful stop waits for the backlog to be published. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Bytes of a {@code gateway_devices} reply besides its devices: the response topic with ThingsBoard's request id,
     * the MQTT publish's fields, {@code code}, {@code total}, {@code offset} and {@code next}.
     */
    private static final int DEVICES_REPLY_OVERHEAD = 256;

    private final GatewaySettings settings;
    private final GatewayOptions options;
    private final GatewayResources resources;
    private final Scheduler timer;
    private final Map<String, GatewayDevice> devices = new LinkedHashMap<>();
    private final TelemetryMapping mapping;
    /**
     * The devices whose attributes name a measurement, so change with readings: decided once, not with a stream over
     * the mapping per reading. Usually none, and then empty.
     */
    private final Set<String> attributesFollowReadings;
    private final Spool spool;
    private final SpoolProfileStore profiles;
    private final ThingsBoardTransport transport;
    private final MeterFleet fleet;
    private final Disposable.Composite running = Disposables.composite();
    private final Map<String, Map<String, Object>> publishedAttributes = new ConcurrentHashMap<>();
    private final LongAdder readingsSpooled = new LongAdder();
    private final LongAdder readingsPublished = new LongAdder();
    private final Sinks.Empty<Void> ingestDone = Sinks.empty();
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AttributeWriter attributeWriter;
    private final LongAdder pushSpooled = new LongAdder();
    private volatile PushListener pushListener;
    /** The series in the host's registry, when it gave one ({@link GatewayOptions#metrics()}); null otherwise. */
    private final GatewayMeters meters;

    private DlmsGateway(GatewaySettings settings, GatewayOptions options) {
        this.settings = settings;
        this.options = options;
        for (GatewayDevice device : settings.devices()) {
            if (devices.putIfAbsent(device.name(), device) != null) {
                throw new IllegalArgumentException("device name '" + device.name() + "' is used twice");
            }
        }
        this.mapping = new TelemetryMapping(devices);
        this.attributesFollowReadings = Set.copyOf(devices.values().stream()
                .filter(TelemetryMapping::attributesFollowReadings).map(GatewayDevice::name).toList());
        // first, as it is what most often cannot start (directory in use by another gateway, not writable)
        this.spool = options.spoolOpener().apply(settings.spool());
        // profile rows go into the spool with their mark in one transaction, and profile reads start from it
        this.profiles = new SpoolProfileStore(spool, devices);
        // the gateway shuts down only event loops it made; a host's, handed in through the options, it leaves alone
        this.resources = options.resources().orElseGet(GatewayResources::create);
        EventLoop timerLoop = resources.nextEventLoop();
        this.timer = resources.timer(timerLoop);
        // the MQTT client's sockets, results and timers share the meters' loops: no thread of its own
        this.transport = ThingsBoardTransport.create(options.transport()
                .apply(settings.thingsBoard().toBuilder().resources(resources).applicationExecutor(timerLoop))
                .build());
        // HIGH_GMAC counters are reserved in the spool's database, durable with it across restarts and crashes;
        // push-only devices have no association: the fleet never sees them
        this.fleet = MeterFleet.create(devices.values().stream().filter(GatewayDevice::polled)
                        .map(GatewayDevice::meter).toList(),
                options.fleet().toBuilder().resources(resources).profileStore(profiles)
                        .invocationCounterStore(new SpoolInvocationCounterStore(spool)).build());
        this.attributeWriter = new AttributeWriter(fleet, devices, System::nanoTime);
        this.meters = options.metrics().map(m -> new GatewayMeters(m, this::statistics, fleet,
                transport::connectionProblem)).orElse(null);
    }

    /**
     * Starts everything: ThingsBoard is connected in the background (the gateway starts and spools even while it
     * is unreachable), meters are polled at once.
     */
    public static DlmsGateway start(GatewaySettings settings, GatewayOptions options) {
        DlmsGateway gateway = new DlmsGateway(settings, options);
        try {
            // the push port first: a port in use fails the start, as a spool directory in use does
            gateway.bindPushListener();
        } catch (RuntimeException e) {
            gateway.ingestDone.tryEmitEmpty(); // nothing was ingesting yet
            gateway.close();
            throw e;
        }
        gateway.run();
        return gateway;
    }

    public static DlmsGateway start(GatewaySettings settings) {
        return start(settings, GatewayOptions.defaults());
    }

    /**
     * Binds the push port when the settings have one, with a source for every device that pushes. Blocks the
     * starting thread (never an event loop) for the bind only.
     */
    private void bindPushListener() {
        if (settings.pushListener().isEmpty()) {
            return;
        }
        List<PushSource> sources = devices.values().stream()
                .filter(device -> device.push().isPresent())
                .map(device -> new PushSource(device.name(), device.push().get().match(), device.meter().client()))
                .toList();
        pushListener = PushListener.bind(settings.pushListener().get(), sources, resources)
                .block(Duration.ofSeconds(30));
        log.info("[DLMSConnector] Listening for pushes on {} from {} devices", pushListener.localAddress(),
                sources.size());
    }

    private void run() {
        transport.onDeviceRpc(new DeviceRpcRouter(fleet, devices));
        transport.onGatewayRpc("gateway_devices", params -> Mono.fromCallable(() -> devicesReply(params)));
        transport.onGatewayRpc("gateway_stats", params -> Mono.fromCallable(
                () -> JsonNodeFactory.instance.pojoNode(statistics().asTelemetry())));
        transport.start();

        for (GatewayDevice device : devices.values()) {
            publishAttributesIfChanged(device, null);
        }
        disconnectDevicesThatLeftTheConfiguration();
        running.add(transport.attributeUpdates().subscribe(this::applyAttributeUpdate,
                e -> log.error("[DLMSConnector] attribute updates ended", e)));
        running.add(Flux.interval(AttributeWriter.CHECK_INTERVAL, AttributeWriter.CHECK_INTERVAL, timer)
                .onBackpressureDrop()
                .subscribe(tick -> attributeWriter.retryPending()));
        if (pushListener != null) {
            running.add(pushListener.notifications()
                    .flatMap(this::pushed, Integer.MAX_VALUE)
                    .subscribe(null, e -> log.error("[DLMSConnector] push notifications stopped", e)));
        }

        running.add(fleet.readings()
                .doOnNext(reading -> {
                    if (meters != null) {
                        meters.pollCompleted(reading);
                    }
                })
                .map(this::toRecord)
                // every reading goes to the spool the moment it arrives: the spool thread writes whatever is waiting
                // in one transaction (group commit; at a high rate at most one commit per storage.commitIntervalMs),
                // so a reading is on disk within that interval and a commit's time.
                // The spool bounds what waits (on disk, or in memory while its store fails) and counts what it
                // drops, so nothing here waits for a write: polling goes on whatever the disk does.
                .flatMap(record -> spool.append(List.of(record))
                        .doOnSuccess(v -> readingsSpooled.increment())
                        // dropped while the store failed, or the spool closed: counted and logged by the spool
                        .onErrorResume(SpoolException.class, e -> Mono.empty()), Integer.MAX_VALUE)
                .subscribe(null, e -> {
                    log.error("[DLMSConnector] readings stopped", e);
                    ingestDone.tryEmitEmpty();
                }, ingestDone::tryEmitEmpty));

        // minPackSendDelay applies to publishing only, as the ThingsBoard IoT gateway's packs do: a batch waits for
        // readings to gather up to that long (or until it is full), so that each publish carries many readings
        running.add(transport.publishTelemetry(spool.batches(SPOOL_BATCH_RECORDS, SPOOL_BATCH_BYTES,
                                settings.packDelay())
                        .map(batch -> new TelemetryBatch<>(batch.records().stream().map(mapping::telemetry).toList(),
                                batch)))
                .concatMap(this::settle)
                .subscribe(null, e -> log.error("[DLMSConnector] publishing stopped", e)));

        settings.statisticsPeriod().ifPresent(period -> running.add(
                Flux.interval(period, period, timer)
                        .onBackpressureDrop()
                        .concatMap(tick -> transport.publishGatewayTelemetry(statistics().asTelemetry())
                                .onErrorResume(e -> Mono.empty()))
                        .subscribe()));
        Duration status = options.statusLogInterval();
        if (!status.isZero()) {
            running.add(Flux.interval(status, status, timer).subscribe(tick -> logStatus()));
        }
    }

    /**
     * A pushed notification as telemetry into the spool (exactly as a reading: on disk before it is published, kept
     * through a ThingsBoard outage) and attributes published as the readings' are.
     */
    private Mono<Void> pushed(PushNotification notification) {
        GatewayDevice device = devices.get(notification.device());
        if (device == null) {
            return Mono.empty();
        }
        PushTelemetry.Mapped mapped;
        try {
            mapped = PushTelemetry.map(device, notification);
        } catch (RuntimeException e) {
            log.warn("[DLMSConnector] Push from '{}' not mapped: {}", device.name(), e.toString());
            return Mono.empty();
        }
        if (log.isDebugEnabled()) {
            log.debug("[DLMSConnector] Push from '{}' ({}) at {}: {} telemetry, {} attributes", device.name(),
                    notification.peer(), mapped.time(), mapped.telemetry().size(), mapped.attributes().size());
        }
        if (!mapped.attributes().isEmpty()) {
            transport.publishAttributes(device.name(), device.deviceType(), mapped.attributes()).subscribe(null,
                    e -> log.warn("[DLMSConnector] Pushed attributes of '{}' not published: {}", device.name(),
                            e.toString()));
        }
        return mapped.record(device.name())
                .map(record -> spool.append(List.of(record))
                        .doOnSuccess(v -> pushSpooled.increment())
                        .onErrorResume(SpoolException.class, e -> Mono.empty()))
                .orElseGet(Mono::empty);
    }

    private SpoolRecord toRecord(MeterReading reading) {
        SpoolRecord record = mapping.record(reading);
        if (log.isTraceEnabled()) {
            // what a crash test holds the spool to: a reading logged here must survive a kill a moment later
            log.trace("[DLMSConnector] Received reading of '{}' taken at {}", record.key(), record.timestamp());
        }
        if (attributesFollowReadings.contains(reading.meter())) {
            publishAttributesIfChanged(devices.get(reading.meter()), reading);
        }
        return record;
    }

    /**
     * Meters removed from the configuration since the last start get {@code v1/gateway/disconnect}, so ThingsBoard
     * stops showing them as connected. The names announced last time are kept beside the spool (file storage only;
     * a memory spool remembers nothing across restarts either).
     */
    private void disconnectDevicesThatLeftTheConfiguration() {
        List<String> left;
        try {
            // a few names, read once at start on the starting thread: no event loop is involved yet
            left = rememberDevices();
        } catch (IOException e) {
            log.warn("[DLMSConnector] Cannot tell which devices left the configuration: {}", e.toString());
            return;
        }
        Flux.fromIterable(left)
                .flatMap(name -> transport.disconnectDevice(name)
                        .doOnSuccess(v -> log.info("[DLMSConnector] Device '{}' left the configuration: disconnected"
                                + " from ThingsBoard", name)), 8)
                .subscribe(null, e -> log.warn("[DLMSConnector] Devices that left the configuration: {}",
                        e.toString()));
    }

    /** Writes the configured device names beside the spool and returns those of the last start that are gone. */
    private List<String> rememberDevices() throws IOException {
        Optional<Path> directory = settings.spool().directory();
        if (directory.isEmpty()) {
            return List.of();
        }
        Path file = directory.get().resolve(KNOWN_DEVICES_FILE);
        List<String> before = Files.exists(file) ? Files.readAllLines(file) : List.of();
        Files.createDirectories(directory.get());
        Files.write(file, devices.keySet());
        return before.stream().filter(name -> !name.isBlank() && !devices.containsKey(name)).toList();
    }

    /** Deletes what ThingsBoard acknowledged; puts the rest back for the next attempt. */
    private Mono<Void> settle(TelemetryAck<SpooledBatch> ack) {
        SpooledBatch batch = ack.context();
        if (ack.isSuccess()) {
            readingsPublished.add(batch.size());
            if (meters != null) {
                meters.delivered(batch.records(), System.currentTimeMillis());
            }
            if (log.isDebugEnabled()) {
                for (SpoolRecord record : batch.records()) {
                    log.debug("[DLMSConnector] Sent telemetry for '{}': {}", record.key(),
                            new String(record.payload(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return spool.acknowledge(batch);
        }
        log.warn("[DLMSConnector] ThingsBoard did not acknowledge {} readings ({}); they stay in the spool",
                batch.size(), ack.error().toString());
        spool.release(batch);
        return Mono.delay(RETRY_PAUSE, timer).then();
    }

    private void publishAttributesIfChanged(GatewayDevice device, MeterReading reading) {
        Map<String, Object> mapped = mapping.attributes(device, reading);
        // kept until the next reading: most devices map no attributes, and an empty map each was ~60 bytes per meter
        Map<String, Object> attributes = mapped.isEmpty() ? Map.of() : mapped;
        Map<String, Object> before = publishedAttributes.put(device.name(), attributes);
        if (attributes.equals(before)) {
            return;
        }
        boolean first = before == null;
        transport.publishAttributes(device.name(), device.deviceType(), attributes).subscribe(null,
                e -> {
                    // published again with the next change, or the next start
                    publishedAttributes.remove(device.name(), attributes);
                    if (!shuttingDown.get()) {
                        log.warn("[DLMSConnector] Attributes of '{}' not published: {}", device.name(), e.toString());
                    }
                },
                () -> {
                    if (first) {
                        // ThingsBoard acknowledged the device's connect and attributes; whether its meter answers
                        // is another matter, and the line says which
                        boolean reached = !device.polled() || fleet.deviceStatistics(device.name())
                                .map(d -> d.state() == io.dlmsgateway.fleet.DeviceState.UP).orElse(false);
                        if (reached) {
                            log.info("[DLMSConnector] Device '{}' added to ThingsBoard", device.name());
                        } else {
                            log.info("[DLMSConnector] Device '{}' added to ThingsBoard (its meter not reached yet)",
                                    device.name());
                        }
                    }
                });
    }

    /**
     * Shared attributes from ThingsBoard: the device's {@code attributeUpdates} keys written to the meter
     * ({@link AttributeWriter}); {@code pollingInterval} (milliseconds, as in the connector file), under the same
     * rule as in the file ({@link GatewaySettings#inputRules()}); a refused value is logged with the reason and the
     * meter keeps its interval.
     */
    private void applyAttributeUpdate(AttributeUpdate update) {
        attributeWriter.apply(update);
        JsonNode interval = update.values().get("pollingInterval");
        if (interval == null) {
            return;
        }
        if (!devices.containsKey(update.device())) {
            log.warn("[DLMSConnector] pollingInterval for unknown device '{}' ignored", LogText.remote(update.device()));
            return;
        }
        Duration accepted;
        try {
            accepted = settings.inputRules().pollingInterval(interval);
        } catch (IllegalArgumentException e) {
            log.warn("[DLMSConnector] shared attribute pollingInterval of '{}' refused: {}; the meter keeps polling"
                    + " every {} ms", LogText.escape(update.device()), LogText.remote(e.getMessage()),
                    devices.get(update.device()).meter().pollingInterval().toMillis());
            return;
        }
        fleet.pollingInterval(update.device(), accepted);
    }

    /**
     * {@code gateway_devices}: every meter and its state, in pages that each fit ThingsBoard's payload limit. Params
     * {@code {"offset":N}} (default 0) ask for the page starting at the N-th meter (configuration order); the reply
     * says {@code total} and, unless it is the last page, the {@code next} offset to ask for.
     */
    private JsonNode devicesReply(JsonNode params) {
        JsonNode offsetNode = params == null ? null : params.get("offset");
        long offset = 0;
        if (offsetNode != null && !offsetNode.isNull()) {
            if (!offsetNode.isIntegralNumber() || !offsetNode.canConvertToLong() || offsetNode.longValue() < 0) {
                throw new RpcRefusedException("gateway_devices: offset must be a whole number of at least 0, got "
                        + offsetNode);
            }
            offset = offsetNode.longValue();
        }
        List<DeviceStatistics> all = fleet.deviceStatistics();
        // what the reply may take: the payload limit in force less the topic, the envelope and the paging fields
        int budget = transport.statistics().maxPayloadSize() - DEVICES_REPLY_OVERHEAD;
        ObjectNode page = JsonNodeFactory.instance.objectNode();
        int used = 0;
        long index = offset;
        for (; index < all.size(); index++) {
            DeviceStatistics s = all.get((int) index);
            // "name":"STATE", with the name as JSON escapes it (at most 6 bytes per UTF-16 unit)
            int cost = s.device().length() * 6 + s.state().name().length() + 6;
            if (used + cost > budget && page.size() > 0) {
                break;
            }
            page.put(s.device(), s.state().name());
            used += cost;
        }
        ObjectNode reply = JsonNodeFactory.instance.objectNode().put("code", 200);
        reply.set("resp", page);
        reply.put("total", all.size()).put("offset", offset);
        if (index < all.size()) {
            reply.put("next", index);
        }
        return reply;
    }

    private void logStatus() {
        GatewayStatistics s = statistics();
        SpoolStatistics spooled = s.spool();
        String line = "[DLMSConnector] ThingsBoard {}; meters up {}/{}; readings spooled {}{}, published {}, backlog {},"
                + " dropped {}{}{}";
        StringBuilder more = new StringBuilder();
        if (pushListener != null) {
            more.append("; pushes ").append(s.push().notifications()).append(" (unknown senders ")
                    .append(s.push().unknownSenders()).append(", undecodable ").append(s.push().undecodable())
                    .append(", connections ").append(s.push().connectionsOpen()).append(')');
        }
        if (s.attributeWrites() + s.attributeWritesFailed() + s.attributeWritesPending() > 0) {
            more.append("; attribute writes ").append(s.attributeWrites()).append(" (failed ")
                    .append(s.attributeWritesFailed()).append(", pending ").append(s.attributeWritesPending())
                    .append(')');
        }
        Object[] arguments = {s.connected() ? "connected" : transport.connectionProblem()
                .map(p -> "not connected: " + p.describe()).orElse("not connected"), s.fleet().devicesUp(),
                s.fleet().devicesTotal(), readingsSpooled.sum(),
                s.profileRowsSpooled() == 0 ? "" : " (and " + s.profileRowsSpooled() + " profile rows)",
                readingsPublished.sum(), spooled.backlogRecords(), spooled.dropped(),
                GatewayStatistics.spoolSummary(spooled), more};
        // a failing spool is what a person must see in the minute summary, not one more INFO line
        if (spooled.failing()) {
            log.warn(line, arguments);
        } else {
            log.info(line, arguments);
        }
    }

    public MeterFleet fleet() {
        return fleet;
    }

    public ThingsBoardTransport transport() {
        return transport;
    }

    /** The address the push listener is bound to (the port chosen when 0 was configured); empty without one. */
    public Optional<java.net.InetSocketAddress> pushAddress() {
        PushListener listener = pushListener;
        return listener == null ? Optional.empty() : Optional.of(listener.localAddress());
    }

    public GatewayStatistics statistics() {
        PushListener listener = pushListener;
        PushStatistics push = listener == null ? PushStatistics.NONE : listener.statistics();
        return new GatewayStatistics(fleet.statistics(), spool.statistics(), transport.statistics(),
                transport.isConnected(), readingsSpooled.sum(), readingsPublished.sum(), profiles.rowsSpooled(),
                profiles.rowsFlagged(), profiles.rowsWithoutTime(), attributeWriter.written(),
                attributeWriter.failed(), attributeWriter.pending(),
                devices.values().stream().filter(d -> !d.polled()).count(), push, pushSpooled.sum());
    }

    /** Readings written to the spool since start. */
    public long readingsSpooled() {
        return readingsSpooled.sum();
    }

    /** Readings ThingsBoard acknowledged since start. */
    public long readingsPublished() {
        return readingsPublished.sum();
    }

    /**
     * Stops gracefully: polling stops and associations are released, readings made so far are written to the spool,
     * publishes in flight are acknowledged (or stay in the spool for the next start), then the spool closes.
     * Does not block; idempotent.
     */
    public Mono<Void> shutdown() {
        if (shuttingDown.compareAndSet(false, true)) {
            log.info("[DLMSConnector] Stopping");
            PushListener listener = pushListener;
            Mono<Void> pushClosed = listener == null ? Mono.empty() : listener.close().onErrorResume(e -> Mono.empty());
            pushClosed.then(Mono.defer(fleet::shutdown))
                    .then(ingestDone.asMono().timeout(Duration.ofSeconds(10), Mono.empty()))
                    .then(drainBacklog())
                    .then(Mono.defer(transport::close)) // close() starts closing when called, not when subscribed
                    .onErrorResume(e -> {
                        log.warn("[DLMSConnector] Stopping: {}", e.toString());
                        return Mono.empty();
                    })
                    // closing the spool waits for its thread: not on an event loop, and no thread pool kept for it
                    .publishOn(Schedulers.fromExecutor(task -> new Thread(task, "dlms-gateway-stop").start()))
                    .doFinally(signal -> {
                        running.dispose();
                        if (meters != null) {
                            meters.close();
                        }
                        spool.close();
                        if (options.resources().isEmpty()) {
                            resources.shutdown();
                        }
                        logStatusQuietly();
                        terminated.tryEmitEmpty();
                    })
                    .subscribe();
        }
        return terminated.asMono();
    }

    /**
     * While ThingsBoard is reachable, gives the last readings a few seconds to be published, so a clean stop leaves
     * nothing behind; whatever is left stays in the spool for the next start.
     */
    private Mono<Void> drainBacklog() {
        return Flux.interval(Duration.ZERO, Duration.ofMillis(50), timer)
                .takeUntil(tick -> !transport.isConnected() || spool.statistics().backlogRecords() == 0)
                .take(DRAIN_TIMEOUT)
                .then();
    }

    private void logStatusQuietly() {
        log.info("[DLMSConnector] Stopped: readings spooled {}, published {}; {} left in the spool for the next start",
                readingsSpooled.sum(), readingsPublished.sum(), spool.statistics().backlogRecords());
    }

    /** {@link #shutdown()} and wait; never call it on an event loop. */
    @Override
    public void close() {
        shutdown().block(Duration.ofSeconds(60));
    }
}
