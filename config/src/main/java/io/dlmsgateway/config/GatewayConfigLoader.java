package io.dlmsgateway.config;

import io.dlmsgateway.config.internal.GatewayConfigParser;
import io.dlmsgateway.config.internal.SecretResolver;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads {@code tb_gateway.yaml} and the connector files it names, validates them and returns the configuration.
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfigLoader.withSystemEnvironment().load(Path.of("config/tb_gateway.yaml"));
 * }</pre>
 *
 * <p>The format is the Python ThingsBoard gateway connector's, so existing files load as they are; fields a real
 * meter needs (framing, addresses, authentication, keys, timeouts, custom OBIS measurements) are optional with
 * defaults. Secrets (ThingsBoard token and password, meter password and keys) may be written as
 * {@code ${env:NAME}} or {@code ${file:path}}, a path relative to the file that contains it.
 */
public final class GatewayConfigLoader {

    private final Function<String, String> environment;

    private GatewayConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    /** A loader that resolves {@code ${env:NAME}} from the process environment. */
    public static GatewayConfigLoader withSystemEnvironment() {
        return new GatewayConfigLoader(System::getenv);
    }

    /**
     * A loader that resolves {@code ${env:NAME}} with the given lookup, e.g. a map's {@code get} in tests.
     *
     * @param environment returns a variable's value, or null when it is not set
     */
    public static GatewayConfigLoader withEnvironment(Function<String, String> environment) {
        return new GatewayConfigLoader(Objects.requireNonNull(environment, "environment"));
    }

    /**
     * Loads the configuration.
     *
     * @param mainFile the main YAML file; connector files are resolved against its directory
     * @throws ConfigException listing every problem found in any of the files
     */
    public GatewayConfig load(Path mainFile) throws ConfigException {
        return new GatewayConfigParser(new SecretResolver(environment)).parse(mainFile);
    }
}
