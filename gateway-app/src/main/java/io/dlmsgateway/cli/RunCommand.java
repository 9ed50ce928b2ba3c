package io.dlmsgateway.cli;

import io.dlmsgateway.config.ConfigBinding;
import io.dlmsgateway.config.ConfigException;
import io.dlmsgateway.config.GatewayConfig;
import io.dlmsgateway.config.GatewayConfigLoader;
import io.dlmsgateway.config.MetricsConfig;
import io.dlmsgateway.gateway.DlmsGateway;
import io.dlmsgateway.gateway.GatewayOptions;
import io.dlmsgateway.gateway.GatewaySettings;
import io.dlmsgateway.gateway.MetricsOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dlms-gateway run}: the gateway as configured, until Ctrl-C or SIGTERM. */
@Command(name = "run",
        header = "Runs the gateway as tb_gateway.yaml configures it, until Ctrl-C or SIGTERM.",
        mixinStandardHelpOptions = true,
        description = {"Runs the gateway as configured: polls the meters of tb_gateway.yaml's connectors and publishes",
                "their readings to ThingsBoard, spooling them on disk until acknowledged. Ctrl-C or SIGTERM stops",
                "gracefully. Exit codes: 0 stopped, 1 could not start, 2 configuration problems."})
public final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", defaultValue = "config/tb_gateway.yaml",
            description = "Main configuration file (default ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        // only the bound settings stay: the configuration's own records would be kept alive by this frame for as
        // long as the gateway runs (a few hundred bytes per meter)
        GatewaySettings settings;
        Optional<MetricsConfig> metrics;
        try {
            GatewayConfig loaded = GatewayConfigLoader.withSystemEnvironment().load(config);
            settings = ConfigBinding.gatewaySettings(loaded);
            metrics = loaded.metrics();
        } catch (ConfigException e) {
            CheckConfigCommand.printProblems(err, e, config, "; nothing started");
            return CheckConfigCommand.EXIT_CONFIG_ERROR;
        }
        PrometheusMeterRegistry registry = metrics.isPresent() ? MetricsServer.newRegistry() : null;
        GatewayOptions options = metrics.map(m -> GatewayOptions.builder()
                .metrics(new MetricsOptions(registry, m.perDevice(), m.maxDevices())).build())
                .orElseGet(GatewayOptions::defaults);
        DlmsGateway gateway;
        try {
            gateway = DlmsGateway.start(settings, options);
        } catch (RuntimeException e) {
            // the spool's directory in use or unwritable, the push port taken: one line, no stack trace
            Throwable cause = reactor.core.Exceptions.unwrap(e);
            err.println("run: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
            err.flush();
            return 1;
        }
        MetricsServer server = null;
        if (metrics.isPresent()) {
            MetricsConfig m = metrics.get();
            try {
                // on the gateway's own event loops: no thread of its own
                server = MetricsServer.start(m.host(), m.port(), gateway.fleet().resources().eventLoops(), registry,
                        gateway::statistics, gateway.transport()::connectionProblem);
            } catch (IllegalStateException e) {
                err.println("run: " + e.getMessage() + "; nothing started");
                err.flush();
                gateway.close();
                return 1;
            }
        }
        LoggerFactory.getLogger(RunCommand.class).info("[DLMSConnector] Gateway started: {} devices, ThingsBoard at"
                + " {}:{}, spool {}{}; Ctrl-C or SIGTERM stops it", settings.devices().size(),
                settings.thingsBoard().host(), settings.thingsBoard().port(), settings.spool().directory()
                        .map(d -> "in " + d.toAbsolutePath()).orElse("in memory"),
                server == null ? "" : ", metrics at http://" + server.address().getHostString() + ":"
                        + server.address().getPort() + "/metrics");
        MetricsServer metricsServer = server;
        StopOnSignal.awaitStop(() -> {
            if (metricsServer != null) {
                metricsServer.close();
            }
            gateway.close();
        });
        return 0;
    }
}
