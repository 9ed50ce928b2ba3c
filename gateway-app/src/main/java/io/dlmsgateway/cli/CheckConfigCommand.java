package io.dlmsgateway.cli;

import io.dlmsgateway.config.ConfigException;
import io.dlmsgateway.config.ConfigProblem;
import io.dlmsgateway.config.ConfigWarnings;
import io.dlmsgateway.config.ConnectorConfig;
import io.dlmsgateway.config.GatewayConfig;
import io.dlmsgateway.config.GatewayConfigLoader;
import io.dlmsgateway.config.ThingsBoardConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dlms-gateway check-config}: loads the configuration as the gateway would and prints a one-line summary, or
 * every problem found. Meant for CI and for editing files before a restart.
 */
@Command(name = "check-config",
        header = "Checks tb_gateway.yaml and its connector files, reporting every problem.",
        mixinStandardHelpOptions = true,
        description = {"Validates tb_gateway.yaml and the connector files it names, reporting every problem at once.",
                "Exit codes: 0 valid, 2 configuration problems."})
public final class CheckConfigCommand implements Callable<Integer> {

    /** Exit code when the configuration has problems; 1 stays picocli's for unexpected errors. */
    public static final int EXIT_CONFIG_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", defaultValue = "config/tb_gateway.yaml",
            description = "Main configuration file (default ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            GatewayConfig loaded = GatewayConfigLoader.withSystemEnvironment().load(config);
            List<ConfigProblem> warnings = ConfigWarnings.of(loaded);
            out.println("OK: " + config + ": " + summary(loaded)
                    + (warnings.isEmpty() ? "" : "; " + count(warnings.size(), "warning") + ":"));
            for (ConfigProblem warning : warnings) {
                out.println("warning: " + warning);
            }
            out.flush();
            return CommandLine.ExitCode.OK;
        } catch (ConfigException e) {
            printProblems(err, e, config, "");
            return EXIT_CONFIG_ERROR;
        }
    }

    /** Every problem on its own line, then how many and where; {@code run} adds that nothing was started. */
    static void printProblems(PrintWriter err, ConfigException e, Path config, String suffix) {
        List<ConfigProblem> problems = e.problems();
        for (ConfigProblem problem : problems) {
            err.println(problem);
        }
        // summed up under the file each is in: a mistake in a connector file is not the YAML's
        Map<String, Integer> perFile = new LinkedHashMap<>();
        for (ConfigProblem problem : problems) {
            perFile.merge(problem.file(), 1, Integer::sum);
        }
        List<String> counts = new ArrayList<>();
        perFile.forEach((file, n) -> counts.add(count(n, "problem") + " in " + file));
        err.println(String.join(", ", counts) + suffix);
        err.flush();
    }

    /** {@code 1 connector, 1 device (4 measurements), ThingsBoard localhost:1883 (accessToken)}. */
    static String summary(GatewayConfig config) {
        List<ConnectorConfig> connectors = config.connectors();
        long disabled = connectors.stream().filter(c -> !c.enabled()).count();
        int devices = connectors.stream().mapToInt(c -> c.devices().size()).sum();
        int measurements = connectors.stream().flatMap(c -> c.devices().stream())
                .mapToInt(d -> d.measurements().size()).sum();
        long pushOnly = connectors.stream().flatMap(c -> c.devices().stream()).filter(d -> !d.polled()).count();
        ThingsBoardConfig tb = config.thingsBoard();
        return count(connectors.size(), "connector") + (disabled > 0 ? " (" + disabled + " disabled)" : "")
                + ", " + count(devices, "device") + " (" + count(measurements, "measurement")
                + (pushOnly > 0 ? ", " + pushOnly + " push-only" : "") + ")"
                + config.pushListener().map(p -> ", pushes on " + p.host() + ":" + p.port()).orElse("")
                + ", ThingsBoard " + tb.host() + ":" + tb.port() + " (" + tb.security().type() + ")"
                + config.metrics().map(m -> ", metrics on " + m.host() + ":" + m.port()).orElse("");
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
