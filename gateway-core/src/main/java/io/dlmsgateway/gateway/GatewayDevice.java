package io.dlmsgateway.gateway;

import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.fleet.Meter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A meter as ThingsBoard sees it: the meter the fleet polls, the child device's profile, and how its readings become
 * attributes and telemetry.
 *
 * @param meter             the meter; its name is the child device's name in ThingsBoard
 * @param deviceType        ThingsBoard device profile, sent with {@code v1/gateway/connect}
 * @param attributesMapping attribute key to template ({@code "${host}"}, {@code "${voltage_l1}"}), in order
 * @param timeseriesMapping telemetry key to template, in order; empty sends every measurement under its own name
 * @param profileMappings   per profile of the meter ({@link Meter#profiles()}), telemetry key to template over the
 *                          profile's column keys (a captured register's catalogue name, e.g. {@code active_energy},
 *                          else its OBIS code); a profile without an entry, or with an empty one, sends every column
 *                          but the clock under its own key
 * @param rpcMethods        RPCs by the names this device's configuration gives them ({@link RpcMethod}), in order
 * @param attributeWrites   shared attributes written to the meter, by key ({@link AttributeWrite})
 * @param push              how the device's pushed notifications are recognised and mapped, when it pushes
 * @param polled            false for a push-only device: the fleet does not poll it (its {@link Meter} then only
 *                          carries its name, keys and clock settings)
 */
public record GatewayDevice(Meter meter, String deviceType, Map<String, ValueTemplate> attributesMapping,
                            Map<String, ValueTemplate> timeseriesMapping,
                            Map<ObisCode, Map<String, ValueTemplate>> profileMappings,
                            Map<String, RpcMethod> rpcMethods, Map<String, AttributeWrite> attributeWrites,
                            Optional<PushMapping> push, boolean polled) {

    /** ThingsBoard's profile name when none is given. */
    public static final String DEFAULT_DEVICE_TYPE = "default";

    public GatewayDevice {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(deviceType, "deviceType");
        attributesMapping = copy(attributesMapping);
        timeseriesMapping = copy(timeseriesMapping);
        Map<ObisCode, Map<String, ValueTemplate>> profiles = new LinkedHashMap<>();
        profileMappings.forEach((obis, mapping) -> profiles.put(obis, copy(mapping)));
        profileMappings = copy(profiles);
        rpcMethods = copy(rpcMethods);
        attributeWrites = copy(attributeWrites);
        Objects.requireNonNull(push, "push");
        if (!polled && push.isEmpty()) {
            throw new IllegalArgumentException("device " + meter.name() + " is neither polled nor pushing");
        }
    }

    /** A polled device without RPC methods, attribute writes or push of its own. */
    public GatewayDevice(Meter meter, String deviceType, Map<String, ValueTemplate> attributesMapping,
            Map<String, ValueTemplate> timeseriesMapping, Map<ObisCode, Map<String, ValueTemplate>> profileMappings) {
        this(meter, deviceType, attributesMapping, timeseriesMapping, profileMappings, Map.of(), Map.of(),
                Optional.empty(), true);
    }

    /** A device whose profiles, if any, send every column under its own key. */
    public GatewayDevice(Meter meter, String deviceType, Map<String, ValueTemplate> attributesMapping,
            Map<String, ValueTemplate> timeseriesMapping) {
        this(meter, deviceType, attributesMapping, timeseriesMapping, Map.of());
    }

    /** A device of the default profile whose measurements go to ThingsBoard under their own names. */
    public static GatewayDevice of(Meter meter) {
        return new GatewayDevice(meter, DEFAULT_DEVICE_TYPE, Map.of(), Map.of());
    }

    /**
     * An unmodifiable copy in the same order. Most devices have no mappings, RPCs or writes of their own: an empty
     * one is the shared {@code Map.of()} instead of a wrapper and a {@code LinkedHashMap} per device (about 100 bytes
     * each, five of them per device of a large fleet).
     */
    private static <K, V> Map<K, V> copy(Map<K, V> map) {
        return map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The child device's name in ThingsBoard. */
    public String name() {
        return meter.name();
    }
}
