package io.dlmsgateway.config;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One meter of a connector file's {@code devices}.
 *
 * @param name              device name in ThingsBoard, unique across the gateway
 * @param deviceType        ThingsBoard device profile ({@code default} unless given)
 * @param host              meter (or serial-to-IP converter) host
 * @param port              meter TCP port
 * @param pollingInterval   time between polls (the file gives milliseconds)
 * @param measurements      what to read: catalogue names first, then custom OBIS measurements, in file order
 * @param attributesMapping ThingsBoard attribute key to template, in file order
 * @param timeseriesMapping ThingsBoard telemetry key to template, in file order
 * @param framing           WRAPPER unless given
 * @param clientAddress     client SAP / source wPort; 16 (public client) unless given, or 1 (management client)
 *                          when the meter needs authentication, as the Gurux examples and most meters expect
 * @param logicalAddress    server logical address / destination wPort, 1 unless given
 * @param physicalAddress   HDLC physical address, when given (only meaningful with HDLC framing)
 * @param security          authentication and keys
 * @param connectTimeout    TCP connect timeout
 * @param requestTimeout    time to wait for each reply
 */
public record DeviceConfig(String name, String deviceType, String host, int port, Duration pollingInterval,
                           List<Measurement> measurements, Map<String, ValueTemplate> attributesMapping,
                           Map<String, ValueTemplate> timeseriesMapping, Framing framing, int clientAddress,
                           int logicalAddress, OptionalInt physicalAddress, MeterSecurity security,
                           Duration connectTimeout, Duration requestTimeout) {

    /** ThingsBoard's profile name when a device gives none. */
    public static final String DEFAULT_DEVICE_TYPE = "default";
    /** Polling interval when a device gives none. */
    public static final Duration DEFAULT_POLLING_INTERVAL = Duration.ofSeconds(60);
    /** Client address of the public client, which needs no authentication. */
    public static final int PUBLIC_CLIENT_ADDRESS = DlmsClientSettings.PUBLIC_CLIENT_ADDRESS;
    /** Client address of the management client, which meters usually require for LOW and HLS. */
    public static final int MANAGEMENT_CLIENT_ADDRESS = DlmsClientSettings.MANAGEMENT_CLIENT_ADDRESS;
    /** Server logical address of the management logical device. */
    public static final int DEFAULT_LOGICAL_ADDRESS = 1;
    /** TCP connect timeout when a device gives none. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Reply timeout when a device gives none. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    public DeviceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(deviceType, "deviceType");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(pollingInterval, "pollingInterval");
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(physicalAddress, "physicalAddress");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        measurements = List.copyOf(measurements);
        attributesMapping = Collections.unmodifiableMap(new LinkedHashMap<>(attributesMapping));
        timeseriesMapping = Collections.unmodifiableMap(new LinkedHashMap<>(timeseriesMapping));
    }

    /**
     * A device built in code, for applications that embed the meter fleet without configuration files. Defaults are
     * the configuration file's: WRAPPER, client 16 (1 once authentication is set), logical address 1, polling every
     * {@link #DEFAULT_POLLING_INTERVAL}, the seed's four measurements.
     */
    public static Builder builder(String name, String host, int port) {
        return new Builder(name, host, port);
    }

    /** Builds a {@link DeviceConfig} in code; {@link #build()} checks what the configuration loader checks. */
    public static final class Builder {

        private final String name;
        private final String host;
        private final int port;
        private String deviceType = DEFAULT_DEVICE_TYPE;
        private Duration pollingInterval = DEFAULT_POLLING_INTERVAL;
        private List<Measurement> measurements = List.of(MeasurementCatalog.require("voltage_l1"),
                MeasurementCatalog.require("current_l1"), MeasurementCatalog.require("active_power"),
                MeasurementCatalog.require("frequency"));
        private Map<String, ValueTemplate> attributesMapping = Map.of();
        private Map<String, ValueTemplate> timeseriesMapping = Map.of();
        private Framing framing = Framing.WRAPPER;
        private Integer clientAddress;
        private int logicalAddress = DEFAULT_LOGICAL_ADDRESS;
        private OptionalInt physicalAddress = OptionalInt.empty();
        private MeterSecurity security = MeterSecurity.NONE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

        private Builder(String name, String host, int port) {
            this.name = Objects.requireNonNull(name, "name");
            this.host = Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is out of range 1..65535");
            }
            this.port = port;
        }

        public Builder deviceType(String value) {
            this.deviceType = Objects.requireNonNull(value);
            return this;
        }

        public Builder pollingInterval(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("pollingInterval must be positive, got " + value);
            }
            this.pollingInterval = value;
            return this;
        }

        /** Measurements by catalogue name ({@code voltage_l1}, ...). */
        public Builder measurements(String... names) {
            this.measurements = Arrays.stream(names).map(MeasurementCatalog::require).toList();
            return this;
        }

        /** Any measurements, catalogue or custom. */
        public Builder measurements(List<Measurement> value) {
            this.measurements = List.copyOf(value);
            return this;
        }

        public Builder attributesMapping(Map<String, ValueTemplate> value) {
            this.attributesMapping = value;
            return this;
        }

        public Builder timeseriesMapping(Map<String, ValueTemplate> value) {
            this.timeseriesMapping = value;
            return this;
        }

        public Builder framing(Framing value) {
            this.framing = Objects.requireNonNull(value);
            return this;
        }

        public Builder clientAddress(int value) {
            this.clientAddress = value;
            return this;
        }

        public Builder logicalAddress(int value) {
            this.logicalAddress = value;
            return this;
        }

        public Builder physicalAddress(int value) {
            this.physicalAddress = OptionalInt.of(value);
            return this;
        }

        public Builder security(MeterSecurity value) {
            this.security = Objects.requireNonNull(value);
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Objects.requireNonNull(value);
            return this;
        }

        public Builder requestTimeout(Duration value) {
            this.requestTimeout = Objects.requireNonNull(value);
            return this;
        }

        public DeviceConfig build() {
            int client = clientAddress != null ? clientAddress
                    : DlmsClientSettings.defaultClientAddress(security.authentication());
            return new DeviceConfig(name, deviceType, host, port, pollingInterval, measurements, attributesMapping,
                    timeseriesMapping, framing, client, logicalAddress, physicalAddress, security, connectTimeout,
                    requestTimeout);
        }
    }
}
