package io.dlmsgateway.bench.harness;

import io.dlmsgateway.bench.baseline.BlockingBaselineTarget;
import io.dlmsgateway.bench.target.FleetTarget;
import io.dlmsgateway.bench.target.FloorTarget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The targets the harness knows, by name. */
public final class Targets {

    /** The gateway's meter side: {@code MeterFleet} without MQTT. */
    public static final String FLEET = "fleet";
    /** The whole gateway: {@code dlms-gateway.jar run}, mosquitto and a subscriber counting what arrives. */
    public static final String GATEWAY = GatewayTarget.NAME;
    /** One platform thread per meter, blocking sockets, Gurux as in its example reader. */
    public static final String BASELINE_THREADS = "baseline-threads";
    /** The same blocking code on one virtual thread per meter (Java 21+). */
    public static final String BASELINE_VIRTUAL = "baseline-virtual";

    /**
     * The sockets alone: the fleet's request and reply bytes over as many connections on the same event loops, no
     * DLMS client. What every other target's CPU per poll is stated as a multiple of.
     */
    public static final String FLOOR = "floor";

    private static final Map<String, Target> ALL = new LinkedHashMap<>();

    static {
        add(new JvmTarget(FLEET, FleetTarget.class.getName(), List.of(), 17));
        add(new GatewayTarget());
        add(new JvmTarget(BASELINE_THREADS, BlockingBaselineTarget.class.getName(),
                List.of("--threads", "platform"), 17));
        add(new JvmTarget(BASELINE_VIRTUAL, BlockingBaselineTarget.class.getName(),
                List.of("--threads", "virtual"), 21));
        add(new JvmTarget(FLOOR, FloorTarget.class.getName(), List.of(), 17));
    }

    private Targets() {
    }

    private static void add(Target target) {
        ALL.put(target.name(), target);
    }

    public static Optional<Target> byName(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }
}
