package io.dlmsgateway.gateway.internal;

import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.GatewayStatistics;
import io.dlmsgateway.gateway.MetricsOptions;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.thingsboard.ConnectionProblem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's series in a Micrometer registry: gauges and counters read from one statistics snapshot (taken at
 * most once a second, since a snapshot walks every meter's session and a scrape reads thirty series), and two
 * latency histograms recorded as things happen: a poll's (request to last reply) and a reading's delivery (taken
 * until ThingsBoard acknowledged it).
 *
 * <p>Threading: {@link #pollCompleted} and {@link #delivered} run on the reading and publishing lanes, the gauges on
 * whatever thread scrapes; Micrometer's timers and the volatile snapshot make both safe.
 */
public final class GatewayMeters implements AutoCloseable {

    /** Poll latency buckets: a meter on a LAN answers in milliseconds, one behind a GPRS modem in seconds. */
    private static final Duration[] POLL_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
    /** Delivery buckets: a pack delay of 200 ms when ThingsBoard is up, minutes to hours after an outage. */
    private static final Duration[] DELIVERY_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(15), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2)};
    private static final long SNAPSHOT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MeterRegistry registry;
    private final Supplier<GatewayStatistics> statistics;
    private final List<Meter> meters = new ArrayList<>();
    private final Timer pollLatency;
    private final Timer deliveryLatency;
    private volatile Snapshot snapshot;

    private record Snapshot(long takenNanos, GatewayStatistics statistics) {
    }

    public GatewayMeters(MetricsOptions options, Supplier<GatewayStatistics> statistics, MeterFleet fleet,
            Supplier<Optional<ConnectionProblem>> thingsBoardProblem) {
        this.registry = options.registry();
        this.statistics = statistics;
        // why ThingsBoard is not connected, one series per kind of problem (a bounded set), 1 for the current one:
        // an alert can tell a wrong token from a ThingsBoard that is down
        for (ConnectionProblem.Kind kind : ConnectionProblem.Kind.values()) {
            add(Gauge.builder("dlms.gateway.thingsboard.problem", thingsBoardProblem,
                            p -> p.get().filter(problem -> problem.kind() == kind).isPresent() ? 1 : 0)
                    .description("1 while ThingsBoard is not connected for this reason: " + kind.hint())
                    .tags("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                    // Micrometer holds a gauge's object weakly; this supplier has no other holder
                    .strongReference(true).register(registry));
        }
        pollLatency = add(Timer.builder("dlms.gateway.poll.latency")
                .description("Time from a poll's request to the meter's last reply")
                .serviceLevelObjectives(POLL_BUCKETS).register(registry));
        deliveryLatency = add(Timer.builder("dlms.gateway.delivery.latency")
                .description("Time from a reading's request to ThingsBoard's acknowledgement of it")
                .serviceLevelObjectives(DELIVERY_BUCKETS).register(registry));

        gauge("dlms.gateway.meters", "Meters configured", Tags.of("state", "configured"), s -> s.fleet().devicesTotal());
        gauge("dlms.gateway.meters", "Meters associated", Tags.of("state", "up"), s -> s.fleet().devicesUp());
        gauge("dlms.gateway.meters", "Meters not associated", Tags.of("state", "down"), s -> s.fleet().devicesDown());
        counter("dlms.gateway.polls", "Polls by result", Tags.of("result", "success"), s -> s.fleet().successes());
        counter("dlms.gateway.polls", "Polls by result", Tags.of("result", "failure"), s -> s.fleet().failures());
        counter("dlms.gateway.poll.slots.skipped", "Poll slots skipped (previous poll still running or buffer full)",
                Tags.empty(), s -> s.fleet().skipped());
        counter("dlms.gateway.poll.slots.missed", "Poll slots missed (meter not associated at its slot)",
                Tags.empty(), s -> s.fleet().missed());
        counter("dlms.gateway.meter.bytes", "Bytes exchanged with meters", Tags.of("direction", "received"),
                s -> s.fleet().bytesReceived());
        counter("dlms.gateway.meter.bytes", "Bytes exchanged with meters", Tags.of("direction", "sent"),
                s -> s.fleet().bytesSent());
        counter("dlms.gateway.readings.spooled", "Readings and profile rows written to the spool", Tags.empty(),
                s -> s.readingsSpooled() + s.profileRowsSpooled());
        counter("dlms.gateway.readings.published", "Readings and profile rows ThingsBoard acknowledged",
                Tags.empty(), GatewayStatistics::readingsPublished);
        gauge("dlms.gateway.spool.backlog.records", "Records waiting in the spool", Tags.empty(),
                s -> s.spool().backlogRecords());
        gauge("dlms.gateway.spool.backlog.bytes", "Bytes the spool's backlog counts against its bound", Tags.empty(),
                s -> s.spool().backlogBytes());
        gauge("dlms.gateway.spool.failing", "1 while the spool's disk refuses writes", Tags.empty(),
                s -> s.spool().failing() ? 1 : 0);
        counter("dlms.gateway.spool.dropped", "Records dropped by the spool, by reason", Tags.of("reason", "bound"),
                s -> s.spool().droppedForBound());
        counter("dlms.gateway.spool.dropped", "Records dropped by the spool, by reason",
                Tags.of("reason", "disk_space"), s -> s.spool().droppedForDiskSpace());
        counter("dlms.gateway.spool.dropped", "Records dropped by the spool, by reason", Tags.of("reason", "failing"),
                s -> s.spool().droppedWhileFailing());
        gauge("dlms.gateway.thingsboard.connected", "1 while connected to ThingsBoard", Tags.empty(),
                s -> s.connected() ? 1 : 0);
        counter("dlms.gateway.thingsboard.publishes", "Telemetry publishes by outcome", Tags.of("result", "acked"),
                s -> s.transport().publishesAcked());
        counter("dlms.gateway.thingsboard.publishes", "Telemetry publishes by outcome", Tags.of("result", "failed"),
                s -> s.transport().publishesFailed());
        counter("dlms.gateway.thingsboard.reconnects", "Reconnections to ThingsBoard", Tags.empty(),
                s -> s.transport().reconnects());
        counter("dlms.gateway.thingsboard.bytes.sent", "Bytes published to ThingsBoard", Tags.empty(),
                s -> s.transport().bytesSent());
        counter("dlms.gateway.attribute.writes", "Shared attributes written to meters, by result",
                Tags.of("result", "success"), GatewayStatistics::attributeWrites);
        counter("dlms.gateway.attribute.writes", "Shared attributes written to meters, by result",
                Tags.of("result", "failure"), GatewayStatistics::attributeWritesFailed);
        gauge("dlms.gateway.attribute.writes.pending", "Failed writes kept for their meter's next association",
                Tags.empty(), GatewayStatistics::attributeWritesPending);
        counter("dlms.gateway.push.notifications", "Pushed notifications, by outcome", Tags.of("result", "accepted"),
                s -> s.push().notifications());
        counter("dlms.gateway.push.notifications", "Pushed notifications, by outcome",
                Tags.of("result", "unknown_sender"), s -> s.push().unknownSenders());
        counter("dlms.gateway.push.notifications", "Pushed notifications, by outcome",
                Tags.of("result", "undecodable"), s -> s.push().undecodable());
        counter("dlms.gateway.push.notifications", "Pushed notifications, by outcome", Tags.of("result", "replayed"),
                s -> s.push().replayed());
        counter("dlms.gateway.push.notifications", "Pushed notifications, by outcome", Tags.of("result", "oversize"),
                s -> s.push().oversize());
        gauge("dlms.gateway.push.connections", "Push connections open", Tags.empty(),
                s -> s.push().connectionsOpen());

        if (options.perDevice()) {
            List<io.dlmsgateway.fleet.Meter> fleetMeters = fleet.meters();
            for (int i = 0; i < Math.min(options.maxDevices(), fleetMeters.size()); i++) {
                String device = fleetMeters.get(i).name();
                Tags tags = Tags.of("device", device);
                add(Gauge.builder("dlms.gateway.device.up", fleet, f -> f.deviceStatistics(device)
                                .map(d -> d.state() == DeviceState.UP ? 1.0 : 0.0).orElse(Double.NaN))
                        .description("1 while the meter is associated").tags(tags).register(registry));
                add(FunctionCounter.builder("dlms.gateway.device.polls", fleet, f -> f.deviceStatistics(device)
                                .map(DeviceStatistics::successes).orElse(0L))
                        .description("Successful polls of the meter").tags(tags.and("result", "success"))
                        .register(registry));
                add(FunctionCounter.builder("dlms.gateway.device.polls", fleet, f -> f.deviceStatistics(device)
                                .map(DeviceStatistics::failures).orElse(0L))
                        .description("Failed polls of the meter").tags(tags.and("result", "failure"))
                        .register(registry));
                add(Gauge.builder("dlms.gateway.device.poll.latency", fleet, f -> f.deviceStatistics(device)
                                .flatMap(DeviceStatistics::lastLatency).map(l -> l.toNanos() / 1e9).orElse(Double.NaN))
                        .description("The meter's last poll latency").baseUnit("seconds").tags(tags)
                        .register(registry));
            }
        }
    }

    /** A poll completed: its latency goes into the histogram. */
    public void pollCompleted(MeterReading reading) {
        pollLatency.record(reading.latency());
    }

    /** ThingsBoard acknowledged these records now: each one's age goes into the delivery histogram. */
    public void delivered(List<SpoolRecord> records, long nowMillis) {
        for (SpoolRecord record : records) {
            long age = nowMillis - record.timestamp();
            if (age >= 0) {
                deliveryLatency.record(age, TimeUnit.MILLISECONDS);
            }
        }
    }

    private GatewayStatistics statistics() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.takenNanos >= SNAPSHOT_NANOS) {
            s = new Snapshot(now, statistics.get());
            snapshot = s;
        }
        return s.statistics;
    }

    private void gauge(String name, String description, Tags tags, ToDoubleFunction<GatewayStatistics> value) {
        add(Gauge.builder(name, this, m -> value.applyAsDouble(m.statistics())).description(description).tags(tags)
                .register(registry));
    }

    private void counter(String name, String description, Tags tags, ToDoubleFunction<GatewayStatistics> value) {
        add(FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.statistics())).description(description)
                .tags(tags).register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Removes the gateway's series from the registry (a stopped gateway reports nothing). */
    @Override
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
