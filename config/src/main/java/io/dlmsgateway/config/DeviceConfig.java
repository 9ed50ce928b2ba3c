package io.dlmsgateway.config;

import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.gateway.AttributeWrite;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.PushMapping;
import io.dlmsgateway.gateway.RpcMethod;
import io.dlmsgateway.gateway.ValueTemplate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One meter of a connector file's {@code devices}.
 *
 * @param name              device name in ThingsBoard, unique across the gateway
 * @param deviceType        ThingsBoard device profile ({@code default} unless given)
 * @param host              meter (or serial-to-IP converter) host; empty for a push-only device
 * @param port              meter TCP port; 0 for a push-only device
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
 * @param maxReplyBytes     most bytes one reply may take, all its HDLC segments or GET data blocks together
 *                          ({@link DlmsClientSettings#maxReplyBytes()}); a meter sending more is disconnected
 * @param profiles          Profile Generic objects to read (the connector's {@code defaults.profiles} when the
 *                          device lists none; {@code "profiles": []} reads none)
 * @param deviationSign     how the meter signs the deviation of its date-times ({@code standard} unless given)
 * @param utcOffset         the offset of the meter's local time from UTC when its date-times say "deviation not
 *                          specified", and for date-times sent to it (UTC unless given)
 * @param clock             the meter's clock check ({@code "clock"}), when given
 * @param control           the association for writes and actions ({@code "control"}), when not the poll's own
 * @param rpcMethods        RPCs by name ({@code "rpc"}, or the connector's {@code deviceTypes} list of the device's
 *                          type when the device gives none), in order
 * @param attributeWrites   shared attributes written to the meter, by key ({@code "attributeUpdates"}, or its type's)
 * @param push              how the device's pushes are recognised and mapped ({@code "push"}), when it pushes
 * @param polled            false for a push-only device ({@code push} and no {@code host}): nothing polls it
 */
public record DeviceConfig(String name, String deviceType, String host, int port, Duration pollingInterval,
                           List<Measurement> measurements, Map<String, ValueTemplate> attributesMapping,
                           Map<String, ValueTemplate> timeseriesMapping, Framing framing, int clientAddress,
                           int logicalAddress, OptionalInt physicalAddress, MeterSecurity security,
                           Duration connectTimeout, Duration requestTimeout, int maxReplyBytes,
                           List<ProfileConfig> profiles, DeviationSign deviationSign, ZoneOffset utcOffset,
                           Optional<ClockCheck> clock, Optional<ControlConfig> control,
                           Map<String, RpcMethod> rpcMethods, Map<String, AttributeWrite> attributeWrites,
                           Optional<PushMapping> push, boolean polled) {

    /** ThingsBoard's profile name when a device gives none. */
    public static final String DEFAULT_DEVICE_TYPE = GatewayDevice.DEFAULT_DEVICE_TYPE;
    /** Polling interval when a device gives none. */
    public static final Duration DEFAULT_POLLING_INTERVAL = Meter.DEFAULT_POLLING_INTERVAL;
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
    /** Reply bound when a device gives none: the DLMS client's own default (1 MiB). */
    public static final int DEFAULT_MAX_REPLY_BYTES = DlmsClientSettings.DEFAULT_MAX_REPLY_BYTES;

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
        Objects.requireNonNull(deviationSign, "deviationSign");
        Objects.requireNonNull(utcOffset, "utcOffset");
        measurements = List.copyOf(measurements);
        profiles = List.copyOf(profiles);
        // many devices have none of these: one shared empty map each rather than a copy per device of a large fleet
        attributesMapping = copy(attributesMapping);
        timeseriesMapping = copy(timeseriesMapping);
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(control, "control");
        rpcMethods = copy(rpcMethods);
        attributeWrites = copy(attributeWrites);
        Objects.requireNonNull(push, "push");
        if (!polled && push.isEmpty()) {
            throw new IllegalArgumentException("device " + name + " is neither polled nor pushing");
        }
    }

    /** An unmodifiable copy in the same order; an empty one is the shared {@code Map.of()}. */
    private static <K, V> Map<K, V> copy(Map<K, V> map) {
        return map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** A polled device without control association, RPC methods, attribute writes or push. */
    public DeviceConfig(String name, String deviceType, String host, int port, Duration pollingInterval,
            List<Measurement> measurements, Map<String, ValueTemplate> attributesMapping,
            Map<String, ValueTemplate> timeseriesMapping, Framing framing, int clientAddress, int logicalAddress,
            OptionalInt physicalAddress, MeterSecurity security, Duration connectTimeout, Duration requestTimeout,
            int maxReplyBytes, List<ProfileConfig> profiles, DeviationSign deviationSign, ZoneOffset utcOffset,
            Optional<ClockCheck> clock) {
        this(name, deviceType, host, port, pollingInterval, measurements, attributesMapping, timeseriesMapping,
                framing, clientAddress, logicalAddress, physicalAddress, security, connectTimeout, requestTimeout,
                maxReplyBytes, profiles, deviationSign, utcOffset, clock, Optional.empty(), Map.of(), Map.of(),
                Optional.empty(), true);
    }

    /** A device without profiles or a clock check, its date-times in UTC with the standard's deviation sign. */
    public DeviceConfig(String name, String deviceType, String host, int port, Duration pollingInterval,
            List<Measurement> measurements, Map<String, ValueTemplate> attributesMapping,
            Map<String, ValueTemplate> timeseriesMapping, Framing framing, int clientAddress, int logicalAddress,
            OptionalInt physicalAddress, MeterSecurity security, Duration connectTimeout, Duration requestTimeout,
            int maxReplyBytes) {
        this(name, deviceType, host, port, pollingInterval, measurements, attributesMapping, timeseriesMapping,
                framing, clientAddress, logicalAddress, physicalAddress, security, connectTimeout, requestTimeout,
                maxReplyBytes, List.of(), DeviationSign.STANDARD, ZoneOffset.UTC, Optional.empty());
    }

    /** This device with another clock check (the connector's default, for a device that has none of its own). */
    public DeviceConfig withClock(Optional<ClockCheck> value) {
        return new DeviceConfig(name, deviceType, host, port, pollingInterval, measurements, attributesMapping,
                timeseriesMapping, framing, clientAddress, logicalAddress, physicalAddress, security, connectTimeout,
                requestTimeout, maxReplyBytes, profiles, deviationSign, utcOffset, value, control, rpcMethods,
                attributeWrites, push, polled);
    }

    /** This device with other profiles (the connector's defaults, for a device that lists none). */
    public DeviceConfig withProfiles(List<ProfileConfig> value) {
        return new DeviceConfig(name, deviceType, host, port, pollingInterval, measurements, attributesMapping,
                timeseriesMapping, framing, clientAddress, logicalAddress, physicalAddress, security, connectTimeout,
                requestTimeout, maxReplyBytes, value, deviationSign, utcOffset, clock, control, rpcMethods,
                attributeWrites, push, polled);
    }

    /** This device with other RPC methods (its type's, for a device that gives none). */
    public DeviceConfig withRpcMethods(Map<String, RpcMethod> value) {
        return new DeviceConfig(name, deviceType, host, port, pollingInterval, measurements, attributesMapping,
                timeseriesMapping, framing, clientAddress, logicalAddress, physicalAddress, security, connectTimeout,
                requestTimeout, maxReplyBytes, profiles, deviationSign, utcOffset, clock, control, value,
                attributeWrites, push, polled);
    }

    /** This device with other attribute writes (its type's, for a device that gives none). */
    public DeviceConfig withAttributeWrites(Map<String, AttributeWrite> value) {
        return new DeviceConfig(name, deviceType, host, port, pollingInterval, measurements, attributesMapping,
                timeseriesMapping, framing, clientAddress, logicalAddress, physicalAddress, security, connectTimeout,
                requestTimeout, maxReplyBytes, profiles, deviationSign, utcOffset, clock, control, rpcMethods, value,
                push, polled);
    }
}
