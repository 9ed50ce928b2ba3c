package io.dlmsgateway.gateway;

import io.dlmsgateway.fleet.FleetOptions;
import io.dlmsgateway.resources.GatewayResources;
import io.dlmsgateway.spool.Spool;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What the configuration files do not say: event loops, and fine-tuning of the meter side and the ThingsBoard side (tests
 * and benchmarks shorten backoffs with these). Defaults suit production.
 */
public final class GatewayOptions {

    private final GatewayResources resources;
    private final FleetOptions fleet;
    private final UnaryOperator<ThingsBoardSettings.Builder> transport;
    private final Duration statusLogInterval;
    private final Function<SpoolOptions, Spool> spoolOpener;
    private final MetricsOptions metrics;

    private GatewayOptions(Builder b) {
        this.metrics = b.metrics;
        this.spoolOpener = b.spoolOpener;
        this.resources = b.resources;
        this.fleet = b.fleet;
        this.transport = b.transport;
        this.statusLogInterval = b.statusLogInterval;
    }

    public static GatewayOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The event loops shared by every meter socket and the MQTT client, when the host hands in its own (the gateway
     * never shuts those down); otherwise the gateway makes one per available processor and shuts them down itself.
     */
    public Optional<GatewayResources> resources() {
        return Optional.ofNullable(resources);
    }

    /** Meter-side options; their resources, if any, are replaced by the gateway's shared ones. */
    public FleetOptions fleet() {
        return fleet;
    }

    /** Applied last to the ThingsBoard settings the configuration gives. */
    public UnaryOperator<ThingsBoardSettings.Builder> transport() {
        return transport;
    }

    /** How often the gateway logs its one-line status; zero turns it off. */
    public Duration statusLogInterval() {
        return statusLogInterval;
    }

    /**
     * Opens the spool the settings describe: {@link Spool#open} unless a host (or a test) hands in its own, e.g. to
     * wrap the spool or to open it on a store that fails on purpose.
     */
    public Function<SpoolOptions, Spool> spoolOpener() {
        return spoolOpener;
    }

    /** Where the gateway's metrics go; empty for none (the default). */
    public Optional<MetricsOptions> metrics() {
        return Optional.ofNullable(metrics);
    }

    public static final class Builder {

        private MetricsOptions metrics;
        private Function<SpoolOptions, Spool> spoolOpener = Spool::open;

        private GatewayResources resources;
        private FleetOptions fleet = FleetOptions.defaults();
        private UnaryOperator<ThingsBoardSettings.Builder> transport = UnaryOperator.identity();
        private Duration statusLogInterval = Duration.ofMinutes(1);

        private Builder() {
        }

        /** See {@link GatewayOptions#resources()}. */
        public Builder resources(GatewayResources value) {
            this.resources = Objects.requireNonNull(value, "resources");
            return this;
        }

        public Builder fleet(FleetOptions options) {
            this.fleet = Objects.requireNonNull(options);
            return this;
        }

        public Builder transport(UnaryOperator<ThingsBoardSettings.Builder> customizer) {
            this.transport = Objects.requireNonNull(customizer);
            return this;
        }

        public Builder statusLogInterval(Duration interval) {
            this.statusLogInterval = Objects.requireNonNull(interval);
            return this;
        }

        /** See {@link GatewayOptions#spoolOpener()}. */
        public Builder spoolOpener(Function<SpoolOptions, Spool> opener) {
            this.spoolOpener = Objects.requireNonNull(opener, "opener");
            return this;
        }

        /** Registers the gateway's series (meters, polls, spool, ThingsBoard, latencies) in a Micrometer registry. */
        public Builder metrics(MetricsOptions options) {
            this.metrics = options;
            return this;
        }

        public GatewayOptions build() {
            return new GatewayOptions(this);
        }
    }
}
