package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.fleet.PushListenerOptions;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.gateway.AttributeWrite;
import io.dlmsgateway.gateway.DlmsJson;
import io.dlmsgateway.gateway.PushMapping;
import io.dlmsgateway.gateway.PushMapping.PushValue;
import io.dlmsgateway.gateway.RpcMethod;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The fields of issue 12 that act on meters and hear from them: a device's {@code rpc} and {@code attributeUpdates}
 * (also per device type, {@code deviceTypes}), its {@code push}, and a connector file's {@code pushListener}. Like
 * {@link GatewayConfigParser}, whose helpers it uses, it reports every problem with file, path and reason and reads
 * the fields of each object in their documented order.
 */
final class WritesAndPushReader {

    /**
     * RPC names the gateway answers itself; a configured RPC by one of them would never be called (or would change
     * what a built-in means), so it is refused.
     */
    static final List<String> BUILT_IN_RPCS = List.of("read", "reconnect", "getStatistics", "getClock", "syncClock",
            "get", "set", "execute", "remoteDisconnect", "remoteReconnect", "getRelayState");
    /** Most named RPCs of one device: more than a widget offers, and a bound on what each device costs. */
    static final int MAX_RPC_METHODS = 100;
    /** The shared attribute the gateway applies itself (the device's polling interval); no write may take it. */
    static final String POLLING_INTERVAL_KEY = "pollingInterval";
    /** How the sender of a push is known, in documented order; a device's {@code push} gives exactly one. */
    static final List<String> PUSH_IDENTITIES = List.of("systemTitle", "logicalDeviceName", "wPort", "hdlcAddress",
            "sourceAddress");
    // A push value's position: element indexes within the body's structures; a notification body of registers has a
    // few dozen elements, a buffer of profile rows a few thousand, and nesting beyond 8 is no meter's
    private static final int MAX_PUSH_INDEX = 0xFFFF;
    private static final int MAX_PUSH_DEPTH = 8;
    // the scalers a register's scaler_unit may carry sensibly (the gateway refuses beyond +-20 when reading too)
    private static final int MAX_PUSH_SCALER = 20;
    private static final Pattern DOTTED_PATH = Pattern.compile("\\d{1,5}(\\.\\d{1,5})*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    // the listener's bounds: a frame below 64 bytes cannot hold a notification's header; 16 MiB is far beyond any
    // meter's push; a connection idle for less than a second would be closed between two frames of one push
    private static final long MAX_PUSH_FRAME_BYTES = 16L << 20;
    private static final Duration MIN_PUSH_IDLE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_PUSH_IDLE_TIMEOUT = Duration.ofDays(7);
    private static final long MAX_PUSH_CONNECTIONS = 1_000_000;
    private static final long MAX_PUSH_BUFFER = 1_000_000;

    private WritesAndPushReader() {
    }

    // ---- rpc ---------------------------------------------------------------------------------------------------

    /** A {@code rpc} list (a device's or a device type's): names unique, none built in, at most 100. */
    static Map<String, RpcMethod> rpcMethods(ConfigNode node) {
        Map<String, RpcMethod> methods = new LinkedHashMap<>();
        Optional<List<JsonNode>> entries = node.array("rpc");
        if (entries.isEmpty()) {
            return methods;
        }
        if (entries.get().size() > MAX_RPC_METHODS) {
            node.problem("rpc", entries.get().size() + " RPC methods; at most " + MAX_RPC_METHODS + " per device");
            return methods;
        }
        for (int i = 0; i < entries.get().size(); i++) {
            node.element("rpc", i, entries.get().get(i)).ifPresent(entry -> rpcMethod(entry).ifPresent(m -> {
                if (methods.putIfAbsent(m.name(), m) != null) {
                    entry.problem("method", "RPC method '" + m.name() + "' is listed twice");
                }
            }));
        }
        return Collections.unmodifiableMap(methods);
    }

    private static Optional<RpcMethod> rpcMethod(ConfigNode node) {
        Optional<String> name = GatewayConfigParser.printable(node, "method", node.requiredString("method"));
        if (name.isPresent() && BUILT_IN_RPCS.contains(name.get())) {
            node.problem("method", "'" + name.get() + "' is a built-in RPC (" + String.join(", ", BUILT_IN_RPCS)
                    + "); choose another name");
            name = Optional.empty();
        }
        Optional<RpcMethod.Kind> kind = node.requiredString("type").flatMap(text -> switch (text) {
            case "get" -> Optional.of(RpcMethod.Kind.GET);
            case "set" -> Optional.of(RpcMethod.Kind.SET);
            case "execute" -> Optional.of(RpcMethod.Kind.EXECUTE);
            default -> {
                node.problem("type", "unknown type '" + text + "'; expected get, set or execute");
                yield Optional.empty();
            }
        });
        Optional<ObisCode> obis = GatewayConfigParser.obis(node, "obis", node.requiredString("obis"));
        OptionalLong classId = node.requiredInteger("classId", 0, 0xFFFF);
        boolean execute = kind.orElse(null) == RpcMethod.Kind.EXECUTE;
        OptionalLong index = OptionalLong.empty();
        if (kind.isEmpty()) {
            // the type is wrong or missing: check the numbers' form, not which one belongs
            node.integer("attribute", 1, 127);
            node.integer("methodIndex", 1, 127);
        } else if (execute) {
            if (node.has("attribute")) {
                node.problem("attribute", "only used with type get or set; an execute names its methodIndex");
            }
            index = node.requiredInteger("methodIndex", 1, 127);
        } else {
            index = node.requiredInteger("attribute", 1, 127);
            if (node.has("methodIndex")) {
                node.problem("methodIndex", "only used with type execute");
            }
        }
        Optional<DlmsType> valueType = dlmsType(node, "valueType");
        boolean valueTypeOk = valueType.isPresent() || !node.has("valueType");
        Optional<JsonNode> value = node.json("value");
        boolean valueOk = true;
        if (kind.orElse(null) == RpcMethod.Kind.GET) {
            for (String field : List.of("valueType", "value")) {
                if (node.has(field)) {
                    node.problem(field, "only used with type set or execute");
                    valueOk = false;
                }
            }
        } else if (value.isPresent() && valueTypeOk && kind.isPresent()) {
            valueOk = valueFits(node, value.get(), valueType, execute);
        }
        node.reportUnknownFields();
        if (name.isEmpty() || kind.isEmpty() || obis.isEmpty() || classId.isEmpty() || index.isEmpty()
                || !valueTypeOk || !valueOk) {
            return Optional.empty();
        }
        return Optional.of(new RpcMethod(name.get(), kind.get(), (int) classId.getAsLong(), obis.get(),
                (int) index.getAsLong(), valueType, value));
    }

    /**
     * Whether a fixed {@code value} can be sent as the gateway will send it, checked by the code that sends it
     * ({@link DlmsJson}): as its {@code valueType} when given; an execute's parameter without one by its JSON type.
     * A set's value without a type is typed by the attribute's current value at run time, which only the meter knows.
     */
    private static boolean valueFits(ConfigNode node, JsonNode value, Optional<DlmsType> valueType, boolean execute) {
        try {
            if (valueType.isPresent()) {
                DlmsJson.value(value, valueType.get());
            } else if (execute) {
                DlmsJson.typed(value, null);
            }
            return true;
        } catch (IllegalArgumentException e) {
            node.problem("value", "cannot be sent as " + valueType.map(DlmsType::text).orElse("its JSON type")
                    + ": " + e.getMessage());
            return false;
        }
    }

    /** A DLMS type field by its Blue Book name ({@code long-unsigned}); empty when absent or unknown (reported). */
    private static Optional<DlmsType> dlmsType(ConfigNode node, String field) {
        Optional<String> text = node.string(field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<DlmsType> type = DlmsType.of(text.get());
        if (type.isEmpty()) {
            node.problem(field, "unknown DLMS type '" + text.get() + "'; expected one of: " + DlmsType.names());
        }
        return type;
    }

    // ---- attributeUpdates -------------------------------------------------------------------------------------

    /** An {@code attributeUpdates} list (a device's or a device type's): keys unique, none {@code pollingInterval}. */
    static Map<String, AttributeWrite> attributeWrites(ConfigNode node) {
        Map<String, AttributeWrite> writes = new LinkedHashMap<>();
        Optional<List<JsonNode>> entries = node.array("attributeUpdates");
        for (int i = 0; entries.isPresent() && i < entries.get().size(); i++) {
            node.element("attributeUpdates", i, entries.get().get(i)).ifPresent(entry -> attributeWrite(entry)
                    .ifPresent(w -> {
                        if (writes.putIfAbsent(w.key(), w) != null) {
                            entry.problem("key", "shared attribute '" + w.key() + "' is listed twice");
                        }
                    }));
        }
        return Collections.unmodifiableMap(writes);
    }

    private static Optional<AttributeWrite> attributeWrite(ConfigNode node) {
        Optional<String> key = GatewayConfigParser.printable(node, "key", node.requiredString("key"));
        if (key.isPresent() && key.get().equals(POLLING_INTERVAL_KEY)) {
            node.problem("key", "pollingInterval is the shared attribute that sets the device's polling interval;"
                    + " choose another key");
            key = Optional.empty();
        }
        Optional<ObisCode> obis = GatewayConfigParser.obis(node, "obis", node.requiredString("obis"));
        OptionalLong classId = node.requiredInteger("classId", 0, 0xFFFF);
        OptionalLong attribute = node.requiredInteger("attribute", 1, 127);
        Optional<DlmsType> valueType = dlmsType(node, "valueType");
        Optional<Boolean> retry = node.has("retry") ? node.bool("retry") : Optional.of(false);
        node.reportUnknownFields();
        if (key.isEmpty() || obis.isEmpty() || classId.isEmpty() || attribute.isEmpty()
                || (valueType.isEmpty() && node.has("valueType")) || retry.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new AttributeWrite(key.get(), new CosemAttribute((int) classId.getAsLong(), obis.get(),
                (int) attribute.getAsLong()), valueType, retry.get()));
    }

    // ---- push --------------------------------------------------------------------------------------------------

    /**
     * A device's {@code push}: exactly one identity, and optionally which body elements go to which keys. A valid
     * identity goes to {@code identity} even when a value is wrong, so that a second device with it is still told.
     */
    static Optional<PushMapping> push(ConfigNode node, Consumer<PushMatch> identity) {
        List<String> given = PUSH_IDENTITIES.stream().filter(node::has).toList();
        Optional<PushMatch> match = Optional.empty();
        if (given.isEmpty()) {
            node.problem("needs one of " + String.join(", ", PUSH_IDENTITIES) + " to know the device's pushes by");
        } else if (given.size() > 1) {
            node.problem(given.get(1), "a device is known by one of " + String.join(", ", PUSH_IDENTITIES)
                    + "; this one gives " + String.join(" and ", given));
        } else {
            match = pushMatch(node, given.get(0));
            match.ifPresent(identity);
        }
        List<PushValue> values = new ArrayList<>();
        boolean valuesOk = true;
        Optional<List<JsonNode>> entries = node.array("values");
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; entries.isPresent() && i < entries.get().size(); i++) {
            Optional<ConfigNode> entry = node.element("values", i, entries.get().get(i));
            Optional<PushValue> value = entry.flatMap(WritesAndPushReader::pushValue);
            if (value.isPresent() && keys.putIfAbsent(value.get().key(), "") != null) {
                entry.get().problem("key", "key '" + value.get().key() + "' is listed twice");
                value = Optional.empty();
            }
            value.ifPresent(values::add);
            valuesOk &= value.isPresent();
        }
        node.reportUnknownFields();
        if (match.isEmpty() || !valuesOk || (node.has("values") && entries.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new PushMapping(match.get(), values));
    }

    private static Optional<PushMatch> pushMatch(ConfigNode node, String field) {
        switch (field) {
            case "systemTitle" -> {
                // a meter's system title is public (it travels in clear in every ciphered APDU), so it is shown
                Optional<String> text = node.requiredString(field);
                if (text.isEmpty()) {
                    return Optional.empty();
                }
                String hex = text.get().replaceAll("[\\s:]", "");
                if (hex.length() != 16 || !hex.matches("[0-9a-fA-F]*")) {
                    node.problem(field, "expected 16 hex digits (8 bytes), got '" + text.get() + "'");
                    return Optional.empty();
                }
                return Optional.of(PushMatch.systemTitle(hex.toLowerCase(Locale.ROOT)));
            }
            case "logicalDeviceName" -> {
                return GatewayConfigParser.printable(node, field, node.requiredString(field))
                        .map(PushMatch::logicalDeviceName);
            }
            case "wPort" -> {
                OptionalLong port = node.integer(field, 1, 0xFFFF);
                return port.isPresent() ? Optional.of(PushMatch.wPort((int) port.getAsLong())) : Optional.empty();
            }
            case "hdlcAddress" -> {
                OptionalLong address = node.integer(field, 1, 0x3FFF_FFFF);
                return address.isPresent() ? Optional.of(PushMatch.hdlcAddress((int) address.getAsLong()))
                        : Optional.empty();
            }
            default -> {
                return node.requiredString(field).flatMap(text -> ipLiteral(node, field, text.trim()))
                        .map(PushMatch::sourceAddress);
            }
        }
    }

    /**
     * An IP address written as one ({@code 10.0.0.7}, {@code fd00::7}), in the form the listener compares with a
     * peer's address ({@link InetAddress#getHostAddress()}); a host name is refused, since it would need a lookup
     * and can stand for several addresses.
     */
    private static Optional<String> ipLiteral(ConfigNode node, String field, String text) {
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = text.indexOf(':') >= 0 && text.matches("[0-9a-fA-F:.]+");
        if (v4 || v6) {
            try {
                // a literal: no lookup is made
                return Optional.of(InetAddress.getByName(text).getHostAddress());
            } catch (UnknownHostException e) {
                // 300.1.1.1 and the like: reported below
            }
        }
        node.problem(field, "expected an IP address such as 10.0.0.7 or fd00::7, got '" + text + "'");
        return Optional.empty();
    }

    private static Optional<PushValue> pushValue(ConfigNode node) {
        Optional<List<Integer>> path = pushPath(node);
        Optional<String> key = GatewayConfigParser.printable(node, "key", node.requiredString("key"));
        Optional<Boolean> attribute = node.has("attribute") ? node.bool("attribute") : Optional.of(false);
        OptionalLong scaler = node.has("scaler") ? node.integer("scaler", -MAX_PUSH_SCALER, MAX_PUSH_SCALER)
                : OptionalLong.of(0);
        node.reportUnknownFields();
        if (path.isEmpty() || key.isEmpty() || attribute.isEmpty() || scaler.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PushValue(path.get(), key.get(), attribute.get(), (int) scaler.getAsLong()));
    }

    /**
     * A push value's position: {@code index}, an element number ({@code 2}) or a dotted path into nested ones
     * ({@code "2.1"}), or {@code path}, the same as a list ({@code [2, 1]}); one of the two.
     */
    private static Optional<List<Integer>> pushPath(ConfigNode node) {
        boolean index = node.has("index");
        boolean list = node.has("path");
        if (index && list) {
            node.problem("path", "give index or path, not both");
            return Optional.empty();
        }
        if (!index && !list) {
            node.problem("index", "required field is missing (or give path, a list of element indexes)");
            return Optional.empty();
        }
        List<Integer> path = new ArrayList<>();
        String field = index ? "index" : "path";
        if (list) {
            Optional<List<JsonNode>> elements = node.array("path");
            if (elements.isEmpty()) {
                return Optional.empty();
            }
            for (JsonNode element : elements.get()) {
                if (!element.isIntegralNumber() || !element.canConvertToInt() || element.intValue() < 0
                        || element.intValue() > MAX_PUSH_INDEX) {
                    node.problem(field, "expected element indexes in 0.." + MAX_PUSH_INDEX + ", got "
                            + ConfigNode.describe(element));
                    return Optional.empty();
                }
                path.add(element.intValue());
            }
            if (path.isEmpty()) {
                node.problem(field, "needs at least one element index");
                return Optional.empty();
            }
        } else if (node.isNumber("index")) {
            OptionalLong n = node.integer("index", 0, MAX_PUSH_INDEX);
            if (n.isEmpty()) {
                return Optional.empty();
            }
            path.add((int) n.getAsLong());
        } else {
            JsonNode value = node.json("index").orElseThrow();
            String text = value.isTextual() ? value.textValue().trim() : null;
            if (text == null || !DOTTED_PATH.matcher(text).matches()) {
                node.problem("index", "expected an element index (2) or a dotted path into nested elements"
                        + " (\"2.1\"), got " + ConfigNode.describe(value));
                return Optional.empty();
            }
            for (String part : text.split("\\.")) {
                int n = Integer.parseInt(part);
                if (n > MAX_PUSH_INDEX) {
                    node.problem("index", "element " + n + " in \"" + text + "\" is out of range 0.."
                            + MAX_PUSH_INDEX);
                    return Optional.empty();
                }
                path.add(n);
            }
        }
        if (path.size() > MAX_PUSH_DEPTH) {
            node.problem(field, path.size() + " levels deep; at most " + MAX_PUSH_DEPTH);
            return Optional.empty();
        }
        return Optional.of(List.copyOf(path));
    }

    // ---- pushListener ------------------------------------------------------------------------------------------

    /** A connector file's {@code pushListener}; each field defaults as {@link PushListenerOptions#of}. */
    static Optional<PushListenerOptions> pushListener(ConfigNode node) {
        Optional<String> host = node.has("host")
                ? GatewayConfigParser.printable(node, "host", node.requiredString("host")) : Optional.of("0.0.0.0");
        // 0 takes any free port (tests; the log says which)
        OptionalLong port = node.has("port") ? node.integer("port", 0, 65535)
                : OptionalLong.of(PushListenerOptions.DEFAULT_PORT);
        Optional<Framing> framing = GatewayConfigParser.enumField(node, "framing", Framing.class, Framing.WRAPPER);
        OptionalLong maxFrameBytes = node.has("maxFrameBytes") ? node.integer("maxFrameBytes", 64,
                MAX_PUSH_FRAME_BYTES) : OptionalLong.of(PushListenerOptions.DEFAULT_MAX_FRAME_BYTES);
        Optional<Duration> idleTimeout = node.has("idleTimeout")
                ? node.duration("idleTimeout", MIN_PUSH_IDLE_TIMEOUT, MAX_PUSH_IDLE_TIMEOUT)
                : Optional.of(PushListenerOptions.DEFAULT_IDLE_TIMEOUT);
        OptionalLong maxConnections = node.has("maxConnections") ? node.integer("maxConnections", 1,
                MAX_PUSH_CONNECTIONS) : OptionalLong.of(PushListenerOptions.DEFAULT_MAX_CONNECTIONS);
        OptionalLong bufferSize = node.has("bufferSize") ? node.integer("bufferSize", 1, MAX_PUSH_BUFFER)
                : OptionalLong.of(PushListenerOptions.DEFAULT_BUFFER_SIZE);
        node.reportUnknownFields();
        if (host.isEmpty() || port.isEmpty() || framing.isEmpty() || maxFrameBytes.isEmpty() || idleTimeout.isEmpty()
                || maxConnections.isEmpty() || bufferSize.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PushListenerOptions(host.get(), (int) port.getAsLong(), framing.get(),
                (int) maxFrameBytes.getAsLong(), idleTimeout.get(), (int) maxConnections.getAsLong(),
                (int) bufferSize.getAsLong()));
    }

    /** How a push identity is shown in messages: {@code systemTitle 4752585349000001}. */
    static String describe(PushMatch match) {
        return identityField(match.kind()) + " " + match.value();
    }

    /** The {@code push} field an identity of this kind is written in. */
    static String identityField(PushMatch.Kind kind) {
        return switch (kind) {
            case SYSTEM_TITLE -> "systemTitle";
            case LOGICAL_DEVICE_NAME -> "logicalDeviceName";
            case WPORT -> "wPort";
            case HDLC_ADDRESS -> "hdlcAddress";
            case SOURCE_ADDRESS -> "sourceAddress";
        };
    }
}
