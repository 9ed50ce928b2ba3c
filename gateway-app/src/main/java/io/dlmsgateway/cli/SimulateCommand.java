package io.dlmsgateway.cli;

import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.NotificationSentListener;
import io.dlmsgateway.dlms.sim.PushOptions;
import io.dlmsgateway.dlms.sim.SimulatorControlChannel;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dlms-gateway simulate}: runs simulated DLMS/COSEM meters, one TCP port each, until stopped with Ctrl-C or
 * SIGTERM.
 */
@Command(name = "simulate",
        header = "Runs simulated DLMS/COSEM meters, one TCP port each, until stopped.",
        mixinStandardHelpOptions = true,
        description = {"Runs simulated DLMS/COSEM meters (logical-name referencing), one TCP port each, until stopped.",
                "Meter i listens on port+i and serves the 12 standard registers, a clock, a load profile"
                        + " (1.0.99.1.0.255), an event log (0.0.99.98.0.255) and its object list."})
public final class SimulateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--meters", defaultValue = "1", description = "Number of meters (default ${DEFAULT-VALUE}).")
    int meters;

    @Option(names = "--port", defaultValue = "4059",
            description = "Port of meter 0; meter i listens on port+i (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--framing", defaultValue = "WRAPPER", converter = FramingConverter.class,
            description = "wrapper or hdlc, any case (default wrapper).")
    Framing framing;

    @Option(names = "--latency-ms", defaultValue = "0", description = "Delay of every reply in ms (default ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(names = "--max-pdu", defaultValue = "" + SimulatorOptions.DEFAULT_MAX_PDU_SIZE,
            description = "Max PDU size the meters accept and send (default ${DEFAULT-VALUE}).")
    int maxPdu;

    @Option(names = "--password", defaultValue = SimulatorOptions.DEFAULT_PASSWORD,
            description = "LOW password of client 1 (default ${DEFAULT-VALUE}).")
    String password;

    @Option(names = "--block-cipher-key", defaultValue = SimulatorOptions.DEFAULT_BLOCK_CIPHER_KEY,
            description = "HIGH_GMAC block cipher key, 32 hex digits (default ${DEFAULT-VALUE}).")
    String blockCipherKey;

    @Option(names = "--authentication-key", defaultValue = SimulatorOptions.DEFAULT_AUTHENTICATION_KEY,
            description = "HIGH_GMAC authentication key, 32 hex digits (default ${DEFAULT-VALUE}).")
    String authenticationKey;

    @Option(names = "--physical-address", defaultValue = "" + SimulatorOptions.DEFAULT_PHYSICAL_ADDRESS_BASE,
            description = "HDLC physical address of meter 0; meter i has this+i (default ${DEFAULT-VALUE}).")
    int physicalAddress;

    @Option(names = "--same-physical-address",
            description = "Give every meter the --physical-address instead of physical-address+i.")
    boolean samePhysicalAddress;

    @Option(names = "--threads", description = "Event-loop threads serving connections (default: CPU cores).")
    Integer threads;

    @Option(names = "--inactivity-timeout-s", defaultValue = "0",
            description = "Close connections idle this many seconds; 0 never (default ${DEFAULT-VALUE}).")
    long inactivitySeconds;

    @Option(names = "--clock-offset", defaultValue = "0",
            description = "Start every meter's clock this many seconds ahead of this machine's (negative: behind);"
                    + " a client may then set or shift it (default ${DEFAULT-VALUE}).")
    long clockOffsetSeconds;

    @Option(names = "--control-port", description = "Listen on this port of 127.0.0.1 for run-time fault control"
            + " (0: any free port; lines 'fault <meter> <fault>', 'heal <meter>', 'faults'; see README). Off by default.")
    Integer controlPort;

    @Option(names = "--served-log", description = "Write every reading a meter serves to this file as"
            + " 'meter,epochMillis' lines (the load harness's chaos soak counts lost readings against it).")
    Path servedLog;

    @Option(names = "--profile-period", paramLabel = "S", defaultValue = "900", converter = SecondsConverter.class,
            description = "Capture period of the load profile: seconds, or a duration such as 15m"
                    + " (default ${DEFAULT-VALUE}).")
    Duration profilePeriod;

    @Option(names = "--profile-history", paramLabel = "D", defaultValue = "7d", converter = DurationConverter.class,
            description = "How far back the load profile and the event log reach, e.g. 7d or 36h"
                    + " (default ${DEFAULT-VALUE}).")
    Duration profileHistory;

    @Option(names = "--no-range-access",
            description = "Refuse selective access by range on the profiles (a data-access-result), as older meters do.")
    boolean noRangeAccess;

    @Option(names = "--compressed-profile",
            description = "Leave the clock out (null) of every load-profile row after the first of each reply.")
    boolean compressedProfile;

    @Option(names = "--disconnect-control-mode", paramLabel = "0..6",
            defaultValue = "" + SimulatorOptions.DEFAULT_DISCONNECT_CONTROL_MODE,
            description = "control_mode of every meter's Disconnect control (0.0.96.3.10.255): in 1, 3, 5 and 6"
                    + " remote_reconnect closes the relay, in 2 and 4 it only makes the meter ready_for_reconnection,"
                    + " 0 is always connected (default ${DEFAULT-VALUE}).")
    int disconnectControlMode;

    @Option(names = "--deviation-sign", defaultValue = "STANDARD", converter = DeviationSignConverter.class,
            description = "standard (UTC = local + deviation, CET sent as -60) or inverted (CET as +60)"
                    + " (default standard).")
    DeviationSign deviationSign;

    @Option(names = "--utc-offset", defaultValue = "+00:00", converter = ZoneOffsetConverter.class,
            description = "Offset of the meters' local time from UTC, e.g. +01:00 (default ${DEFAULT-VALUE}).")
    ZoneOffset utcOffset;

    @Option(names = "--push-to", paramLabel = "HOST:PORT", converter = PushTargetConverter.class,
            description = "Every meter connects to this push listener (one connection each, kept open, reconnected"
                    + " with backoff) and sends a DataNotification every --push-interval: structure {logical device"
                    + " name, clock, active energy, voltage L1}. Off by default.")
    InetSocketAddress pushTo;

    @Option(names = "--push-interval", paramLabel = "S", defaultValue = "60", converter = SecondsConverter.class,
            description = "Seconds (or a duration such as 15m) between two notifications of one meter"
                    + " (default ${DEFAULT-VALUE}).")
    Duration pushInterval;

    @Option(names = "--push-ciphered",
            description = "Send the notifications general-glo-ciphered (suite 0) with each meter's system title and"
                    + " the --block-cipher-key / --authentication-key, as a HIGH_GMAC meter does.")
    boolean pushCiphered;

    /** The push the options ask for, or null when {@code --push-to} is not given. */
    PushOptions pushOptions() {
        if (pushTo == null) {
            return null;
        }
        try {
            return PushOptions.to(pushTo, pushInterval).withCiphered(pushCiphered);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--push-interval: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        // Gurux logs through java.util.logging; keep its per-request chatter off the console
        java.util.logging.Logger.getLogger("gurux").setLevel(Level.WARNING);
        SimulatorOptions options = options();
        MeterSimulator simulator;
        try {
            simulator = MeterSimulator.start(options);
        } catch (IOException e) {
            String limit = e.getMessage().contains("Too many open files") ? openFileLimit() : "";
            spec.commandLine().getErr().println("simulate: " + e.getMessage() + limit);
            return 1;
        }
        ServedReadingLog served = null;
        SimulatorControlChannel control = null;
        try {
            if (servedLog != null) {
                served = new ServedReadingLog(servedLog);
                simulator.onReadingServed(served);
            }
            if (controlPort != null) {
                control = SimulatorControlChannel.start(simulator, "127.0.0.1", controlPort);
                // before the banner: whoever waits for the banner has this line already
                spec.commandLine().getOut().println("Control channel on 127.0.0.1:" + control.address().getPort()
                        + " (fault <meter> <fault>, heal <meter>, faults, served <meter>)");
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("simulate: " + e.getMessage());
            simulator.close();
            if (served != null) {
                served.close();
            }
            return 1;
        }
        ServedReadingLog servedToClose = served;
        SimulatorControlChannel controlToClose = control;
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (controlToClose != null) {
                controlToClose.close();
            }
            simulator.close();
            if (servedToClose != null) {
                try {
                    servedToClose.close();
                } catch (IOException e) {
                    System.err.println("simulate: served log: " + e.getMessage());
                }
            }
            stopped.countDown();
        }, "dlms-sim-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PushOptions push = pushOptions();
        if (push != null) {
            // resolved here, on the main thread: the event loops must not wait for a name look-up
            InetSocketAddress target = new InetSocketAddress(push.target().getHostString(), push.target().getPort());
            if (target.isUnresolved()) {
                spec.commandLine().getErr().println("simulate: --push-to: cannot resolve " + target.getHostString());
                simulator.close();
                return 1;
            }
            push = new PushOptions(target, push.interval(), push.ciphered(), push.count(),
                    push.maxInformationLength());
            simulator.startPushing(push, NotificationSentListener.NONE);
        }
        spec.commandLine().getOut().println(banner(simulator));
        if (push != null) {
            spec.commandLine().getOut().println("Pushing to " + push.target().getHostString() + ":"
                    + push.target().getPort() + " every " + push.interval().toMillis() + " ms"
                    + (push.ciphered() ? ", general-glo-ciphered" : ", plain") + ", one connection per meter");
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** The options as given, checked: a bad one is a usage error naming it. */
    SimulatorOptions options() {
        SimulatorOptions.Builder b = SimulatorOptions.builder()
                .host(host)
                .framing(framing)
                .latency(Duration.ofMillis(latencyMs))
                .clockOffset(Duration.ofSeconds(clockOffsetSeconds))
                .password(password)
                .inactivityTimeout(Duration.ofSeconds(inactivitySeconds));
        try {
            b.meterCount(meters).basePort(port).maxPduSize(maxPdu)
                    .blockCipherKey(hex(blockCipherKey, "--block-cipher-key"))
                    .authenticationKey(hex(authenticationKey, "--authentication-key"))
                    .physicalAddress(physicalAddress, !samePhysicalAddress)
                    .profilePeriod(profilePeriod)
                    .profileHistory(profileHistory)
                    .rangeAccess(!noRangeAccess)
                    .compressedProfile(compressedProfile)
                    .deviationSign(deviationSign)
                    .utcOffset(utcOffset)
                    .disconnectControlMode(disconnectControlMode);
            if (threads != null) {
                b.workerThreads(threads);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The limit the JVM sees, since it is what the operator has to raise. */
    private static String openFileLimit() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return " (this process may open " + os.getMaxFileDescriptorCount() + " files)";
        }
        return "";
    }

    static String banner(MeterSimulator sim) {
        var a = sim.addresses();
        InetSocketAddress first = a.get(0);
        InetSocketAddress last = a.get(a.size() - 1);
        String ports;
        if (a.size() == 1) {
            ports = String.valueOf(first.getPort());
        } else if (sim.options().basePort() == 0) {
            ports = "ephemeral ports " + first.getPort() + ".." + last.getPort() + " (not contiguous)";
        } else {
            ports = first.getPort() + "-" + last.getPort() + " (meter i on port " + first.getPort() + "+i)";
        }
        return "Simulating " + sim.meterCount() + " DLMS meter" + (sim.meterCount() == 1 ? "" : "s") + " ("
                + sim.options().framing() + ") on " + first.getAddress().getHostAddress() + ":" + ports + "; "
                + sim.addressing().describe(sim.meterCount()) + "; max PDU " + sim.options().maxPduSize()
                + (sim.options().latency().isZero() ? "" : "; latency " + sim.options().latency().toMillis() + " ms")
                + (sim.options().clockOffset().isZero() ? "" : "; clocks " + sim.options().clockOffset().toSeconds()
                        + " s off");
    }

    private static byte[] hex(String text, String option) {
        try {
            return HexFormat.of().parseHex(text.replace(" ", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": not hex: " + text);
        }
    }

    /** {@code HOST:PORT}, the host a name or an IPv4 literal (or {@code [v6]:port}); not resolved here. */
    static final class PushTargetConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            String text = value.trim();
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not HOST:PORT");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "': the port is not a number");
            }
            if (port < 1 || port > 65_535) {
                throw new CommandLine.TypeConversionException("'" + value + "': port out of range 1..65535");
            }
            return InetSocketAddress.createUnresolved(host, port);
        }
    }

    /** A number of seconds ({@code 900}) or a duration as {@link DurationConverter} takes it ({@code 15m}). */
    static final class SecondsConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.trim();
            if (text.matches("\\d{1,9}")) {
                return Duration.ofSeconds(Long.parseLong(text));
            }
            return new DurationConverter().convert(text);
        }
    }

    static final class DeviationSignConverter implements CommandLine.ITypeConverter<DeviationSign> {
        @Override
        public DeviationSign convert(String value) {
            try {
                return DeviationSign.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected standard or inverted, got '" + value + "'");
            }
        }
    }

    static final class ZoneOffsetConverter implements CommandLine.ITypeConverter<ZoneOffset> {
        @Override
        public ZoneOffset convert(String value) {
            try {
                return ZoneOffset.of(value.trim());
            } catch (DateTimeException e) {
                throw new CommandLine.TypeConversionException("expected an offset such as +01:00 or -05:00, got '"
                        + value + "'");
            }
        }
    }

    static final class FramingConverter implements CommandLine.ITypeConverter<Framing> {
        @Override
        public Framing convert(String value) {
            try {
                return Framing.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected wrapper or hdlc, got '" + value + "'");
            }
        }
    }
}
