package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.config.ConfigException;
import io.dlmsgateway.config.ConnectorConfig;
import io.dlmsgateway.config.ControlConfig;
import io.dlmsgateway.config.DeviceConfig;
import io.dlmsgateway.config.GatewayConfig;
import io.dlmsgateway.config.MetricsConfig;
import io.dlmsgateway.config.MeterSecurity;
import io.dlmsgateway.config.ProfileConfig;
import io.dlmsgateway.config.StorageConfig;
import io.dlmsgateway.config.ThingsBoardConfig;
import io.dlmsgateway.config.ThingsBoardSecurity;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.PushListenerOptions;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.fleet.ProfileSchedule;
import io.dlmsgateway.gateway.AttributeWrite;
import io.dlmsgateway.gateway.DeviceInputRules;
import io.dlmsgateway.gateway.PushMapping;
import io.dlmsgateway.gateway.RpcMethod;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.CorruptSpoolAction;
import io.dlmsgateway.spool.SpoolDurability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Walks the main file and the connector files into a {@link GatewayConfig}, collecting every problem on the way.
 * One instance per load: it holds the problems and the device names seen so far.
 */
public final class GatewayConfigParser {

    /** Placeholders every device offers besides its measurements. */
    private static final List<String> DEVICE_PLACEHOLDERS = List.of("host", "port", "name", "deviceType");
    private static final long MAX_DURATION_MS = Duration.ofDays(1).toMillis();
    private static final long MAX_STORAGE_SIZE_MB = 1L << 20; // 1 TiB
    // Profiles: a read at least every second (simulated meters capture that fast; a real meter's period is minutes,
    // and a read that finds nothing new costs two short exchanges), at most once a day (daily and monthly profiles);
    // no meter keeps more than about a year of rows, so a backfill or span beyond 400 days is a typo
    private static final Duration MIN_PROFILE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_PROFILE_INTERVAL = Duration.ofDays(1);
    private static final Duration MAX_PROFILE_BACKFILL = Duration.ofDays(400);
    // 10 000 rows of a typical profile (clock and a few registers, ~30-50 bytes a row) fill about half of the
    // default maxReplyBytes (1 MiB); more would not fit one reply
    private static final int MAX_PROFILE_ROWS_PER_READ = 10_000;

    /** The Python ThingsBoard gateway's storage fields, which users bring along, and what they are called here. */
    private static final Map<String, String> THINGSBOARD_STORAGE_FIELDS = thingsBoardStorageFields();

    private final ProblemCollector problems = new ProblemCollector();
    private final SecretResolver secrets;
    // device name -> "file: path" of its first definition, since ThingsBoard names are unique per gateway
    private final Map<String, String> deviceNames = new HashMap<>();
    // Equal immutable values (a device type, a template, a list of measurements, an interval) are shared between
    // devices: a fleet of 150 000 meters repeats the same few, and one copy of each keeps check-config and run small.
    private final Map<Object, Object> shared = new HashMap<>();
    // whether the device just parsed listed its own profiles, and had its own clock check (else the connector's
    // defaults apply)
    private boolean listsProfiles;
    private boolean hasClock;
    // whether the device just parsed gave its own rpc and attributeUpdates lists (else its type's apply)
    private boolean givesRpc;
    private boolean givesWrites;
    // push identity -> "file: path" of the device it identifies: one listener serves the whole gateway, so an
    // identity must name one device
    private final Map<PushMatch, String> pushIdentities = new HashMap<>();

    public GatewayConfigParser(SecretResolver secrets) {
        this.secrets = secrets;
    }

    /** Reads and validates the main file and every connector file it names. */
    public GatewayConfig parse(Path mainFile) throws ConfigException {
        String shown = mainFile.toString();
        Optional<ConfigNode> root = ConfigTreeReader.read(mainFile, shown, problems)
                .flatMap(tree -> ConfigNode.root(problems, shown, directoryOf(mainFile), tree));
        if (root.isEmpty()) {
            problems.throwIfAny();
        }
        ConfigNode main = root.get();
        Optional<ThingsBoardConfig> thingsBoard = main.object("thingsboard").map(this::thingsBoard);
        if (!main.has("thingsboard")) {
            main.problem("thingsboard", "required field is missing");
        }
        List<ConnectorConfig> connectors = new ArrayList<>();
        Optional<List<JsonNode>> entries = main.array("connectors");
        if (entries.isEmpty() && !main.has("connectors")) {
            main.problem("connectors", "required field is missing");
        } else if (entries.isPresent() && entries.get().isEmpty()) {
            main.problem("connectors", "needs at least one connector");
        }
        for (int i = 0; entries.isPresent() && i < entries.get().size(); i++) {
            main.element("connectors", i, entries.get().get(i)).flatMap(this::connector).ifPresent(connectors::add);
        }
        onePushListener(connectors);
        Optional<StorageConfig> storage = main.has("storage") ? main.object("storage").flatMap(this::storage)
                : Optional.of(StorageConfig.defaults(main.directory()));
        Optional<MetricsConfig> metrics = main.object("metrics").flatMap(this::metrics);
        main.reportUnknownFields();
        problems.throwIfAny();
        return new GatewayConfig(mainFile, thingsBoard.orElseThrow(), connectors, storage.orElseThrow(), metrics);
    }

    /**
     * The gateway listens on one push port: of the enabled connectors, one file at most may give a pushListener
     * (a disabled connector's may, since it does not run).
     */
    private void onePushListener(List<ConnectorConfig> connectors) {
        String first = null;
        for (ConnectorConfig connector : connectors) {
            if (connector.enabled() && connector.pushListener().isPresent()) {
                String file = connector.configurationFile().normalize().toString();
                if (first == null) {
                    first = file;
                } else {
                    problems.add(file, "pushListener", "the gateway has one push listener, and " + first
                            + " gives it already; move this file's devices with push there");
                }
            }
        }
    }

    /** The {@code metrics} section; empty unless {@code enabled: true}, its fields checked either way. */
    private Optional<MetricsConfig> metrics(ConfigNode node) {
        boolean enabled = node.bool("enabled").orElse(false);
        Optional<String> host = node.has("host") ? node.requiredString("host")
                : Optional.of(MetricsConfig.DEFAULT_HOST);
        OptionalLong port = node.has("port") ? node.integer("port", 1, 65535)
                : OptionalLong.of(MetricsConfig.DEFAULT_PORT);
        boolean perDevice = node.bool("perDevice").orElse(false);
        OptionalLong maxDevices = node.has("maxDevices") ? node.integer("maxDevices", 1, 10_000)
                : OptionalLong.of(MetricsConfig.DEFAULT_MAX_DEVICES);
        if (host.isPresent() && (host.get().isBlank() || host.get().chars().anyMatch(Character::isWhitespace))) {
            node.problem("host", "expected an address to listen on, e.g. 127.0.0.1 (loopback) or 0.0.0.0 (every"
                    + " interface), got '" + host.get() + "'");
            host = Optional.empty();
        }
        node.reportUnknownFields();
        if (!enabled || host.isEmpty() || port.isEmpty() || maxDevices.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MetricsConfig(host.get(), (int) port.getAsLong(), perDevice,
                (int) maxDevices.getAsLong()));
    }

    private Optional<StorageConfig> storage(ConfigNode node) {
        Optional<StorageConfig.Type> type = Optional.of(StorageConfig.Type.FILE);
        if (node.has("type")) {
            type = node.string("type").flatMap(text -> switch (text) {
                case "file" -> Optional.of(StorageConfig.Type.FILE);
                case "memory" -> Optional.of(StorageConfig.Type.MEMORY);
                case "sqlite" -> {
                    node.problem("type", "write file: this gateway's file storage is SQLite already");
                    yield Optional.empty();
                }
                default -> {
                    node.problem("type", "unknown storage type '" + text + "'; expected file or memory");
                    yield Optional.empty();
                }
            });
        }
        boolean file = type.orElse(StorageConfig.Type.FILE) == StorageConfig.Type.FILE;
        Optional<Path> path = Optional.empty();
        if (node.has("path")) {
            Optional<String> text = node.requiredString("path");
            if (!file) {
                node.problem("path", "only used with type file");
            } else if (text.isPresent()) {
                path = node.resolve("path", text.get());
                if (path.isPresent() && Files.exists(path.get()) && !Files.isDirectory(path.get())) {
                    node.problem("path", path.get() + " is a file; the spool needs a directory");
                    path = Optional.empty();
                }
            }
        } else if (file) {
            path = Optional.of(node.directory().resolve(StorageConfig.DEFAULT_PATH));
        }
        OptionalLong maxSizeMb = node.has("maxSizeMb") ? node.integer("maxSizeMb", 1, MAX_STORAGE_SIZE_MB)
                : OptionalLong.of(StorageConfig.DEFAULT_MAX_SIZE_MB);
        OptionalLong maxRecords = node.integer("maxRecords", 1, Long.MAX_VALUE);
        Optional<SpoolDurability> durability = enumField(node, "durability", SpoolDurability.class,
                SpoolDurability.CRASH);
        if (!file && node.has("durability")) {
            node.problem("durability", "only used with type file; memory storage does not survive a restart");
        }
        OptionalLong minFreeSpaceMb = node.has("minFreeSpaceMb") ? node.integer("minFreeSpaceMb", 0,
                MAX_STORAGE_SIZE_MB) : OptionalLong.of(StorageConfig.DEFAULT_MIN_FREE_SPACE_MB);
        Optional<CorruptSpoolAction> onCorrupt = enumField(node, "onCorrupt", CorruptSpoolAction.class,
                CorruptSpoolAction.MOVE_ASIDE);
        OptionalLong commitIntervalMs = node.has("commitIntervalMs") ? node.integer("commitIntervalMs", 0,
                StorageConfig.MAX_COMMIT_INTERVAL_MS) : OptionalLong.of(StorageConfig.DEFAULT_COMMIT_INTERVAL_MS);
        for (String fileOnly : List.of("minFreeSpaceMb", "onCorrupt")) {
            if (!file && node.has(fileOnly)) {
                node.problem(fileOnly, "only used with type file; memory storage has no file");
            }
        }
        node.reportUnknownFields(THINGSBOARD_STORAGE_FIELDS);
        boolean pathOk = !file || path.isPresent();
        if (type.isEmpty() || !pathOk || maxSizeMb.isEmpty() || (node.has("maxRecords") && maxRecords.isEmpty())
                || durability.isEmpty() || minFreeSpaceMb.isEmpty() || onCorrupt.isEmpty() || commitIntervalMs.isEmpty()
                || (!file && (node.has("path") || node.has("durability") || node.has("minFreeSpaceMb")
                        || node.has("onCorrupt")))) {
            return Optional.empty();
        }
        return Optional.of(new StorageConfig(type.get(), path, maxSizeMb.getAsLong(), maxRecords,
                file ? durability.get() : SpoolDurability.CRASH, minFreeSpaceMb.getAsLong(), onCorrupt.get(),
                commitIntervalMs.getAsLong()));
    }

    private ThingsBoardConfig thingsBoard(ConfigNode node) {
        Optional<String> host = node.requiredString("host");
        OptionalLong port = node.integer("port", 1, 65535);
        OptionalLong qos = OptionalLong.of(1);
        if (node.has("qos")) {
            qos = node.integer("qos", 0, 2);
            if (qos.isPresent() && qos.getAsLong() == 2) {
                // the seed's README offers 2, but ThingsBoard grants at most 1: saying so beats a silent downgrade
                node.problem("qos", "2 is not supported: ThingsBoard accepts QoS 0 or 1 (use 1 for acknowledged delivery)");
                qos = OptionalLong.empty();
            }
        }
        Optional<ThingsBoardSecurity> security = node.object("security").flatMap(this::thingsBoardSecurity);
        if (!node.has("security")) {
            node.problem("security", "required field is missing");
        }
        // the ThingsBoard IoT gateway's names, so that its users' files carry over
        Optional<Duration> statsSendPeriod = Optional.of(ThingsBoardConfig.DEFAULT_STATS_SEND_PERIOD);
        boolean statisticsOk = true;
        if (node.has("statistics")) {
            Optional<ConfigNode> statistics = node.object("statistics");
            statisticsOk = statistics.isPresent();
            if (statistics.isPresent()) {
                ConfigNode stats = statistics.get();
                Optional<Boolean> enable = stats.has("enable") ? stats.bool("enable") : Optional.of(true);
                OptionalLong seconds = stats.has("statsSendPeriodInSeconds")
                        ? stats.integer("statsSendPeriodInSeconds", 1, 86_400)
                        : OptionalLong.of(ThingsBoardConfig.DEFAULT_STATS_SEND_PERIOD.toSeconds());
                stats.reportUnknownFields();
                statisticsOk = enable.isPresent() && seconds.isPresent();
                statsSendPeriod = enable.orElse(true) && seconds.isPresent()
                        ? Optional.of(Duration.ofSeconds(seconds.getAsLong())) : Optional.empty();
            }
        }
        // below 1 KiB a single reading of twelve values no longer fits; ThingsBoard itself allows up to 64 MiB
        OptionalLong maxPayloadSize = node.has("maxPayloadSizeBytes")
                ? node.integer("maxPayloadSizeBytes", 1_024, 64L << 20)
                : OptionalLong.of(ThingsBoardConfig.DEFAULT_MAX_PAYLOAD_SIZE);
        OptionalLong minPackSendDelayMs = node.has("minPackSendDelayMS")
                ? node.integer("minPackSendDelayMS", 0, 60_000)
                : OptionalLong.of(ThingsBoardConfig.DEFAULT_MIN_PACK_SEND_DELAY.toMillis());
        // a broker back after an outage should be reached within seconds: the cap is an hour at most, the first
        // delay at least 10 ms so that a broker refusing at once is not hammered
        OptionalLong initialReconnectMs = node.has("initialReconnectDelayMS")
                ? node.integer("initialReconnectDelayMS", 10, 60_000)
                : OptionalLong.of(ThingsBoardConfig.DEFAULT_INITIAL_RECONNECT_DELAY.toMillis());
        OptionalLong maxReconnectMs = node.has("maxReconnectDelayMS")
                ? node.integer("maxReconnectDelayMS", 100, 3_600_000)
                : OptionalLong.of(ThingsBoardConfig.DEFAULT_MAX_RECONNECT_DELAY.toMillis());
        boolean reconnectOk = initialReconnectMs.isPresent() && maxReconnectMs.isPresent();
        if (reconnectOk && maxReconnectMs.getAsLong() < initialReconnectMs.getAsLong()) {
            node.problem(node.has("maxReconnectDelayMS") ? "maxReconnectDelayMS" : "initialReconnectDelayMS",
                    "maxReconnectDelayMS (" + maxReconnectMs.getAsLong() + ") is below initialReconnectDelayMS ("
                            + initialReconnectMs.getAsLong() + ")");
            reconnectOk = false;
        }
        node.reportUnknownFields();
        if (host.isEmpty() || security.isEmpty() || qos.isEmpty() || !statisticsOk || maxPayloadSize.isEmpty()
                || minPackSendDelayMs.isEmpty() || !reconnectOk) {
            return null;
        }
        boolean tls = security.get() instanceof ThingsBoardSecurity.Tls
                || security.get() instanceof ThingsBoardSecurity.TlsAccessToken;
        int defaultPort = tls ? ThingsBoardConfig.DEFAULT_TLS_PORT : ThingsBoardConfig.DEFAULT_PORT;
        return new ThingsBoardConfig(host.get(), (int) port.orElse(defaultPort), security.get(),
                (int) qos.getAsLong(), statsSendPeriod, (int) maxPayloadSize.getAsLong(),
                Duration.ofMillis(minPackSendDelayMs.getAsLong()), Duration.ofMillis(initialReconnectMs.getAsLong()),
                Duration.ofMillis(maxReconnectMs.getAsLong()));
    }

    private Optional<ThingsBoardSecurity> thingsBoardSecurity(ConfigNode node) {
        Optional<String> type = node.requiredString("type");
        Optional<ThingsBoardSecurity> security = Optional.empty();
        if (type.isPresent()) {
            switch (type.get()) {
                case "accessToken" -> security = secretRequired(node, "accessToken")
                        .map(ThingsBoardSecurity.AccessToken::new);
                case "tlsAccessToken" -> {
                    Optional<String> token = secretRequired(node, "accessToken");
                    Optional<Path> ca = existingFile(node, "caCert");
                    if (token.isPresent() && ca.isPresent()) {
                        security = Optional.of(new ThingsBoardSecurity.TlsAccessToken(token.get(), ca.get()));
                    }
                }
                case "usernamePassword" -> {
                    Optional<String> clientId = secrets.resolve(node, "clientId");
                    Optional<String> username = secrets.resolve(node, "username");
                    Optional<String> password = secrets.resolve(node, "password");
                    if (clientId.isEmpty() && username.isEmpty()) {
                        node.problem("usernamePassword needs a clientId or a username");
                    } else {
                        security = Optional.of(new ThingsBoardSecurity.UsernamePassword(clientId, username, password));
                    }
                }
                case "tls" -> {
                    Optional<Path> ca = existingFile(node, "caCert");
                    Optional<Path> cert = existingFile(node, "cert");
                    Optional<Path> key = existingFile(node, "privateKey");
                    if (ca.isPresent() && cert.isPresent() && key.isPresent()) {
                        security = Optional.of(new ThingsBoardSecurity.Tls(ca.get(), cert.get(), key.get()));
                    }
                }
                default -> node.problem("type", "unknown security type '" + type.get()
                        + "'; expected accessToken, tlsAccessToken, usernamePassword or tls");
            }
        }
        node.reportUnknownFields();
        return security;
    }

    private Optional<String> secretRequired(ConfigNode node, String field) {
        if (!node.has(field)) {
            node.problem(field, "required field is missing");
            return Optional.empty();
        }
        return secrets.resolve(node, field);
    }

    private Optional<Path> existingFile(ConfigNode node, String field) {
        Optional<String> name = node.requiredString(field);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> path = node.resolve(field, name.get());
        if (path.isPresent() && !Files.isReadable(path.get())) {
            node.problem(field, "file " + path.get() + " does not exist or is not readable");
            return Optional.empty();
        }
        return path;
    }

    private Optional<ConnectorConfig> connector(ConfigNode node) {
        Optional<String> name = printable(node, "name", node.requiredString("name"));
        Optional<String> typeText = node.requiredString("type");
        Optional<String> className = node.string("class");
        Optional<String> module = node.string("module");
        boolean enabled = node.bool("enabled").orElse(true);
        Optional<ConnectorConfig.Type> type = Optional.empty();
        if (typeText.isPresent()) {
            switch (typeText.get()) {
                case "custom" -> {
                    type = Optional.of(ConnectorConfig.Type.CUSTOM);
                    if (className.isEmpty() && !node.has("class")) {
                        node.problem("class", "required for type custom; the DLMS connector is class "
                                + ConnectorConfig.DLMS_CONNECTOR_CLASS);
                    } else if (className.isPresent() && !className.get().equals(ConnectorConfig.DLMS_CONNECTOR_CLASS)) {
                        node.problem("class", "unknown connector class '" + className.get() + "'; this gateway runs "
                                + ConnectorConfig.DLMS_CONNECTOR_CLASS);
                    }
                }
                case "dlms" -> type = Optional.of(ConnectorConfig.Type.DLMS);
                default -> node.problem("type", "unknown connector type '" + typeText.get()
                        + "'; expected custom (class " + ConnectorConfig.DLMS_CONNECTOR_CLASS + ") or dlms");
            }
        }
        Optional<String> configuration = node.requiredString("configuration");
        node.reportUnknownFields();
        ConnectorFile content = new ConnectorFile(List.of(), Optional.empty());
        Path file = null;
        Optional<Path> resolved = configuration.flatMap(text -> node.resolve("configuration", text));
        if (resolved.isPresent()) {
            file = resolved.get();
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                // a directory, a FIFO or a device (/dev/stdin) would fail oddly or wait forever
                node.problem("configuration", file + " is not a regular file");
            } else {
                content = connectorFile(file);
            }
        }
        if (name.isEmpty() || type.isEmpty() || file == null) {
            return Optional.empty();
        }
        return Optional.of(new ConnectorConfig(name.get(), type.get(), className, module, enabled, file,
                content.devices(), content.pushListener()));
    }

    /** What a connector file gives: its devices and its push listener. */
    private record ConnectorFile(List<DeviceConfig> devices, Optional<PushListenerOptions> pushListener) {
    }

    private ConnectorFile connectorFile(Path file) {
        String shown = file.normalize().toString();
        Path directory = directoryOf(file);
        List<DeviceConfig> devices = new ArrayList<>();
        // devices that list no profiles or clock check take the connector's defaults, which may come after them in
        // the file
        BitSet withoutProfiles = new BitSet();
        BitSet withoutClock = new BitSet();
        // polled devices without rpc or attributeUpdates of their own take their type's (deviceTypes)
        BitSet withoutRpc = new BitSet();
        BitSet withoutWrites = new BitSet();
        // devices that push need the file's pushListener, which may come after them: the first one's path, and how many
        String[] firstPush = {null};
        int[] pushing = {0};
        // devices are validated as they are read, so only one device's tree is in memory at a time
        Optional<ConfigNode> root = ConfigTreeReader.readStreaming(file, shown, problems, "devices",
                        (index, element) -> ConfigNode.topListElement(problems, shown, directory, "devices", index,
                                element).flatMap(this::device).ifPresent(device -> {
                                    if (!listsProfiles) {
                                        withoutProfiles.set(devices.size());
                                    }
                                    if (!hasClock) {
                                        withoutClock.set(devices.size());
                                    }
                                    if (!givesRpc) {
                                        withoutRpc.set(devices.size());
                                    }
                                    if (!givesWrites) {
                                        withoutWrites.set(devices.size());
                                    }
                                    if (device.push().isPresent() && pushing[0]++ == 0) {
                                        firstPush[0] = "devices[" + index + "].push";
                                    }
                                    devices.add(device);
                                }))
                .flatMap(tree -> ConfigNode.root(problems, shown, directory, tree));
        if (root.isEmpty()) {
            return new ConnectorFile(List.of(), Optional.empty());
        }
        Defaults defaults = root.get().object("defaults").map(this::connectorDefaults)
                .orElse(new Defaults(List.of(), Optional.empty()));
        if (!defaults.profiles().isEmpty()) {
            withoutProfiles.stream().forEach(i -> devices.set(i, devices.get(i).withProfiles(defaults.profiles())));
        }
        if (defaults.clock().isPresent()) {
            withoutClock.stream().forEach(i -> devices.set(i, devices.get(i).withClock(defaults.clock())));
        }
        Map<String, TypeLists> types = deviceTypes(root.get());
        if (!types.isEmpty()) {
            withoutRpc.stream().forEach(i -> {
                TypeLists lists = types.get(devices.get(i).deviceType());
                if (lists != null && lists.rpc().isPresent()) {
                    devices.set(i, devices.get(i).withRpcMethods(lists.rpc().get()));
                }
            });
            withoutWrites.stream().forEach(i -> {
                TypeLists lists = types.get(devices.get(i).deviceType());
                if (lists != null && lists.attributeUpdates().isPresent()) {
                    devices.set(i, devices.get(i).withAttributeWrites(lists.attributeUpdates().get()));
                }
            });
        }
        Optional<PushListenerOptions> pushListener = root.get().object("pushListener")
                .flatMap(WritesAndPushReader::pushListener);
        if (firstPush[0] != null && !root.get().has("pushListener")) {
            problems.add(shown, firstPush[0], "a device with push needs a pushListener in its connector file ("
                    + pushing[0] + (pushing[0] == 1 ? " device pushes" : " devices push") + ")");
        }
        if (!root.get().has("devices")) {
            root.get().problem("devices", "required field is missing");
        }
        root.get().array("devices"); // a list was streamed above; this reports a devices field of another type
        root.get().reportUnknownFields();
        return new ConnectorFile(devices, pushListener);
    }

    /** A device type's lists ({@code deviceTypes}): each empty when the type does not give it. */
    private record TypeLists(Optional<Map<String, RpcMethod>> rpc,
                             Optional<Map<String, AttributeWrite>> attributeUpdates) {
    }

    /**
     * The connector file's {@code deviceTypes}: per ThingsBoard device type, the {@code rpc} and
     * {@code attributeUpdates} of every device of that type that gives none of its own.
     */
    private Map<String, TypeLists> deviceTypes(ConfigNode root) {
        Map<String, TypeLists> types = new HashMap<>();
        root.forEachObject("deviceTypes", (type, node) -> {
            Optional<Map<String, RpcMethod>> rpc = node.has("rpc")
                    ? Optional.of(shared(WritesAndPushReader.rpcMethods(node))) : Optional.empty();
            Optional<Map<String, AttributeWrite>> writes = node.has("attributeUpdates")
                    ? Optional.of(shared(WritesAndPushReader.attributeWrites(node))) : Optional.empty();
            node.reportUnknownFields();
            types.put(type, new TypeLists(rpc, writes));
        });
        return types;
    }

    /** What the connector file's {@code defaults} give a device that does not say. */
    private record Defaults(List<ProfileConfig> profiles, Optional<ClockCheck> clock) {
    }

    /** The connector file's {@code defaults}: its {@code profiles} and {@code clock}. */
    private Defaults connectorDefaults(ConfigNode node) {
        List<ProfileConfig> profiles = node.has("profiles") ? profiles(node) : List.of();
        Optional<ClockCheck> clock = clockCheck(node, new boolean[] {true});
        node.reportUnknownFields();
        return new Defaults(profiles, clock);
    }

    private Optional<DeviceConfig> device(ConfigNode node) {
        listsProfiles = false;
        Optional<String> name = printable(node, "name", node.requiredString("name"));
        name.ifPresent(n -> {
            String here = node.file() + ": " + node.pathOf("name");
            String first = deviceNames.putIfAbsent(n, here);
            if (first != null) {
                node.problem("name", "duplicate device name '" + n + "', first defined at " + first);
            }
        });
        Optional<String> deviceTypeText = printable(node, "deviceType", node.string("deviceType"));
        String deviceType = shared(deviceTypeText.orElse(DeviceConfig.DEFAULT_DEVICE_TYPE));
        // a device with push and no host only pushes: nothing polls it, so what polling needs is not required
        boolean polled = node.mentions("host") || !node.mentions("push");
        Optional<String> host = Optional.empty();
        if (node.has("host")) {
            host = printable(node, "host", node.requiredString("host")).map(this::shared);
        } else if (polled) {
            node.problem("host", "required unless the device only pushes (push)");
        }
        OptionalLong port = polled ? node.requiredInteger("port", 1, 65535) : node.integer("port", 1, 65535);
        Duration pollingInterval = shared(pollingInterval(node).orElse(DeviceConfig.DEFAULT_POLLING_INTERVAL));
        Duration connectTimeout = shared(millis(node, "connectTimeout", 1).orElse(DeviceConfig.DEFAULT_CONNECT_TIMEOUT));
        Duration requestTimeout = shared(millis(node, "requestTimeout", 1).orElse(DeviceConfig.DEFAULT_REQUEST_TIMEOUT));
        // below one largest APDU a meter could not answer at all; above 2^31 - 1 the gateway could not hold it
        int maxReplyBytes = (int) node.integer("maxReplyBytes", DlmsClientSettings.MIN_MAX_REPLY_BYTES,
                Integer.MAX_VALUE).orElse(DeviceConfig.DEFAULT_MAX_REPLY_BYTES);

        List<Measurement> measurements = shared(measurements(node, polled));
        Set<String> placeholders = new LinkedHashSet<>(DEVICE_PLACEHOLDERS);
        measurements.forEach(m -> placeholders.add(m.name()));
        Map<String, ValueTemplate> attributes = templates(node, "attributesMapping", placeholders);
        Map<String, ValueTemplate> timeseries = templates(node, "timeseriesMapping", placeholders);

        Optional<List<ProfileConfig>> profiles = node.has("profiles") ? Optional.of(shared(profiles(node)))
                : Optional.empty();
        Optional<DeviationSign> deviationSign = enumField(node, "deviationSign", DeviationSign.class,
                DeviationSign.STANDARD);
        Optional<ZoneOffset> utcOffset = utcOffset(node);

        Optional<Framing> framing = enumField(node, "framing", Framing.class, Framing.WRAPPER);
        Optional<MeterSecurity> security = meterSecurity(node);
        boolean hdlc = framing.orElse(Framing.WRAPPER) == Framing.HDLC;
        // HDLC client addresses are one byte with the low bit as extension marker; wrapper wPorts are 16 bits
        long maxClient = hdlc ? 0x7F : 0xFFFF;
        long maxLogical = hdlc ? 0x3FFF : 0xFFFF;
        int defaultClient = DlmsClientSettings.defaultClientAddress(
                security.map(MeterSecurity::authentication).orElse(Authentication.NONE));
        int clientAddress = (int) node.integer("clientAddress", 1, maxClient).orElse(defaultClient);
        int logicalAddress = (int) node.integer("logicalAddress", 0, maxLogical)
                .orElse(DeviceConfig.DEFAULT_LOGICAL_ADDRESS);
        OptionalInt physicalAddress = OptionalInt.empty();
        if (node.has("physicalAddress")) {
            OptionalLong physical = node.integer("physicalAddress", 0, 0x3FFF);
            if (!hdlc) {
                node.problem("physicalAddress", "only used with framing hdlc");
            } else if (physical.isPresent()) {
                physicalAddress = OptionalInt.of((int) physical.getAsLong());
            }
        }
        boolean[] clockOk = {true};
        Optional<ClockCheck> clock = clockCheck(node, clockOk);
        hasClock = node.has("clock");
        boolean[] controlOk = {true};
        Optional<ControlConfig> control = control(node, maxClient, clientAddress, security, controlOk);
        givesRpc = node.has("rpc");
        Map<String, RpcMethod> rpcMethods = givesRpc ? shared(WritesAndPushReader.rpcMethods(node)) : Map.of();
        givesWrites = node.has("attributeUpdates");
        Map<String, AttributeWrite> writes = givesWrites ? shared(WritesAndPushReader.attributeWrites(node))
                : Map.of();
        Optional<PushMapping> push = node.object("push")
                .flatMap(p -> WritesAndPushReader.push(p, match -> notePushIdentity(node, match)));
        if (!polled) {
            for (String field : POLLING_FIELDS) {
                if (node.has(field)) {
                    node.problem(field, "only used with host: a device without host only pushes, and nothing polls"
                            + " it");
                }
            }
            // the connector's defaults and the device type's lists are for polled devices
            hasClock = true;
            listsProfiles = true;
            givesRpc = true;
            givesWrites = true;
        }
        node.reportUnknownFields();
        if (name.isEmpty() || (polled && (host.isEmpty() || port.isEmpty())) || framing.isEmpty()
                || security.isEmpty() || (node.has("deviceType") && deviceTypeText.isEmpty())
                || deviationSign.isEmpty() || utcOffset.isEmpty() || !clockOk[0] || !controlOk[0]
                || (node.has("push") && push.isEmpty())) {
            return Optional.empty();
        }
        if (polled) {
            listsProfiles = profiles.isPresent();
        }
        return Optional.of(new DeviceConfig(name.get(), deviceType, polled ? host.get() : "",
                polled ? (int) port.getAsLong() : 0, pollingInterval, measurements, attributes, timeseries,
                framing.get(), clientAddress, logicalAddress, physicalAddress, security.get(), connectTimeout,
                requestTimeout, maxReplyBytes, polled ? profiles.orElse(List.of()) : List.of(), deviationSign.get(),
                shared(utcOffset.get()), polled ? clock : Optional.empty(), polled ? control : Optional.empty(),
                polled ? rpcMethods : Map.of(), polled ? writes : Map.of(), push, polled));
    }

    /**
     * Fields a push-only device does not take: what polling, the control association and writes need (a meter
     * without host cannot be reached).
     */
    private static final List<String> POLLING_FIELDS = List.of("port", "pollingInterval", "connectTimeout",
            "requestTimeout", "maxReplyBytes", "measurements", "customMeasurements", "profiles", "clientAddress",
            "logicalAddress", "physicalAddress", "clock", "control", "rpc", "attributeUpdates");

    /** Remembers which device a push identity names, reporting one that names a device already. */
    private void notePushIdentity(ConfigNode node, PushMatch match) {
        String field = WritesAndPushReader.identityField(match.kind());
        String here = node.file() + ": " + node.pathOf("push") + "." + field;
        String first = pushIdentities.putIfAbsent(match, here);
        if (first != null) {
            problem(node, node.pathOf("push") + "." + field, WritesAndPushReader.describe(match)
                    + " already identifies the device at " + first + "; the listener could not tell them apart");
        }
    }

    /**
     * A device's {@code control}: the association its writes and actions go through. Same rules as the device's own
     * security fields; with high-gmac the keys (and system title) are the device's own unless given, when the device
     * is high-gmac itself.
     */
    private Optional<ControlConfig> control(ConfigNode device, long maxClient, int deviceClient,
                                            Optional<MeterSecurity> deviceSecurity, boolean[] ok) {
        if (!device.has("control")) {
            return Optional.empty();
        }
        Optional<ConfigNode> object = device.object("control");
        if (object.isEmpty()) {
            ok[0] = false;
            return Optional.empty();
        }
        ConfigNode node = object.get();
        OptionalLong clientAddress = node.has("clientAddress") ? node.integer("clientAddress", 1, maxClient)
                : OptionalLong.of(DeviceConfig.MANAGEMENT_CLIENT_ADDRESS);
        Optional<MeterSecurity> security = meterSecurity(node,
                deviceSecurity.filter(s -> s.authentication() == Authentication.HIGH_GMAC));
        Optional<Boolean> keepOpen = node.has("keepOpen") ? node.bool("keepOpen") : Optional.of(false);
        boolean bothCiphered = security.isPresent() && security.get().authentication() == Authentication.HIGH_GMAC
                && deviceSecurity.map(s -> s.authentication() == Authentication.HIGH_GMAC).orElse(false);
        if (bothCiphered && clientAddress.isPresent() && clientAddress.getAsLong() == deviceClient) {
            // the meter keeps one invocation counter per client: two associations of one client at once would send
            // counters out of order, and the meter refuses every one not above the last it took
            node.problem("clientAddress", clientAddress.getAsLong() + " is the device's own client; two high-gmac"
                    + " associations of one client would share its invocation counter; give the polls (the device's"
                    + " clientAddress) or the control another client");
            clientAddress = OptionalLong.empty();
        }
        node.reportUnknownFields();
        if (clientAddress.isEmpty() || security.isEmpty() || keepOpen.isEmpty()) {
            ok[0] = false;
            return Optional.empty();
        }
        return Optional.of(new ControlConfig((int) clientAddress.getAsLong(), security.get(), keepOpen.get()));
    }

    /** {@code utcOffset}: {@code +01:00}, {@code -05:30}, {@code Z}; whole minutes, within ±18 h. */
    private static Optional<ZoneOffset> utcOffset(ConfigNode node) {
        if (!node.has("utcOffset")) {
            return Optional.of(ZoneOffset.UTC);
        }
        Optional<String> text = node.string("utcOffset");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            ZoneOffset offset = ZoneOffset.of(text.get().trim());
            if (offset.getTotalSeconds() % 60 != 0) {
                node.problem("utcOffset", "'" + text.get() + "' is not whole minutes; a meter's deviation is minutes");
                return Optional.empty();
            }
            return Optional.of(offset);
        } catch (DateTimeException e) {
            node.problem("utcOffset", "expected an offset from UTC such as +01:00, -05:30 or Z, got '" + text.get()
                    + "'");
            return Optional.empty();
        }
    }

    /**
     * A {@code profiles} list (a device's, or the connector's {@code defaults}): each profile's OBIS code once, its
     * durations and sizes within range, its mapping's placeholders column keys or the device's own fields.
     */
    private List<ProfileConfig> profiles(ConfigNode node) {
        List<ProfileConfig> profiles = new ArrayList<>();
        Optional<List<JsonNode>> entries = node.array("profiles");
        Map<ObisCode, String> seen = new HashMap<>();
        for (int i = 0; entries.isPresent() && i < entries.get().size(); i++) {
            int index = i;
            node.element("profiles", i, entries.get().get(i)).flatMap(this::profile).ifPresent(p -> {
                if (seen.putIfAbsent(p.obis(), "") != null) {
                    problem(node, node.pathOf("profiles") + "[" + index + "]",
                            "profile " + p.obis() + " is listed twice");
                } else {
                    profiles.add(p);
                }
            });
        }
        return List.copyOf(profiles);
    }

    private Optional<ProfileConfig> profile(ConfigNode node) {
        Optional<ObisCode> obis = obis(node, "obis", node.requiredString("obis"));
        Optional<Duration> interval = node.has("interval")
                ? node.duration("interval", MIN_PROFILE_INTERVAL, MAX_PROFILE_INTERVAL)
                : Optional.of(ProfileSchedule.DEFAULT_INTERVAL);
        Optional<Duration> backfill = node.has("backfill")
                ? node.duration("backfill", MIN_PROFILE_INTERVAL, MAX_PROFILE_BACKFILL)
                : Optional.of(ProfileSchedule.DEFAULT_BACKFILL);
        OptionalLong maxRows = node.has("maxRowsPerRead")
                ? node.integer("maxRowsPerRead", 1, MAX_PROFILE_ROWS_PER_READ)
                : OptionalLong.of(ProfileSchedule.DEFAULT_MAX_ROWS_PER_READ);
        Optional<Duration> maxSpan = node.has("maxSpanPerRead")
                ? node.duration("maxSpanPerRead", MIN_PROFILE_INTERVAL, MAX_PROFILE_BACKFILL)
                : Optional.of(ProfileSchedule.DEFAULT_MAX_SPAN_PER_READ);
        Map<String, ValueTemplate> mapping = profileTemplates(node);
        node.reportUnknownFields();
        if (obis.isEmpty() || interval.isEmpty() || backfill.isEmpty() || maxRows.isEmpty() || maxSpan.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(shared(new ProfileConfig(obis.get(), shared(interval.get()), shared(backfill.get()),
                (int) maxRows.getAsLong(), shared(maxSpan.get()), mapping)));
    }

    /**
     * A profile's {@code timeseriesMapping}. Its columns are known only once the meter is read, so a placeholder is
     * checked for its form: a catalogue name, {@code clock}, an OBIS code or {@code CLASS/OBIS/ATTRIBUTE}, or one of
     * the device's own fields.
     */
    private Map<String, ValueTemplate> profileTemplates(ConfigNode node) {
        Map<String, ValueTemplate> templates = new LinkedHashMap<>();
        node.stringMap("timeseriesMapping").ifPresent(map -> map.forEach((key, text) -> {
            String path = node.pathOf("timeseriesMapping") + "." + key;
            try {
                ValueTemplate template = shared(ValueTemplate.parse(text));
                List<String> unknown = template.placeholders().stream().filter(p -> !isProfileColumnKey(p)).toList();
                if (unknown.isEmpty()) {
                    templates.put(key, template);
                } else {
                    problem(node, path, "unknown placeholder " + unknown.stream().map(u -> "${" + u + "}")
                            .collect(Collectors.joining(", ")) + "; a profile's columns are named by catalogue name"
                            + " (" + catalogNames() + "), clock, or OBIS code (1.0.1.8.0.255, or 3/1.0.1.8.0.255/2),"
                            + " besides " + String.join(", ", DEVICE_PLACEHOLDERS));
                }
            } catch (IllegalArgumentException e) {
                problem(node, path, "bad template \"" + text + "\": " + e.getMessage());
            }
        }));
        return templates;
    }

    private static boolean isProfileColumnKey(String name) {
        if (DEVICE_PLACEHOLDERS.contains(name) || name.equals("clock") || MeasurementCatalog.byName(name).isPresent()) {
            return true;
        }
        try {
            ObisCode.parse(name);
            return true;
        } catch (IllegalArgumentException notObis) {
            try {
                return name.contains("/") && Measurement.parse(name) != null;
            } catch (IllegalArgumentException notAttribute) {
                return false;
            }
        }
    }

    /**
     * The text, or empty (reported) when it holds a line break or another control character: names and hosts go into
     * log lines and ThingsBoard device names, where a line break splits a line or forges one.
     */
    static Optional<String> printable(ConfigNode node, String field, Optional<String> text) {
        if (text.isEmpty()) {
            return text;
        }
        String value = text.get();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                String what = switch (c) {
                    case '\n' -> "a line break (\\n)";
                    case '\r' -> "a carriage return (\\r)";
                    case '\t' -> "a tab (\\t)";
                    default -> String.format("the control character U+%04X", (int) c);
                };
                node.problem(field, "must not contain control characters; found " + what + " at position " + (i + 1));
                return Optional.empty();
            }
        }
        return text;
    }

    /**
     * A device's {@code pollingInterval}: whole milliseconds from 100 to one day. The one rule for it, whether it
     * comes from a connector file or, at run time, as a shared attribute ({@link ConfigRules}).
     */
    static Optional<Duration> pollingInterval(ConfigNode node) {
        OptionalLong ms = node.integer("pollingInterval", DeviceInputRules.MIN_POLLING_INTERVAL.toMillis(),
                DeviceInputRules.MAX_POLLING_INTERVAL.toMillis());
        return ms.isPresent() ? Optional.of(Duration.ofMillis(ms.getAsLong())) : Optional.empty();
    }

    private static Optional<Duration> millis(ConfigNode node, String field, long min) {
        OptionalLong ms = node.integer(field, min, MAX_DURATION_MS);
        return ms.isPresent() ? Optional.of(Duration.ofMillis(ms.getAsLong())) : Optional.empty();
    }

    private List<Measurement> measurements(ConfigNode node, boolean required) {
        Map<String, Measurement> byName = new LinkedHashMap<>();
        Optional<List<JsonNode>> names = node.array("measurements");
        for (int i = 0; names.isPresent() && i < names.get().size(); i++) {
            int index = i;
            node.stringElement("measurements", i, names.get().get(i)).ifPresent(name -> {
                String path = node.pathOf("measurements") + "[" + index + "]";
                Optional<Measurement> m = MeasurementCatalog.byName(name);
                if (m.isEmpty()) {
                    problem(node, path, "unknown measurement '" + name + "'; known: " + catalogNames()
                            + " (or define it in customMeasurements)");
                } else if (byName.putIfAbsent(name, m.get()) != null) {
                    problem(node, path, "measurement '" + name + "' is listed twice");
                }
            });
        }
        Optional<List<JsonNode>> custom = node.array("customMeasurements");
        for (int i = 0; custom.isPresent() && i < custom.get().size(); i++) {
            node.element("customMeasurements", i, custom.get().get(i)).ifPresent(c -> {
                Optional<Measurement> m = customMeasurement(c);
                if (m.isPresent() && byName.putIfAbsent(m.get().name(), m.get()) != null) {
                    c.problem("name", "measurement '" + m.get().name() + "' is already defined");
                }
            });
        }
        boolean noneListed = names.map(List::isEmpty).orElse(true) && custom.map(List::isEmpty).orElse(true);
        if (noneListed && !node.has("measurements") && !node.has("customMeasurements") && required) {
            node.problem("measurements", "required field is missing (or give customMeasurements)");
        } else if (noneListed && (names.isPresent() || custom.isPresent()) && required) {
            node.problem("measurements", "a device needs at least one measurement");
        }
        return List.copyOf(byName.values());
    }

    private Optional<Measurement> customMeasurement(ConfigNode node) {
        Optional<String> name = node.requiredString("name");
        Optional<ObisCode> obis = obis(node, "obis", node.requiredString("obis"));
        int classId = (int) node.integer("classId", 1, 0xFFFF).orElse(Measurement.CLASS_REGISTER);
        int attribute = (int) node.integer("attribute", 1, 127).orElse(2);
        name.filter(DEVICE_PLACEHOLDERS::contains).ifPresent(n -> node.problem("name",
                "'" + n + "' is reserved for the device's own " + n + " in templates; choose another name"));
        node.reportUnknownFields();
        if (name.isEmpty() || obis.isEmpty() || DEVICE_PLACEHOLDERS.contains(name.get())) {
            return Optional.empty();
        }
        return Optional.of(new Measurement(name.get(), obis.get(), classId, attribute));
    }

    private Map<String, ValueTemplate> templates(ConfigNode node, String field, Set<String> known) {
        Map<String, ValueTemplate> templates = new LinkedHashMap<>();
        node.stringMap(field).ifPresent(map -> map.forEach((key, text) -> {
            String path = node.pathOf(field) + "." + key;
            try {
                ValueTemplate template = shared(ValueTemplate.parse(text));
                Set<String> unknown = template.placeholders().stream().filter(p -> !known.contains(p))
                        .collect(Collectors.toCollection(LinkedHashSet::new));
                if (unknown.isEmpty()) {
                    templates.put(key, template);
                } else {
                    problem(node, path, "unknown placeholder " + unknown.stream().map(u -> "${" + u + "}")
                            .collect(Collectors.joining(", ")) + "; known: " + String.join(", ", known));
                }
            } catch (IllegalArgumentException e) {
                problem(node, path, "bad template \"" + text + "\": " + e.getMessage());
            }
        }));
        return templates;
    }

    private Optional<MeterSecurity> meterSecurity(ConfigNode node) {
        return meterSecurity(node, Optional.empty());
    }

    /**
     * Authentication and keys of a device or of its {@code control}; {@code inherited}, when given (the device's own
     * HIGH_GMAC security), supplies the keys and system title a high-gmac {@code control} does not give.
     */
    private Optional<MeterSecurity> meterSecurity(ConfigNode node, Optional<MeterSecurity> inherited) {
        Optional<Authentication> authentication = enumField(node, "authentication", Authentication.class,
                Authentication.NONE);
        Optional<String> password = secrets.resolve(node, "password");
        Optional<byte[]> blockCipherKey = hexSecret(node, "blockCipherKey", 16);
        Optional<byte[]> authenticationKey = hexSecret(node, "authenticationKey", 16);
        Optional<byte[]> systemTitle = hexSecret(node, "systemTitle", 8);
        Optional<ObisCode> invocationCounterObject = obis(node, "invocationCounterObject",
                node.string("invocationCounterObject"));
        if (authentication.isEmpty()) {
            return Optional.empty();
        }
        boolean ok = true;
        switch (authentication.get()) {
            case NONE, HIGH_GMAC -> {
                if (node.has("password")) {
                    node.problem("password", "only used with authentication low");
                    ok = false;
                }
            }
            case LOW -> {
                if (!node.has("password")) {
                    node.problem("password", "required for authentication low");
                }
                ok = password.isPresent();
            }
        }
        if (authentication.get() == Authentication.HIGH_GMAC) {
            if (inherited.isPresent()) {
                blockCipherKey = node.has("blockCipherKey") ? blockCipherKey : inherited.get().blockCipherKey();
                authenticationKey = node.has("authenticationKey") ? authenticationKey
                        : inherited.get().authenticationKey();
                systemTitle = node.has("systemTitle") ? systemTitle : inherited.get().systemTitle();
            }
            for (String key : List.of("blockCipherKey", "authenticationKey")) {
                if (!node.has(key) && inherited.isEmpty()) {
                    node.problem(key, "required for authentication high-gmac");
                    ok = false;
                }
            }
            ok &= blockCipherKey.isPresent() && authenticationKey.isPresent()
                    && (systemTitle.isPresent() || !node.has("systemTitle"))
                    && (invocationCounterObject.isPresent() || !node.has("invocationCounterObject"));
        } else {
            for (String key : List.of("blockCipherKey", "authenticationKey", "systemTitle",
                    "invocationCounterObject")) {
                if (node.has(key)) {
                    node.problem(key, "only used with authentication high-gmac");
                    ok = false;
                }
            }
        }
        return ok ? Optional.of(new MeterSecurity(authentication.get(), password, blockCipherKey, authenticationKey,
                systemTitle, invocationCounterObject)) : Optional.empty();
    }

    /**
     * An OBIS code field ({@code "0.0.43.1.0.255"}) from its text as read (required or not), or empty when absent or
     * malformed (reported).
     */
    static Optional<ObisCode> obis(ConfigNode node, String field, Optional<String> text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ObisCode.parse(text.get()));
        } catch (IllegalArgumentException e) {
            node.problem(field, e.getMessage());
            return Optional.empty();
        }
    }

    // ---- clock check -------------------------------------------------------------------------------------------

    /** Longest clock check interval: a week (a meter's clock checked less often than that is not checked). */
    static final Duration MAX_CLOCK_INTERVAL = Duration.ofDays(7);
    /** Shortest clock check interval: ten seconds (each check is an exchange with the meter). */
    static final Duration MIN_CLOCK_INTERVAL = Duration.ofSeconds(10);

    /**
     * A device's {@code clock} object: {@code interval} (milliseconds, or text such as "15m", "1h"),
     * {@code warnAboveMs}, {@code correctAboveMs}, {@code autoCorrect}; each defaults as {@link ClockCheck#defaults()}.
     */
    private static Optional<ClockCheck> clockCheck(ConfigNode device, boolean[] ok) {
        if (!device.has("clock")) {
            return Optional.empty();
        }
        Optional<ConfigNode> object = device.object("clock");
        if (object.isEmpty()) {
            ok[0] = false;
            return Optional.empty();
        }
        ConfigNode node = object.get();
        ClockCheck check = ClockCheck.defaults();
        boolean fine = true;
        if (node.has("interval")) {
            Optional<Duration> interval = node.duration("interval", MIN_CLOCK_INTERVAL, MAX_CLOCK_INTERVAL);
            fine &= interval.isPresent();
            check = interval.map(check::withInterval).orElse(check);
        }
        if (node.has("warnAboveMs")) {
            Optional<Duration> warn = millis(node, "warnAboveMs", 0);
            fine &= warn.isPresent();
            check = warn.map(check::withWarnAbove).orElse(check);
        }
        if (node.has("correctAboveMs")) {
            // below a second a correction would chase the round trip's own error
            OptionalLong ms = node.integer("correctAboveMs", 1_000, MAX_DURATION_MS);
            fine &= ms.isPresent();
            check = ms.isPresent() ? check.withCorrectAbove(Duration.ofMillis(ms.getAsLong())) : check;
        }
        if (node.has("autoCorrect")) {
            Optional<Boolean> auto = node.bool("autoCorrect");
            fine &= auto.isPresent();
            check = auto.map(check::withAutoCorrect).orElse(check);
        }
        node.reportUnknownFields();
        ok[0] &= fine;
        return fine ? Optional.of(check) : Optional.empty();
    }

    private Optional<byte[]> hexSecret(ConfigNode node, String field, int bytes) {
        Optional<String> text = secrets.resolve(node, field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        // keys are often copied from vendor sheets with spaces or colons between bytes
        String hex = text.get().replaceAll("[\\s:]", "");
        if (hex.length() != bytes * 2 || !hex.matches("[0-9a-fA-F]*")) {
            // the value itself is a secret: say what is wrong with it without echoing it
            node.problem(field, "expected " + bytes * 2 + " hex digits (" + bytes + " bytes), got "
                    + (hex.matches("[0-9a-fA-F]*") ? hex.length() + " digits" : "a non-hex character"));
            return Optional.empty();
        }
        return Optional.of(HexFormat.of().parseHex(hex));
    }

    /** Enum values written in lower case with dashes, as users type them: {@code high-gmac} for HIGH_GMAC. */
    static <E extends Enum<E>> Optional<E> enumField(ConfigNode node, String field, Class<E> type,
                                                              E defaultValue) {
        if (!node.has(field)) {
            return Optional.of(defaultValue);
        }
        Optional<String> text = node.string(field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String constant = text.get().trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E value : type.getEnumConstants()) {
            if (value.name().equals(constant)) {
                return Optional.of(value);
            }
        }
        node.problem(field, "unknown " + field + " '" + text.get() + "'; expected one of: " + Arrays
                .stream(type.getEnumConstants()).map(GatewayConfigParser::spelling).collect(Collectors.joining(", ")));
        return Optional.empty();
    }

    /** How an enum constant is written in the configuration file. */
    private static String spelling(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Map<String, String> thingsBoardStorageFields() {
        String pythonField = "a field of the Python ThingsBoard gateway's storage; ";
        String ttl = pythonField + "remove it: records stay until acknowledged or dropped by the size bound";
        String batch = pythonField + "remove it: the publisher sizes its batches";
        return Map.of(
                "data_folder_path", pythonField + "write path: (a directory)",
                "data_file_path", pythonField + "write path: (a directory)",
                "max_records_count", pythonField + "write maxRecords:",
                "max_file_count", pythonField + "bound the size with maxSizeMb:",
                "max_records_per_file", pythonField + "bound the size with maxSizeMb:",
                "read_records_count", batch,
                "max_read_records_count", batch,
                "messages_ttl_check_in_hours", ttl,
                "messages_ttl_in_days", ttl);
    }

    /** The first value equal to {@code value} this parser has seen, or {@code value}; for immutable values only. */
    @SuppressWarnings("unchecked")
    private <T> T shared(T value) {
        return (T) shared.computeIfAbsent(value, v -> v);
    }

    private void problem(ConfigNode node, String path, String message) {
        problems.add(node.file(), path, message);
    }

    private static String catalogNames() {
        return MeasurementCatalog.standard().stream().map(Measurement::name).collect(Collectors.joining(", "));
    }

    private static Path directoryOf(Path file) {
        Path parent = file.getParent();
        return parent == null ? Path.of("") : parent;
    }
}
