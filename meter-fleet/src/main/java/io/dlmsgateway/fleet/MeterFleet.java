package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.SelectiveAccess;
import io.dlmsgateway.fleet.internal.ClockCheckJob;
import io.dlmsgateway.fleet.internal.ClockCorrection;
import io.dlmsgateway.fleet.internal.ConnectionAttemptLimiter;
import io.dlmsgateway.fleet.internal.ControlAssociation;
import io.dlmsgateway.fleet.internal.DlmsMeterConnector;
import io.dlmsgateway.fleet.internal.FailureLog;
import io.dlmsgateway.fleet.internal.FleetStatisticsLog;
import io.dlmsgateway.fleet.internal.MeterAssociation;
import io.dlmsgateway.fleet.internal.MeterSession;
import io.dlmsgateway.fleet.internal.OpenAssociations;
import io.dlmsgateway.fleet.internal.ProfileChunkBuffer;
import io.dlmsgateway.fleet.internal.ProfileJob;
import io.dlmsgateway.fleet.internal.ReadingBuffer;
import io.dlmsgateway.fleet.internal.ReconnectBackoff;
import io.dlmsgateway.resources.GatewayResources;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Polls a fleet of DLMS/COSEM meters, each over its own TCP connection, all on a few event-loop threads, and hands
 * out what they read as one {@link Flux}. Knows nothing of ThingsBoard: any reactive application can consume it.
 *
 * <pre>{@code
 * List<Meter> meters = List.of(Meter.builder("meter-1", "10.0.0.7", 4059).measurements("voltage_l1").build());
 * try (MeterFleet fleet = MeterFleet.create(meters, FleetOptions.defaults())) {
 *     fleet.readings()
 *          .subscribe(r -> System.out.println(r.meter() + " " + r.value("voltage_l1")));
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Sessions.</b> Each meter gets a session as soon as the fleet is created: its first poll falls at
 * {@code i/N} of its interval (meter {@code i} of {@code N}), so ten thousand meters do not all connect at once, and
 * connection attempts in progress are capped fleet-wide ({@link FleetOptions#maxConcurrentConnects()}). The
 * association stays open across polls. Any failure (refused, timeout, garbage, closed) closes that meter's connection
 * only; it reconnects after an exponential backoff with jitter while every other meter carries on.
 *
 * <p><b>Backpressure.</b> {@link #readings()} holds at most {@link FleetOptions#readingBufferSize()} readings the
 * subscriber has not requested. When that is full, polls falling due are skipped and counted in
 * {@link DeviceStatistics#skipped()}: polling pauses, memory stays bounded, nothing is dropped silently.
 *
 * <p><b>Threads.</b> Readings are delivered on a meter's event loop (or on the thread that requested more): do not
 * block in the subscriber; move blocking work elsewhere with {@code publishOn}. {@link #close()} blocks and must
 * not be called on an event loop; {@link #shutdown()} does not block.
 */
public final class MeterFleet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSConnector");

    private final List<Meter> meters;
    private final FleetOptions options;
    private final GatewayResources resources;
    private final ReadingBuffer buffer;
    private final ProfileChunkBuffer profileChunks = new ProfileChunkBuffer();
    private final ProfileStore profileStore;
    private final ConnectionAttemptLimiter limiter;
    private final ConnectionAttemptLimiter profileReads;
    private final OpenAssociations openAssociations = new OpenAssociations();
    /**
     * The one subscriber of every session's run. A run emits nothing and never ends on its own, and the shutdown stops
     * each session itself, so nothing per meter is kept for it (a Disposable per run held ~44 bytes a meter). Reactive
     * Streams asks for a subscriber per subscription; this one keeps no state of any, and a run is our own publisher
     * ({@link MeterSession#run()}), which keeps none in its subscriber either, so sharing it is safe here and only here.
     */
    private static final CoreSubscriber<Void> SESSION_RUNS = new CoreSubscriber<>() {
        @Override
        public void onSubscribe(Subscription subscription) {
            // a run needs no demand; MeterSession.stop() ends it as a cancel would
        }

        @Override
        public void onNext(Void value) {
        }

        @Override
        public void onError(Throwable error) {
            log.error("[DLMSConnector] A meter session ended unexpectedly", error);
        }

        @Override
        public void onComplete() {
        }
    };

    private final Map<String, MeterSession> sessions = new LinkedHashMap<>();
    /** The control associations of the meters that have a {@link Meter#control()}, by meter name. */
    private final Map<String, ControlAssociation> controls = new LinkedHashMap<>();
    private final FleetStatisticsLog statisticsLog;
    private final FailureLog failureLog;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final Sinks.One<Void> terminated = Sinks.one();

    private MeterFleet(List<Meter> meters, FleetOptions options) {
        this.meters = List.copyOf(meters);
        this.options = options;
        Map<String, Meter> byName = new LinkedHashMap<>();
        for (Meter meter : this.meters) {
            if (byName.putIfAbsent(meter.name(), meter) != null) {
                throw new IllegalArgumentException("meter name '" + meter.name() + "' is used twice");
            }
        }
        // the fleet shuts down only resources it made itself (GatewayResources#shutdown leaves a host's alone)
        this.resources = options.resources().orElseGet(
                () -> GatewayResources.create(options.eventLoopThreads(), "dlms-meters"));
        this.buffer = new ReadingBuffer(options.readingBufferSize());
        this.profileStore = options.profileStore().orElse(profileChunks);
        this.limiter = new ConnectionAttemptLimiter(options.maxConcurrentConnects());
        this.profileReads = new ConnectionAttemptLimiter(options.maxConcurrentProfileReads());
        this.statisticsLog = new FleetStatisticsLog(this::statistics, this::deviceStatistics);
        this.failureLog = new FailureLog(FailureLog.DEFAULT_LINE_BUDGET, options.failureSummaryInterval());
    }

    /** Starts polling the given meters with default options on the fleet's own event loops. */
    public static MeterFleet create(List<Meter> meters) {
        return create(meters, FleetOptions.defaults());
    }

    /**
     * Starts polling the given meters.
     *
     * @throws IllegalArgumentException when two meters share a name
     */
    public static MeterFleet create(List<Meter> meters, FleetOptions options) {
        MeterFleet fleet = new MeterFleet(meters, options);
        fleet.start();
        return fleet;
    }

    private void start() {
        int total = meters.size();
        log.info("[DLMSConnector] Opening DLMS Connector: {} devices on {} event-loop threads", total,
                resources.eventLoopCount());
        ReconnectBackoff backoff = new ReconnectBackoff(options.minBackoff(), options.maxBackoff(),
                options.backoffJitter(), () -> ThreadLocalRandom.current().nextDouble());
        AtomicInteger awaitingFirstOutcome = new AtomicInteger(total);
        Runnable firstOutcome = () -> {
            if (awaitingFirstOutcome.decrementAndGet() == 0) {
                FleetStatistics s = statistics();
                log.info("[DLMSConnector] Connected {}/{} devices", s.devicesUp(), s.devicesTotal());
            }
        };
        Map<EventLoop, Bootstrap> bootstraps = new IdentityHashMap<>();
        for (int i = 0; i < total; i++) {
            Meter meter = meters.get(i);
            EventLoop loop = resources.nextEventLoop();
            Bootstrap bootstrap = bootstraps.computeIfAbsent(loop, DlmsMeterConnector::bootstrapFor);
            // a meter's socket and its timers share one thread, so a session never hops threads
            Scheduler timer = resources.timer(loop);
            Duration phase = meter.pollingInterval().multipliedBy(i).dividedBy(total);
            MeterSession session = new MeterSession(meter, new DlmsMeterConnector(meter, bootstrap, openAssociations,
                            options.invocationCounterStore()),
                    limiter, buffer, backoff, failureLog, timer, phase, options.scheduleResolution(), firstOutcome);
            for (ProfileSchedule profile : meter.profiles()) {
                // first read in the poll's slot: a backfill starts as soon as the meter is reached
                session.addJob(new ProfileJob(meter.name(), profile, profileStore, phase, timer,
                        () -> timer.now(TimeUnit.MILLISECONDS), profileReads));
            }
            meter.clockCheck().ifPresent(check -> session.addJob(new ClockCheckJob(meter, check, buffer, phase)));
            sessions.put(meter.name(), session);
            meter.control().ifPresent(control -> controls.put(meter.name(), new ControlAssociation(meter.name(),
                    new DlmsMeterConnector(meter, controlSettings(meter, control), bootstrap, openAssociations,
                            options.invocationCounterStore()), control.keepOpen(), loop)));
        }
        for (MeterSession session : sessions.values()) {
            session.run().subscribe(SESSION_RUNS);
        }
        statisticsLog.start(resources.nextEventLoop(), options.statisticsLogInterval());
        failureLog.start(resources.nextEventLoop());
    }

    /**
     * The readings of every meter, in the order they are made. One subscriber at a time (share it with
     * {@code publish()} for more); readings made before anyone subscribed wait in the bounded buffer. Completes when
     * the fleet shuts down, after the readings still buffered.
     */
    public Flux<MeterReading> readings() {
        return buffer.flux();
    }

    /**
     * The meters' profile rows, chunk by chunk as they are read, when {@link FleetOptions.Builder#profileStore} was not
     * set (with a store, the store takes them and this Flux stays empty). One subscriber at a time. A profile job
     * reads its next chunk only once the subscriber took the last one, so a slow or absent subscriber pauses the
     * profile reads (never the register polls) instead of filling memory. Marks are kept in memory: after the fleet
     * is created again, each profile is read from its backfill window once more. Completes when the fleet shuts down.
     */
    public Flux<ProfileChunk> profiles() {
        return profileChunks.flux();
    }

    /**
     * Reads a meter now, outside its schedule, on its open association: its exchanges go before any scheduled one,
     * so it waits at most for the exchange on the wire; cancelling the Mono cancels the read in the client. Each
     * entry is a measurement name (the device's own or the standard catalogue's), an OBIS code of a register
     * ({@code 1.0.32.7.0.255}) or {@code CLASS/OBIS/ATTRIBUTE} ({@code 8/0.0.1.0.0.255/2}), as
     * {@link MeasurementCatalog#resolve} reads them; an empty list reads the device's configured measurements.
     *
     * @return the reading, or an error when the device is unknown ({@link NoSuchElementException}), an entry is
     *         neither a name nor an OBIS code ({@link IllegalArgumentException}) or the meter is not connected or
     *         fails ({@link io.dlmsgateway.dlms.client.DlmsException})
     */
    public Mono<MeterReading> readNow(String device, Collection<String> measurementsOrObis) {
        return Mono.defer(() -> {
            MeterSession session = session(device);
            List<Measurement> asked = resolve(session.meter(), measurementsOrObis);
            return session.readNow(asked);
        });
    }

    /**
     * Reads a meter's clock now on its open association, before any scheduled exchange: the meter's time and its
     * deviation from the gateway's. Fails when the device is unknown ({@link NoSuchElementException}), not connected
     * or refuses ({@link io.dlmsgateway.dlms.client.DlmsException}).
     */
    public Mono<ClockReading> readClock(String device) {
        return Mono.defer(() -> session(device).onAssociation(a -> a.readClock(Priority.ON_DEMAND)));
    }

    /**
     * Corrects a meter's clock now: reads it, shifts it (shift_time) when it is off by up to 900 s or sets it when
     * further off, and reads it again; through the meter's {@link Meter#control()} association when it has one. A deviation below half a second is left alone. Fails as
     * {@link #readClock(String)} does, or with a {@link io.dlmsgateway.dlms.client.DlmsAccessException} when the
     * meter refuses the correction.
     */
    public Mono<ClockSync> syncClock(String device) {
        return Mono.defer(() -> acting(device, a -> a.readClock(Priority.ON_DEMAND)
                .flatMap(before -> ClockCorrection.correct(a, before, Priority.ON_DEMAND))));
    }

    /**
     * Reads any attribute of a meter now (GET, before any scheduled exchange), with the selective access given when
     * not null. Fails with {@link io.dlmsgateway.dlms.client.DlmsAccessException} (the data-access-result by name)
     * when the meter refuses, {@link NoSuchElementException} for an unknown device, or the association's failure.
     */
    public Mono<DlmsValue> get(String device, CosemAttribute attribute, SelectiveAccess access) {
        Objects.requireNonNull(attribute, "attribute");
        return Mono.defer(() -> session(device).onAssociation(a -> a.get(attribute, access, Priority.ON_DEMAND)));
    }

    /**
     * Writes an attribute of a meter now (SET), through its {@link Meter#control()} association when it has one, else
     * on its poll association before any scheduled exchange. Fails with
     * {@link io.dlmsgateway.dlms.client.DlmsAccessException} (SET, the data-access-result by name) when the meter
     * refuses; cancelling the Mono cancels the write (dequeued, or no exchange after the one on the wire).
     */
    public Mono<Void> set(String device, CosemAttribute attribute, DlmsValue value) {
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(value, "value");
        return Mono.defer(() -> acting(device, a -> a.set(attribute, value, Priority.ON_DEMAND)));
    }

    /**
     * Invokes a method of a meter now (ACTION), through its {@link Meter#control()} association when it has one, with
     * the parameter given ({@link DlmsValue#NULL} or null for none). Completes with the method's return data, empty
     * when it returns none; fails with {@link io.dlmsgateway.dlms.client.DlmsAccessException} (ACTION, the
     * action-result by name) when the meter refuses. Cancelling the Mono cancels the action as {@link #set} does.
     */
    public Mono<DlmsValue> execute(String device, CosemMethod method, DlmsValue parameter) {
        Objects.requireNonNull(method, "method");
        DlmsValue sent = DlmsValue.NULL.equals(parameter) ? null : parameter;
        return Mono.defer(() -> acting(device, a -> a.invoke(method, sent, Priority.ON_DEMAND)));
    }

    /**
     * Runs a write, an action or a clock correction: on the meter's control association when it has one (opened on
     * demand, one operation at a time), else on its poll association as an on-demand operation.
     */
    private <T> Mono<T> acting(String device, java.util.function.Function<MeterAssociation, Mono<T>> operation) {
        MeterSession session = session(device);
        ControlAssociation control = controls.get(device);
        return control != null ? control.submit(operation) : session.onAssociation(operation);
    }

    /**
     * The control client's settings for this meter: its own client address, authentication and keys; framing,
     * server addresses, timeouts, PDU and date-time reading as the meter's own.
     */
    private static io.dlmsgateway.dlms.client.DlmsClientSettings controlSettings(Meter meter, ControlClient control) {
        io.dlmsgateway.dlms.client.DlmsClientSettings own = meter.client();
        return control.client().toBuilder()
                .framing(own.framing())
                .logicalAddress(own.logicalAddress())
                .physicalAddress(own.physicalAddress())
                .maxPduSize(own.maxPduSize())
                .requestTimeout(own.requestTimeout())
                .connectTimeout(own.connectTimeout())
                .exchangeTimeout(own.exchangeTimeout())
                .maxReplyBytes(own.maxReplyBytes())
                .deviationSign(own.deviationSign())
                .clockOffset(own.clockOffset())
                .build();
    }

    /** Drops a meter's association and reconnects at once, skipping any backoff under way. */
    public Mono<Void> reconnect(String device) {
        return Mono.fromRunnable(() -> session(device).reconnect());
    }

    /** Changes a meter's polling interval at once (the next poll falls one new interval after the last one). */
    public void pollingInterval(String device, Duration interval) {
        session(device).pollingInterval(interval);
    }

    /** The meters of this fleet, in the order given. */
    public List<Meter> meters() {
        return meters;
    }

    /** The event loops and timers the meters' sockets run on: the host's when it handed them in. */
    public GatewayResources resources() {
        return resources;
    }

    /** The fleet's counters now. */
    public FleetStatistics statistics() {
        int up = 0;
        long received = 0;
        long sent = 0;
        long polls = 0;
        long successes = 0;
        long failures = 0;
        long skipped = 0;
        long missed = 0;
        for (MeterSession session : sessions.values()) {
            DeviceStatistics s = session.statistics();
            if (s.state() == DeviceState.UP) {
                up++;
            }
            received += s.bytesReceived();
            sent += s.bytesSent();
            polls += s.polls();
            successes += s.successes();
            failures += s.failures();
            skipped += s.skipped();
            missed += s.missed();
        }
        int total = sessions.size();
        return new FleetStatistics(total, up, total - up, received, sent, polls, successes, failures, skipped,
                missed, buffer.queued());
    }

    /** Every meter's counters now, in configuration order. */
    public List<DeviceStatistics> deviceStatistics() {
        return sessions.values().stream().map(MeterSession::statistics).toList();
    }

    /** One meter's counters now. */
    public Optional<DeviceStatistics> deviceStatistics(String device) {
        return Optional.ofNullable(sessions.get(device)).map(MeterSession::statistics);
    }

    /**
     * Stops polling, releases every association (waiting up to {@link FleetOptions#releaseTimeout()} for the
     * meters to answer, then closing the rest), completes {@link #readings()} and, when the fleet made its own event
     * loops, shuts them down. Does not block; idempotent.
     */
    public Mono<Void> shutdown() {
        if (shuttingDown.compareAndSet(false, true)) {
            log.info("[DLMSConnector] Closing: releasing {} associations", openAssociations.size());
            statisticsLog.stop();
            sessions.values().forEach(MeterSession::stop);
            failureLog.stop();
            Flux.fromIterable(List.copyOf(controls.values())).flatMap(ControlAssociation::shutdown)
                    .then(Mono.defer(() -> openAssociations.awaitClosed(options.releaseTimeout())))
                    .then(Mono.fromRunnable(() -> {
                        buffer.complete();
                        profileChunks.complete();
                    }))
                    .then(Mono.defer(() -> options.resources().isPresent() ? Mono.empty() : resources.shutdown()))
                    .doFinally(signal -> {
                        if (buffer.discardedAtClose() > 0) {
                            log.warn("[DLMSConnector] {} readings were never taken by a subscriber",
                                    buffer.discardedAtClose());
                        }
                        terminated.tryEmitEmpty();
                    })
                    .subscribe(null, e -> log.warn("[DLMSConnector] Shutdown: {}", e.toString()));
        }
        return terminated.asMono();
    }

    /** {@link #shutdown()} and wait for it; must not be called on an event loop. */
    @Override
    public void close() {
        shutdown().block(options.releaseTimeout().plusSeconds(5));
    }

    private MeterSession session(String device) {
        MeterSession session = sessions.get(device);
        if (session == null) {
            throw new NoSuchElementException("no device named '" + device + "' in this fleet");
        }
        return session;
    }

    private static List<Measurement> resolve(Meter device, Collection<String> entries) {
        if (entries.isEmpty()) {
            return device.measurements();
        }
        List<Measurement> resolved = new ArrayList<>(entries.size());
        for (String entry : entries) {
            try {
                resolved.add(MeasurementCatalog.resolve(entry, device.measurements()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + entry + "' is neither a measurement of " + device.name()
                        + " nor an OBIS code", e);
            }
        }
        return resolved;
    }
}
