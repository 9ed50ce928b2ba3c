package io.dlmsgateway.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code dlms-gateway.jar}: one subcommand per job. */
@Command(name = "dlms-gateway",
        mixinStandardHelpOptions = true,
        versionProvider = DlmsGatewayCommand.Version.class,
        description = "DLMS/COSEM to ThingsBoard gateway.",
        subcommands = {DemoCommand.class, RunCommand.class, ReadCommand.class, SimulateCommand.class,
                CheckConfigCommand.class})
public final class DlmsGatewayCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    public static void main(String[] args) {
        // Gurux logs through java.util.logging, whose console handler writes System.err synchronously on the thread
        // that logs: a Netty event loop (the simulator's, or the client's when a ciphered reply does not decrypt).
        // Routed into SLF4J it goes through logback.xml's asynchronous appender like every other line.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(new CommandLine(new DlmsGatewayCommand()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DlmsGatewayCommand.class.getPackage().getImplementationVersion();
            return new String[] {"dlms-gateway " + (v == null ? "(development build)" : v)};
        }
    }
}
