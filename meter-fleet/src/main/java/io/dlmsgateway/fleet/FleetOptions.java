package io.dlmsgateway.fleet;

import io.dlmsgateway.resources.GatewayResources;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link MeterFleet} behaves and which resources it runs on. Defaults suit a fleet of a few to ten thousand
 * meters on one machine.
 *
 * <pre>{@code
 * FleetOptions options = FleetOptions.builder()
 *     .resources(GatewayResources.shared(myGroup))   // the host's loops; the fleet will not shut them down
 *     .maxConcurrentConnects(64)
 *     .reconnectBackoff(Duration.ofSeconds(1), Duration.ofMinutes(2))
 *     .build();
 * }</pre>
 */
public final class FleetOptions {

    /** Connection attempts in progress at once, fleet-wide, unless set. */
    public static final int DEFAULT_MAX_CONCURRENT_CONNECTS = 128;
    /** First reconnect delay unless set. */
    public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofSeconds(1);
    /** Longest reconnect delay unless set. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(2);
    /** Spread of a reconnect delay around its nominal value unless set: 0.5 means ±50 %. */
    public static final double DEFAULT_BACKOFF_JITTER = 0.5;
    /** Readings held for a slow subscriber unless set. */
    public static final int DEFAULT_READING_BUFFER_SIZE = 16_384;
    /** How often statistics are logged unless set. */
    public static final Duration DEFAULT_STATISTICS_LOG_INTERVAL = Duration.ofMinutes(1);
    /**
     * Width of the windows in which due polls are started together unless set (see
     * {@link Builder#scheduleResolution(Duration)}).
     */
    public static final Duration DEFAULT_SCHEDULE_RESOLUTION = Duration.ofMillis(10);
    /** Period of the failure summary unless set (see {@link Builder#failureSummaryInterval(Duration)}). */
    public static final Duration DEFAULT_FAILURE_SUMMARY_INTERVAL = Duration.ofSeconds(10);
    /**
     * Profile reads in progress at once, fleet-wide, unless set: enough to keep the event loops busy with rows, few
     * enough that a register poll's reply does not wait behind hundreds of meters' profile replies on its loop.
     */
    public static final int DEFAULT_MAX_CONCURRENT_PROFILE_READS = 32;
    /** How long {@link MeterFleet#shutdown()} waits for meters to acknowledge the release unless set. */
    public static final Duration DEFAULT_RELEASE_TIMEOUT = Duration.ofSeconds(5);

    private final GatewayResources resources;
    private final int eventLoopThreads;
    private final int maxConcurrentConnects;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final double backoffJitter;
    private final int readingBufferSize;
    private final Duration statisticsLogInterval;
    private final Duration releaseTimeout;
    private final Duration scheduleResolution;
    private final Duration failureSummaryInterval;
    private final ProfileStore profileStore;
    private final InvocationCounterStore invocationCounterStore;
    private final int maxConcurrentProfileReads;

    private FleetOptions(Builder b) {
        this.resources = b.resources;
        this.eventLoopThreads = b.eventLoopThreads;
        this.maxConcurrentConnects = b.maxConcurrentConnects;
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.backoffJitter = b.backoffJitter;
        this.readingBufferSize = b.readingBufferSize;
        this.statisticsLogInterval = b.statisticsLogInterval;
        this.releaseTimeout = b.releaseTimeout;
        this.scheduleResolution = b.scheduleResolution;
        this.failureSummaryInterval = b.failureSummaryInterval;
        this.profileStore = b.profileStore;
        this.maxConcurrentProfileReads = b.maxConcurrentProfileReads;
        this.invocationCounterStore = b.invocationCounterStore != null ? b.invocationCounterStore
                : InvocationCounterStore.inMemory();
    }

    /** The defaults. */
    public static FleetOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.resources = resources;
        b.eventLoopThreads = eventLoopThreads;
        b.maxConcurrentConnects = maxConcurrentConnects;
        b.minBackoff = minBackoff;
        b.maxBackoff = maxBackoff;
        b.backoffJitter = backoffJitter;
        b.readingBufferSize = readingBufferSize;
        b.statisticsLogInterval = statisticsLogInterval;
        b.releaseTimeout = releaseTimeout;
        b.scheduleResolution = scheduleResolution;
        b.failureSummaryInterval = failureSummaryInterval;
        b.profileStore = profileStore;
        b.maxConcurrentProfileReads = maxConcurrentProfileReads;
        b.invocationCounterStore = invocationCounterStore;
        return b;
    }

    /** The host's event loops and timers, when it handed them in; otherwise the fleet makes and owns its own. */
    public Optional<GatewayResources> resources() {
        return Optional.ofNullable(resources);
    }

    /** Threads of the fleet's own event loops (ignored with resources handed in): the available processors by default. */
    public int eventLoopThreads() {
        return eventLoopThreads;
    }

    public int maxConcurrentConnects() {
        return maxConcurrentConnects;
    }

    public Duration minBackoff() {
        return minBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public double backoffJitter() {
        return backoffJitter;
    }

    public int readingBufferSize() {
        return readingBufferSize;
    }

    public Duration statisticsLogInterval() {
        return statisticsLogInterval;
    }

    public Duration releaseTimeout() {
        return releaseTimeout;
    }

    public Duration scheduleResolution() {
        return scheduleResolution;
    }

    public Duration failureSummaryInterval() {
        return failureSummaryInterval;
    }

    /**
     * Where profile reads are stored and start from, when the host gives one; otherwise the fleet keeps marks in
     * memory and hands chunks out through {@link MeterFleet#profiles()}.
     */
    public Optional<ProfileStore> profileStore() {
        return Optional.ofNullable(profileStore);
    }

    public int maxConcurrentProfileReads() {
        return maxConcurrentProfileReads;
    }

    /**
     * Where HIGH_GMAC invocation counters are reserved, per meter and client: an in-memory store of these options
     * unless set (it survives reconnects, not a restart).
     */
    public InvocationCounterStore invocationCounterStore() {
        return invocationCounterStore;
    }

    public static final class Builder {

        private GatewayResources resources;
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private int maxConcurrentConnects = DEFAULT_MAX_CONCURRENT_CONNECTS;
        private Duration minBackoff = DEFAULT_MIN_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double backoffJitter = DEFAULT_BACKOFF_JITTER;
        private int readingBufferSize = DEFAULT_READING_BUFFER_SIZE;
        private Duration statisticsLogInterval = DEFAULT_STATISTICS_LOG_INTERVAL;
        private Duration failureSummaryInterval = DEFAULT_FAILURE_SUMMARY_INTERVAL;
        private Duration releaseTimeout = DEFAULT_RELEASE_TIMEOUT;
        private Duration scheduleResolution = DEFAULT_SCHEDULE_RESOLUTION;
        private ProfileStore profileStore;
        private InvocationCounterStore invocationCounterStore;
        private int maxConcurrentProfileReads = DEFAULT_MAX_CONCURRENT_PROFILE_READS;

        private Builder() {
        }

        /**
         * Keeps HIGH_GMAC invocation counters in this store, so that no counter is used twice (see
         * {@link InvocationCounterStore}); a durable one makes that hold across restarts and crashes.
         */
        public Builder invocationCounterStore(InvocationCounterStore store) {
            this.invocationCounterStore = Objects.requireNonNull(store, "invocationCounterStore");
            return this;
        }

        /**
         * Runs every meter socket and timer on these resources' event loops (the host's, or shared with the MQTT
         * client). The fleet never shuts them down; this is how the gateway shares one group between meters and its
         * MQTT client.
         */
        public Builder resources(GatewayResources value) {
            this.resources = Objects.requireNonNull(value, "resources");
            return this;
        }

        /** Threads of the event loops the fleet makes when no group is handed in. */
        public Builder eventLoopThreads(int threads) {
            this.eventLoopThreads = positive("eventLoopThreads", threads);
            return this;
        }

        /**
         * Caps connection and association attempts in progress at once, so that ten thousand meters starting or
         * reconnecting together do not storm the network or the meters' concentrators.
         */
        public Builder maxConcurrentConnects(int max) {
            this.maxConcurrentConnects = positive("maxConcurrentConnects", max);
            return this;
        }

        /**
         * Reconnect delays: the first failure waits {@code min}, each further failure in a row doubles it up to
         * {@code max}. A successful poll starts the sequence over.
         */
        public Builder reconnectBackoff(Duration min, Duration max) {
            if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnectBackoff: need 0 < min <= max, got " + min + ", " + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** Spreads each reconnect delay by up to ± this fraction of it, so meters that failed together retry apart. */
        public Builder backoffJitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("backoffJitter must be within 0..1, got " + jitter);
            }
            this.backoffJitter = jitter;
            return this;
        }

        /**
         * Bounds the readings made and not yet taken by the subscriber of {@link MeterFleet#readings()}. When it is
         * full, polls that fall due are skipped and counted (polling pauses) rather than readings piling up in
         * memory: a slow subscriber costs samples, never heap.
         */
        public Builder readingBufferSize(int size) {
            this.readingBufferSize = positive("readingBufferSize", size);
            return this;
        }

        /** How often the fleet logs its statistics; zero turns the log off. */
        public Builder statisticsLogInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("statisticsLogInterval must not be negative");
            }
            this.statisticsLogInterval = interval;
            return this;
        }

        /** How long a shutdown waits for meters to answer the release before it closes their sockets. */
        public Builder releaseTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("releaseTimeout must not be negative");
            }
            this.releaseTimeout = timeout;
            return this;
        }

        /**
         * Polls due within the same window of this width start together: a meter's poll waits for the end of the
         * window its slot falls in, so each event loop wakes once per window for all its due meters instead of once
         * per meter. Readings keep their slot ({@link MeterReading#scheduledAt()}); a poll starts at most this late.
         * {@link Duration#ZERO} starts every poll on its own millisecond. Keep it well below the shortest polling
         * interval. Measured at 10 000 meters every 5 s: 10 ms costs a third less CPU per poll than none, 50 ms no
         * less than 10 ms (bench/README.md).
         */
        public Builder scheduleResolution(Duration resolution) {
            if (resolution.isNegative() || resolution.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("scheduleResolution must be between 0 and 1 s, got " + resolution);
            }
            this.scheduleResolution = resolution;
            return this;
        }

        /**
         * Within each period of this length the first few meters that start failing are logged one WARN line each,
         * and the rest are counted per reason and logged as one summary line per reason (a count and a few names) at
         * the period's end, so a site of thousands of meters losing its network writes a handful of lines, not
         * thousands. Retries of a failing meter go to DEBUG. 10 s unless set.
         */
        public Builder failureSummaryInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("failureSummaryInterval must be positive, got " + interval);
            }
            this.failureSummaryInterval = interval;
            return this;
        }

        /**
         * Stores the meters' profile rows and keeps their marks (the gateway keeps both in its spool, in one
         * transaction): a profile job reads from the store's mark and reads its next chunk only once the store has
         * taken the last one. Unset, {@link MeterFleet#profiles()} hands the chunks out and marks live in memory.
         */
        public Builder profileStore(ProfileStore store) {
            this.profileStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Caps the meters whose profiles are being read at once, fleet-wide (a read: one slot of a profile job, from
         * its first request to its last chunk stored); the others wait their turn. A thousand meters backfilling on
         * first contact then do not flood the event loops that also carry every meter's register poll.
         */
        public Builder maxConcurrentProfileReads(int max) {
            this.maxConcurrentProfileReads = positive("maxConcurrentProfileReads", max);
            return this;
        }

        public FleetOptions build() {
            return new FleetOptions(this);
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
