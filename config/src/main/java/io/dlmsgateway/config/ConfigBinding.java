package io.dlmsgateway.config;

import io.dlmsgateway.config.internal.ConfigRules;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.fleet.ControlClient;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.gateway.DeviceInputRules;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.GatewaySettings;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.Credentials;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.dlmsgateway.thingsboard.TlsSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where the configuration files bind onto the library types: a device onto the fleet's {@link Meter}
 * (its {@code control} onto {@link ControlClient}) and the gateway's {@link GatewayDevice}, the {@code thingsboard}
 * section onto {@link ThingsBoardSettings}, the {@code storage} section onto {@link SpoolOptions}, a connector file's
 * {@code pushListener} onto {@link io.dlmsgateway.fleet.PushListenerOptions}, the whole onto {@link GatewaySettings}.
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfigLoader.withSystemEnvironment().load(Path.of("config/tb_gateway.yaml"));
 * DlmsGateway gateway = DlmsGateway.start(ConfigBinding.gatewaySettings(config));
 * }</pre>
 */
public final class ConfigBinding {

    /** The port a push-only device's {@link Meter} names (it is never connected to): the IANA DLMS port. */
    static final int PUSH_ONLY_PORT = 4059;

    private ConfigBinding() {
    }

    /** What the gateway does, as the configuration says: its enabled devices, ThingsBoard, storage, statistics. */
    public static GatewaySettings gatewaySettings(GatewayConfig config) {
        ThingsBoardConfig tb = config.thingsBoard();
        // meters configured alike share one client settings object: ~100 bytes per meter of a large fleet otherwise
        Map<DlmsClientSettings, DlmsClientSettings> clients = new HashMap<>();
        return new GatewaySettings(config.enabledDevices().stream().map(d -> device(d, clients)).toList(),
                thingsBoard(tb).build(), spool(config.storage()), tb.statsSendPeriod(), tb.minPackSendDelay(),
                inputRules(), config.pushListener());
    }

    /**
     * The configuration's rules for values that arrive at run time (shared attributes such as
     * {@code pollingInterval}): the same methods that check the files, so that every way in keeps one rule.
     */
    public static DeviceInputRules inputRules() {
        return new ConfigRules();
    }

    /** A configured device as the gateway sees it. */
    public static GatewayDevice device(DeviceConfig device) {
        return device(device, new HashMap<>());
    }

    private static GatewayDevice device(DeviceConfig device, Map<DlmsClientSettings, DlmsClientSettings> clients) {
        Map<ObisCode, Map<String, ValueTemplate>> profileMappings = new LinkedHashMap<>();
        for (ProfileConfig profile : device.profiles()) {
            if (!profile.timeseriesMapping().isEmpty()) {
                profileMappings.put(profile.obis(), profile.timeseriesMapping());
            }
        }
        return new GatewayDevice(meter(device, clients), device.deviceType(), device.attributesMapping(),
                device.timeseriesMapping(), profileMappings, device.rpcMethods(), device.attributeWrites(),
                device.push(), device.polled());
    }

    /**
     * A configured device as the fleet polls it. A push-only device's meter carries its name, keys and date-time
     * settings (for its notifications); its host is empty, its port the DLMS port, and it reads nothing.
     */
    public static Meter meter(DeviceConfig device) {
        return meter(device, new HashMap<>());
    }

    /** As {@link #meter(DeviceConfig)}, taking client settings equal to one in {@code clients} from there. */
    private static Meter meter(DeviceConfig device, Map<DlmsClientSettings, DlmsClientSettings> clients) {
        if (!device.polled()) {
            return Meter.builder(device.name(), "", PUSH_ONLY_PORT)
                    .client(shared(clients, clientSettings(device)))
                    .measurements(List.of())
                    .build();
        }
        return Meter.builder(device.name(), device.host(), device.port())
                .client(shared(clients, clientSettings(device)))
                .pollingInterval(device.pollingInterval())
                .measurements(device.measurements())
                .profiles(device.profiles().stream().map(ProfileConfig::schedule).toList())
                .clockCheck(device.clock().orElse(null))
                .control(device.control().map(control -> new ControlClient(shared(clients,
                        clientSettings(device, control.clientAddress(), control.security())), control.keepOpen()))
                        .orElse(null))
                .build();
    }

    private static DlmsClientSettings shared(Map<DlmsClientSettings, DlmsClientSettings> clients,
            DlmsClientSettings settings) {
        return clients.computeIfAbsent(settings, s -> s);
    }

    /**
     * The control association of a device: the device's own settings (framing, server addresses, timeouts,
     * date-time rules) with the control's client address, authentication and keys.
     */
    public static ControlClient controlClient(DeviceConfig device, ControlConfig control) {
        return new ControlClient(clientSettings(device, control.clientAddress(), control.security()),
                control.keepOpen());
    }

    /** The DLMS client settings a device's configuration stands for. */
    public static DlmsClientSettings clientSettings(DeviceConfig device) {
        return clientSettings(device, device.clientAddress(), device.security());
    }

    private static DlmsClientSettings clientSettings(DeviceConfig device, int clientAddress, MeterSecurity security) {
        HexFormat hex = HexFormat.of();
        DlmsClientSettings.Builder b = DlmsClientSettings.builder()
                .framing(device.framing())
                .clientAddress(clientAddress)
                .logicalAddress(device.logicalAddress())
                .authentication(security.authentication())
                .connectTimeout(device.connectTimeout())
                .requestTimeout(device.requestTimeout())
                .maxReplyBytes(device.maxReplyBytes())
                .deviationSign(device.deviationSign())
                .clockOffset(device.utcOffset());
        device.physicalAddress().ifPresent(b::physicalAddress);
        security.password().ifPresent(b::password);
        security.blockCipherKey().ifPresent(k -> b.blockCipherKey(hex.formatHex(k)));
        security.authenticationKey().ifPresent(k -> b.authenticationKey(hex.formatHex(k)));
        security.systemTitle().ifPresent(t -> b.clientSystemTitle(hex.formatHex(t)));
        security.invocationCounterObject().ifPresent(b::invocationCounterObject);
        return b.build();
    }

    /** The transport settings the {@code thingsboard} section stands for, to be completed by the caller. */
    public static ThingsBoardSettings.Builder thingsBoard(ThingsBoardConfig tb) {
        ThingsBoardSettings.Builder b = ThingsBoardSettings.builder()
                .host(tb.host())
                .port(tb.port())
                .qos(tb.qos())
                .maxPayloadSize(tb.maxPayloadSize())
                .reconnectDelay(tb.initialReconnectDelay(), tb.maxReconnectDelay());
        ThingsBoardSecurity security = tb.security();
        if (security instanceof ThingsBoardSecurity.AccessToken token) {
            b.credentials(Credentials.accessToken(token.accessToken()));
        } else if (security instanceof ThingsBoardSecurity.TlsAccessToken token) {
            b.credentials(Credentials.accessToken(token.accessToken())).tls(TlsSettings.trusting(token.caCert()));
        } else if (security instanceof ThingsBoardSecurity.UsernamePassword basic) {
            // ThingsBoard's MQTT basic credentials: a client id, a user name (with its password), or both
            String clientId = basic.clientId().orElseGet(() -> b.build().clientId());
            b.credentials(Credentials.usernamePassword(clientId, basic.username().orElse(null),
                    basic.password().orElse(null)));
        } else if (security instanceof ThingsBoardSecurity.Tls tls) {
            b.credentials(Credentials.x509()).tls(TlsSettings.clientCertificate(tls.caCert(), tls.cert(),
                    tls.privateKey()));
        }
        return b;
    }

    /** The spool the {@code storage} section stands for. */
    public static SpoolOptions spool(StorageConfig storage) {
        SpoolOptions options = storage.path().map(SpoolOptions::file).orElseGet(SpoolOptions::memory)
                .withMaxBytes(storage.maxSizeMb() << 20)
                .withDurability(storage.durability())
                .withMinFreeBytes(storage.minFreeSpaceMb() << 20)
                .withOnCorrupt(storage.onCorrupt())
                .withCommitInterval(Duration.ofMillis(storage.commitIntervalMs()));
        return storage.maxRecords().isPresent() ? options.withMaxRecords(storage.maxRecords().getAsLong()) : options;
    }
}
