package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.config.ConfigException;
import io.dlmsgateway.config.ConfigProblem;
import io.dlmsgateway.gateway.DeviceInputRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The configuration's rules applied to values arriving at run time: each value is put where the file would have it
 * and read by the very method that reads the file ({@link GatewayConfigParser}), so a shared attribute can be neither
 * more nor less than the connector file allows, and its refusal says the same thing {@code check-config} would.
 *
 * <p>Threading: stateless; every call makes its own problem collector.
 */
public final class ConfigRules implements DeviceInputRules {

    private static final String SOURCE = "shared attribute";

    @Override
    public Duration pollingInterval(JsonNode value) {
        ObjectNode holder = JsonNodeFactory.instance.objectNode();
        holder.set("pollingInterval", value == null ? JsonNodeFactory.instance.nullNode() : value);
        ProblemCollector problems = new ProblemCollector();
        ConfigNode node = ConfigNode.root(problems, SOURCE, Path.of(""), holder).orElseThrow();
        Optional<Duration> interval = node.has("pollingInterval") ? GatewayConfigParser.pollingInterval(node)
                : Optional.empty();
        try {
            problems.throwIfAny();
        } catch (ConfigException e) {
            ConfigProblem first = e.problems().get(0);
            throw new IllegalArgumentException(first.path() + ": " + first.message());
        }
        return interval.orElseThrow(() -> new IllegalArgumentException("pollingInterval: expected a whole number"
                + " of milliseconds, got null"));
    }
}
