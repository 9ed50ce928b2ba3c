package io.dlmsgateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a valid configuration may still hold by mistake: placeholders and documentation addresses left in from an
 * example. {@code check-config} lists them apart from errors and still exits 0; nothing else refuses them, since a
 * test bed may mean them.
 */
public final class ConfigWarnings {

    /** Placeholder words of examples: YOUR_GATEWAY_TOKEN_HERE, CHANGE_ME, &lt;token&gt;, xxx... */
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?i).*(your_|_here|change[_-]?me|placeholder|<[^>]*>|^x{3,}$|^token$).*");
    /** TEST-NET-1, -2 and -3 of RFC 5737. */
    private static final Pattern IPV4_DOCUMENTATION = Pattern.compile(
            "(192\\.0\\.2|198\\.51\\.100|203\\.0\\.113)\\.\\d{1,3}");
    /** The shipped example's meter (config/dlms_connector.json, from the seed's README). */
    private static final String EXAMPLE_NAME = "medidor_principal";
    private static final String EXAMPLE_HOST = "192.168.1.127";
    private static final int EXAMPLE_PORT = 3333;

    private ConfigWarnings() {
    }

    /** Every warning, each as {@code file: path: what (and what to do)}. */
    public static List<ConfigProblem> of(GatewayConfig config) {
        List<ConfigProblem> warnings = new ArrayList<>();
        String main = config.file().toString();
        ThingsBoardSecurity security = config.thingsBoard().security();
        String token = security instanceof ThingsBoardSecurity.AccessToken t ? t.accessToken()
                : security instanceof ThingsBoardSecurity.TlsAccessToken t ? t.accessToken() : null;
        if (token != null && PLACEHOLDER.matcher(token).matches()) {
            warnings.add(new ConfigProblem(main, "thingsboard.security.accessToken", "'" + token
                    + "' looks like a placeholder: put the access token of the gateway device from ThingsBoard"
                    + " here (or ${env:TB_GATEWAY_TOKEN})"));
        }
        String tbHost = config.thingsBoard().host();
        documentationAddress(tbHost).ifPresent(why -> warnings.add(new ConfigProblem(main, "thingsboard.host",
                tbHost + " is " + why + ", not a ThingsBoard")));
        for (ConnectorConfig connector : config.connectors()) {
            String file = connector.configurationFile().toString();
            List<DeviceConfig> devices = connector.devices();
            for (int i = 0; i < devices.size(); i++) {
                DeviceConfig d = devices.get(i);
                if (!d.polled()) {
                    continue;
                }
                String path = "devices[" + i + "]";
                if (d.name().equals(EXAMPLE_NAME) && d.host().equals(EXAMPLE_HOST) && d.port() == EXAMPLE_PORT) {
                    warnings.add(new ConfigProblem(file, path, "is the shipped example's meter (" + EXAMPLE_NAME
                            + " at " + EXAMPLE_HOST + ":" + EXAMPLE_PORT + "): replace it with your meters"));
                    continue;
                }
                String host = d.host();
                documentationAddress(host).ifPresent(why -> warnings.add(new ConfigProblem(file, path + ".host",
                        host + " is " + why + ", not a meter")));
            }
        }
        return warnings;
    }

    /** Why the host is an address for documentation only (RFC 5737, RFC 3849, RFC 2606), if it is one. */
    static java.util.Optional<String> documentationAddress(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("example.com") || h.equals("example.org") || h.equals("example.net")
                || h.endsWith(".example.com") || h.endsWith(".example.org") || h.endsWith(".example.net")
                || h.endsWith(".example") || h.endsWith(".invalid")) {
            return java.util.Optional.of("a name reserved for documentation (RFC 2606)");
        }
        if (IPV4_DOCUMENTATION.matcher(h).matches()) {
            return java.util.Optional.of("an address reserved for documentation (RFC 5737)");
        }
        if (h.startsWith("2001:db8:") || h.startsWith("[2001:db8:")) {
            return java.util.Optional.of("an address reserved for documentation (RFC 3849)");
        }
        return java.util.Optional.empty();
    }
}
