package io.dlmsgateway.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code dlms-gateway.jar}: one subcommand per job. */
@Command(name = "dlms-gateway",
        mixinStandardHelpOptions = true,
        versionProvider = DlmsGatewayCommand.Version.class,
        description = "DLMS/COSEM to ThingsBoard gateway: polls meters and publishes their readings to ThingsBoard's"
                + " Gateway MQTT API. 'dlms-gateway help COMMAND' (or COMMAND --help) tells more of each command.",
        subcommands = {DemoCommand.class, RunCommand.class, ReadCommand.class, SimulateCommand.class,
                CheckConfigCommand.class, CommandLine.HelpCommand.class})
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
        GuruxSecretLogging.clamp();
        trimRxJavaThreads();
        int exitCode = commandLine().execute(args);
        stopLogging();
        System.exit(exitCode);
    }

    /**
     * The command line with its usage errors said in one line and a pointer to the help, instead of the whole help
     * (sixty lines for {@code read}, in which the one that says what was wrong is easily missed).
     */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new DlmsGatewayCommand());
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            java.io.PrintWriter err = failed.getErr();
            String name = failed.getCommandSpec().qualifiedName();
            err.println(name + ": " + e.getMessage());
            err.println("Try '" + name + " --help' for more information.");
            err.flush();
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        return commandLine;
    }

    /**
     * The MQTT client brings RxJava, whose scheduler class starts two threads of its own the gateway never uses: the
     * pool purger and the evictor of the unused io() pool. A gateway JVM counts its threads (ten thousand meters on a
     * handful), so the application, which owns the JVM, turns them off; a library must not, so this is here and not
     * in tb-transport. io() then lends tasks to the common pool, whose threads exist only while used.
     */
    private static void trimRxJavaThreads() {
        if (System.getProperty("rx2.purge-enabled") == null) {
            System.setProperty("rx2.purge-enabled", "false");
        }
        io.reactivex.plugins.RxJavaPlugins.setInitIoSchedulerHandler(
                defaultIo -> io.reactivex.schedulers.Schedulers.from(java.util.concurrent.ForkJoinPool.commonPool()));
    }

    /** Flushes and closes the log appenders; the last thing a command or the stop hook does. */
    static void stopLogging() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.stop();
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            // written into the jar's manifest by the build (gateway-app/pom.xml); absent when run from classes
            Package p = DlmsGatewayCommand.class.getPackage();
            String v = p.getImplementationVersion();
            return new String[] {"dlms-gateway " + (v == null ? "(run from classes, not from the built jar)" : v),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
