package io.dlmsgateway.bench.target;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.FleetOptions;
import io.dlmsgateway.fleet.FleetStatistics;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.MeterFleet;
import io.dlmsgateway.fleet.MeterReading;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import reactor.core.Disposable;

/**
 * Load target {@code fleet}: the gateway's meter side without MQTT. A {@link MeterFleet} with the default
 * {@link FleetOptions} polls the simulator's meters (meter {@code i} at {@code host:port+i}, client 16, the seed's
 * four measurements; over HDLC physical address {@code base+i}); the subscriber of {@link MeterFleet#readings()}
 * only records each reading's schedule lag ({@code timestamp - scheduledAt}) and latency.
 */
@Command(name = "fleet-target", mixinStandardHelpOptions = true)
public final class FleetTarget implements LoadWorkload, Callable<Integer> {

    /** The seed's measurements, the same the baselines read. */
    static final List<String> MEASUREMENTS = List.of("voltage_l1", "current_l1", "active_power", "frequency");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    @Mixin
    TargetOptions options;

    /**
     * The defaults, except that {@code -Ddlms.bench.scheduleResolutionMs=N} (a {@code --target-jvm-arg}) sets the
     * schedule resolution, to compare settings in one harness run.
     */
    private final FleetOptions fleetOptions = withResolutionProperty(FleetOptions.builder()).build();
    private volatile MeterFleet fleet;
    private Disposable subscription;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new FleetTarget()).setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return TargetLifecycle.run(options, this);
    }

    static FleetOptions.Builder withResolutionProperty(FleetOptions.Builder builder) {
        String millis = System.getProperty("dlms.bench.scheduleResolutionMs");
        return millis == null ? builder : builder.scheduleResolution(Duration.ofMillis(Long.parseLong(millis)));
    }

    /** The fleet's meters: meter {@code i} of the simulator as the gateway's configuration would describe it. */
    static List<Meter> devices(TargetOptions options) {
        List<Measurement> measurements = MEASUREMENTS.stream().map(MeasurementCatalog::require).toList();
        List<Meter> devices = new ArrayList<>(options.meters);
        for (int i = 0; i < options.meters; i++) {
            DlmsClientSettings.Builder client = DlmsClientSettings.builder().framing(options.framing)
                    .connectTimeout(CONNECT_TIMEOUT).requestTimeout(REQUEST_TIMEOUT);
            if (options.framing == Framing.HDLC) {
                client.physicalAddress(options.physicalAddressBase + i);
            }
            devices.add(Meter.builder("meter-" + i, options.host, options.port + i).client(client.build())
                    .pollingInterval(Duration.ofMillis(options.intervalMillis)).measurements(measurements).build());
        }
        return devices;
    }

    @Override
    public void start(ScheduleGrid grid, PollRecorder recorder) {
        List<Meter> devices = devices(options);
        // the fleet spreads meter i at i/N of the interval from its own start, which is the grid's origin to within
        // the few milliseconds this call takes; the window counts readings by their scheduledAt, so the shift does
        // not change which or how many slots it holds
        fleet = MeterFleet.create(devices, fleetOptions);
        subscription = fleet.readings().subscribe(reading -> record(reading, recorder),
                e -> System.err.println("[fleet] readings failed: " + e));
    }

    private static void record(MeterReading reading, PollRecorder recorder) {
        recorder.pollDone(reading.scheduledAt().toEpochMilli(), reading.timestamp().toEpochMilli(),
                reading.latency().toNanos(), reading.values().size());
    }

    @Override
    public Counters counters() {
        FleetStatistics s = fleet.statistics();
        long connectFailures = 0;
        for (DeviceStatistics d : fleet.deviceStatistics()) {
            connectFailures += d.connectFailures();
        }
        return new Counters(s.failures(), connectFailures, s.missed(), s.skipped());
    }

    @Override
    public int connected() {
        return fleet.statistics().devicesUp();
    }

    @Override
    public String notes() {
        String notes = String.format(Locale.ROOT, "MeterFleet (%d %s event-loop threads, connect cap %d, schedule"
                + " resolution %d ms); GET-with-list of the 4 registers per poll when the meter negotiates"
                + " MULTIPLE_REFERENCES"
                + " (scaler_unit read once with the first poll)", fleetOptions.eventLoopThreads(),
                fleet.resources().transportName(), fleetOptions.maxConcurrentConnects(),
                fleetOptions.scheduleResolution().toMillis());
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider metrics) {
            notes += String.format(Locale.ROOT, "; Netty pooled direct memory %d MiB",
                    metrics.metric().usedDirectMemory() >> 20);
        }
        return notes;
    }

    @Override
    public void stop() {
        MeterFleet f = fleet;
        if (f != null) {
            f.close();
        }
        if (subscription != null) {
            subscription.dispose();
        }
    }
}
