package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A meter the fleet polls: where it is, how to talk to it, what to read and how often.
 *
 * <pre>{@code
 * Meter meter = Meter.builder("meter-7", "10.0.0.7", 4059)
 *     .client(DlmsClientSettings.builder().framing(Framing.HDLC).physicalAddress(23).build())
 *     .pollingInterval(Duration.ofSeconds(15))
 *     .measurements("voltage_l1", "active_power")
 *     .build();
 * }</pre>
 *
 * @param name            unique within a fleet; every reading, statistic and log line carries it
 * @param host            the meter's (or its serial-to-IP converter's) host name or IP literal
 * @param port            TCP port, 1..65535
 * @param client          framing, addresses, authentication, keys and timeouts of the association
 * @param pollingInterval time between polls, on a fixed grid
 * @param measurements    what each poll reads, in this order
 * @param profiles        Profile Generic objects read beside the poll, each on its own schedule; none unless set
 * @param clockCheck      the meter's clock check, when it has one ({@link ClockCheck})
 * @param control         the association writes and actions go through, when not the poll's own
 *                        ({@link ControlClient})
 */
public record Meter(String name, String host, int port, DlmsClientSettings client, Duration pollingInterval,
                    List<Measurement> measurements, List<ProfileSchedule> profiles, Optional<ClockCheck> clockCheck,
                    Optional<ControlClient> control) {

    /** Polling interval unless set: one minute. */
    public static final Duration DEFAULT_POLLING_INTERVAL = Duration.ofSeconds(60);

    /** What a poll reads unless set: the seed connector's four measurements. */
    public static final List<Measurement> DEFAULT_MEASUREMENTS = List.of(MeasurementCatalog.require("voltage_l1"),
            MeasurementCatalog.require("current_l1"), MeasurementCatalog.require("active_power"),
            MeasurementCatalog.require("frequency"));

    public Meter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(pollingInterval, "pollingInterval");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1..65535");
        }
        if (pollingInterval.isNegative() || pollingInterval.isZero()) {
            throw new IllegalArgumentException("pollingInterval must be positive, got " + pollingInterval);
        }
        measurements = List.copyOf(measurements);
        profiles = List.copyOf(profiles);
        for (int i = 0; i < profiles.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (profiles.get(i).profile().equals(profiles.get(j).profile())) {
                    throw new IllegalArgumentException("profile " + profiles.get(i).profile() + " is listed twice");
                }
            }
        }
        Objects.requireNonNull(clockCheck, "clockCheck");
        Objects.requireNonNull(control, "control");
    }

    /** A meter whose writes and actions go through its poll association. */
    public Meter(String name, String host, int port, DlmsClientSettings client, Duration pollingInterval,
            List<Measurement> measurements, List<ProfileSchedule> profiles, Optional<ClockCheck> clockCheck) {
        this(name, host, port, client, pollingInterval, measurements, profiles, clockCheck, Optional.empty());
    }

    /** A meter without profiles and clock check, as before either was read. */
    public Meter(String name, String host, int port, DlmsClientSettings client, Duration pollingInterval,
            List<Measurement> measurements) {
        this(name, host, port, client, pollingInterval, measurements, List.of(), Optional.empty());
    }

    /** A meter with the defaults: the client settings' own, a poll every minute, the four seed measurements. */
    public static Builder builder(String name, String host, int port) {
        return new Builder(name, host, port);
    }

    /** A builder starting from this meter, to change a few things. */
    public Builder toBuilder() {
        return new Builder(name, host, port).client(client).pollingInterval(pollingInterval)
                .measurements(measurements).profiles(profiles).clockCheck(clockCheck.orElse(null))
                .control(control.orElse(null));
    }

    @Override
    public String toString() {
        return "Meter[" + name + " " + host + ":" + port + " every " + pollingInterval.toMillis() + " ms, "
                + measurements.size() + " measurements" + (profiles.isEmpty() ? "" : ", " + profiles.size() + " profiles")
                + "]";
    }

    /** Builds a {@link Meter}; {@link #build()} checks it. */
    public static final class Builder {

        private final String name;
        private final String host;
        private final int port;
        private DlmsClientSettings client = DlmsClientSettings.builder().build();
        private Duration pollingInterval = DEFAULT_POLLING_INTERVAL;
        private List<Measurement> measurements = DEFAULT_MEASUREMENTS;
        private List<ProfileSchedule> profiles = List.of();
        private ClockCheck clockCheck;
        private ControlClient control;

        private Builder(String name, String host, int port) {
            this.name = name;
            this.host = host;
            this.port = port;
        }

        public Builder client(DlmsClientSettings value) {
            this.client = Objects.requireNonNull(value, "client");
            return this;
        }

        public Builder pollingInterval(Duration value) {
            this.pollingInterval = Objects.requireNonNull(value, "pollingInterval");
            return this;
        }

        /** Measurements of the standard catalogue, by name ({@code voltage_l1}, ...). */
        public Builder measurements(String... names) {
            this.measurements = Arrays.stream(names).map(MeasurementCatalog::require).toList();
            return this;
        }

        /** Any measurements, catalogue or custom. */
        public Builder measurements(List<Measurement> value) {
            this.measurements = List.copyOf(value);
            return this;
        }

        /** Profiles to read beside the poll, each on its own schedule (none unless set). */
        public Builder profiles(List<ProfileSchedule> value) {
            this.profiles = List.copyOf(value);
            return this;
        }

        /** Checks the meter's clock as {@code check} says; null for no clock check (the default). */
        public Builder clockCheck(ClockCheck check) {
            this.clockCheck = check;
            return this;
        }

        /** Writes and actions through this association; null for the poll's own (the default). */
        public Builder control(ControlClient value) {
            this.control = value;
            return this;
        }

        public Meter build() {
            return new Meter(name, host, port, client, pollingInterval, measurements, profiles,
                    Optional.ofNullable(clockCheck), Optional.ofNullable(control));
        }
    }
}
