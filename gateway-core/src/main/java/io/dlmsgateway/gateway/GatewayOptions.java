package io.dlmsgateway.gateway;

import io.dlmsgateway.fleet.FleetOptions;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What the configuration files do not say: threads, and fine-tuning of the meter side and the ThingsBoard side (tests
 * and benchmarks shorten backoffs with these). Defaults suit production.
 */
public final class GatewayOptions {

    private final int eventLoopThreads;
    private final FleetOptions fleet;
    private final UnaryOperator<ThingsBoardSettings.Builder> transport;
    private final Duration statusLogInterval;

    private GatewayOptions(Builder b) {
        this.eventLoopThreads = b.eventLoopThreads;
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

    /** Event-loop threads shared by every meter socket and the MQTT client: the available processors by default. */
    public int eventLoopThreads() {
        return eventLoopThreads;
    }

    /** Meter-side options; their event-loop group, if any, is replaced by the gateway's shared one. */
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

    public static final class Builder {

        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private FleetOptions fleet = FleetOptions.defaults();
        private UnaryOperator<ThingsBoardSettings.Builder> transport = UnaryOperator.identity();
        private Duration statusLogInterval = Duration.ofMinutes(1);

        private Builder() {
        }

        public Builder eventLoopThreads(int threads) {
            if (threads <= 0) {
                throw new IllegalArgumentException("eventLoopThreads must be positive");
            }
            this.eventLoopThreads = threads;
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

        public GatewayOptions build() {
            return new GatewayOptions(this);
        }
    }
}
