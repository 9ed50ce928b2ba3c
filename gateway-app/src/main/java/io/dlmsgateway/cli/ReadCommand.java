package io.dlmsgateway.cli;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.AssociationRejectedException;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.client.DlmsConnection;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.dlms.client.DlmsProtocolException;
import io.dlmsgateway.dlms.client.DlmsTimeoutException;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ProfileRows;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.dlms.client.Refusal;
import io.dlmsgateway.gateway.MeasurementJson;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dlms-gateway read}: one association with one meter, one read, the values as JSON on standard output. The
 * field technician's first tool: it says in one line why a meter cannot be read, and its exit code says which kind
 * of problem it is.
 *
 * <p>Threads: the connection lives on a private one-thread event loop; this command waits for it with
 * {@code join()} on the thread that called {@link #call()} (the main thread), never on the event loop.
 */
@Command(name = "read",
        header = "Reads one meter once and prints its values (or a profile's rows) as JSON.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Reads one meter once (one association, released afterwards) and prints the values as JSON:",
                "  {\"voltage_l1\":{\"value\":230.1,\"unit\":\"V\"}, \"clock\":{\"value\":\"2024-05-01T10:00:00Z\"}, ...}",
                "Objects the meter refuses appear as {\"error\":\"object-undefined\",\"result\":4} and make the exit "
                        + "code 3.",
                "",
                "--obis entries: A.B.C.D.E.F (or A-B:C.D.E*F) reads a register (class 3) value, attribute 2, scaled "
                        + "by its scaler_unit; CLASS/OBIS/ATTRIBUTE reads any attribute of any class unscaled, "
                        + "e.g. 8/0.0.1.0.0.255/2 for the clock (an ISO date-time), 1/0.0.96.1.0.255/2 for a "
                        + "data object. Registers (3 or 4) at attribute 2 are always scaled.",
                "",
                "Exit codes:",
                "  0  every object read",
                "  1  meter unreachable or not answering: connection refused, connect or reply timeout, connection "
                        + "lost, garbled reply",
                "  2  usage error: unknown measurement, malformed OBIS, bad option",
                "  3  the meter refused some objects (the others are printed)",
                "  4  association rejected: client address, password, keys",
                "",
                "--profile OBIS reads a Profile Generic (load profile, event log) instead: rows captured from --from "
                        + "to --to (both inclusive; default the last 24 hours) by range, or rows --entries N..M "
                        + "(1-based; N.. up to the last), one JSON line per row, or CSV with --csv:",
                "  {\"ts\":1795996800000,\"time\":\"2026-11-30T12:00:00Z\",\"values\":{\"clock\":\"...\","
                        + "\"active_energy\":1234567,\"voltage_l1\":230.1},\"clockStatus\":0}",
                "--from/--to take an instant (2026-11-30T12:00:00Z, 2026-11-30T13:00+01:00) or the meter's local "
                        + "time (2026-11-30T13:00, 2026-11-30) at --utc-offset.",
                ""})
public final class ReadCommand implements Callable<Integer> {

    /** Exit code when the meter cannot be reached or stops answering. */
    public static final int EXIT_UNREACHABLE = 1;
    /** Exit code of a usage error; picocli uses the same for options it cannot parse. */
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    /** Exit code when the meter answered but refused at least one of the objects asked. */
    public static final int EXIT_OBJECTS_REFUSED = 3;
    /** Exit code when the meter refused the association. */
    public static final int EXIT_ASSOCIATION_REJECTED = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", required = true, description = "Meter or serial-to-IP converter address.")
    String host;

    @Option(names = "--port", defaultValue = "4059", description = "TCP port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--framing", defaultValue = "WRAPPER", converter = SimulateCommand.FramingConverter.class,
            description = "wrapper or hdlc (default wrapper).")
    Framing framing;

    @Option(names = "--client-address",
            description = "Client SAP / source wPort (default 16 with --auth none, 1 with low or high-gmac).")
    Integer clientAddress;

    @Option(names = "--logical-address", defaultValue = "1",
            description = "Server logical address / destination wPort (default ${DEFAULT-VALUE}).")
    int logicalAddress;

    @Option(names = "--physical-address", defaultValue = "1",
            description = "HDLC physical (lower) address (default ${DEFAULT-VALUE}, as a configured device's; HDLC"
                    + " only). simulate numbers its meters 16, 17, ... (its ready line says which).")
    int physicalAddress;

    @Option(names = "--auth", defaultValue = "NONE", converter = AuthenticationConverter.class,
            description = "none, low or high-gmac (default none).")
    Authentication authentication;

    @Option(names = "--password", description = "LOW password (required with --auth low).")
    String password;

    @Option(names = "--block-cipher-key", description = "HIGH_GMAC block cipher key, 32 hex digits (required).")
    String blockCipherKey;

    @Option(names = "--authentication-key", description = "HIGH_GMAC authentication key, 32 hex digits (required).")
    String authenticationKey;

    @Option(names = "--system-title",
            description = "HIGH_GMAC client system title, 16 hex digits (default "
                    + DlmsClientSettings.DEFAULT_CLIENT_SYSTEM_TITLE + ").")
    String systemTitle;

    @Option(names = "--invocation-counter", defaultValue = "0",
            description = "HIGH_GMAC invocation counter to start from; meters refuse one they have seen "
                    + "(default ${DEFAULT-VALUE}).")
    long invocationCounter;

    @Option(names = "--invocation-counter-object", paramLabel = "OBIS",
            description = "HIGH_GMAC: read the meter's frame counter (e.g. 0.0.43.1.0.255) through the public client "
                    + "first and start above it, as Gurux's reader does.")
    String invocationCounterObject;

    @Option(names = "--measurements", split = ",", paramLabel = "NAME",
            description = "Catalogue names to read, comma-separated (default: all twelve: voltage_l1 .. "
                    + "active_energy).")
    List<String> measurementNames = new ArrayList<>();

    @Option(names = "--obis", split = ",", paramLabel = "OBIS",
            description = "Objects to read by OBIS code, comma-separated (see above); may be combined with "
                    + "--measurements.")
    List<String> obisEntries = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "OBIS",
            description = "Read the rows of this Profile Generic (class 7), e.g. 1.0.99.1.0.255, instead of values.")
    String profile;

    @Option(names = "--from", paramLabel = "TIME",
            description = "First capture time of --profile, inclusive (default: 24 hours before --to).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Last capture time of --profile, inclusive (default: now).")
    String to;

    @Option(names = "--entries", paramLabel = "N..M",
            description = "Read --profile by entry instead of by range: rows N to M, 1-based; N.. reads to the last.")
    String entries;

    @Option(names = "--csv", description = "Print --profile rows as CSV with a header instead of JSON lines.")
    boolean csv;

    @Option(names = "--deviation-sign", defaultValue = "STANDARD",
            converter = SimulateCommand.DeviationSignConverter.class,
            description = "How the meter signs the deviation of its date-times: standard (CET sent as -60) or "
                    + "inverted (CET as +60) (default standard).")
    DeviationSign deviationSign;

    @Option(names = "--utc-offset", defaultValue = "+00:00", converter = SimulateCommand.ZoneOffsetConverter.class,
            description = "Offset of the meter's local time from UTC: for date-times without a deviation, and for "
                    + "--from/--to given as local times (default ${DEFAULT-VALUE}).")
    ZoneOffset utcOffset;

    @Option(names = "--connect-timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "TCP connect timeout: 500ms, 5s, 1m or ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "Time to wait for each reply (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-v", "--verbose"},
            description = "Log the DLMS exchange and print stack traces of failures on standard error.")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Measurement> asked;
        DlmsClientSettings settings;
        ProfileQuery query;
        try {
            query = profileQuery(Instant.now());
            asked = query == null ? measurements() : List.of();
            settings = settings();
        } catch (IllegalArgumentException | DateTimeException e) {
            err.println("read: " + oneLine(e.getMessage()));
            err.flush();
            return EXIT_USAGE;
        }
        QuietLogging quiet = new QuietLogging();
        try {
            return query != null ? readProfile(query, settings, out, err) : read(asked, settings, out, err);
        } finally {
            quiet.restore();
            out.flush();
            err.flush();
        }
    }

    private int read(List<Measurement> asked, DlmsClientSettings settings, PrintWriter out, PrintWriter err) {
        return withConnection(settings, err, (connection, meter) -> {
            ReadResult result = connection.read(asked).join();
            // never fails; a meter that refuses the release is closed all the same
            connection.release().join();
            out.println(toJson(asked, result));
            if (!result.refusals().isEmpty()) {
                err.println("read: " + meter + " refused " + result.refusals().size() + " of " + asked.size()
                        + " objects: " + describe(result.refusals()));
                return EXIT_OBJECTS_REFUSED;
            }
            return CommandLine.ExitCode.OK;
        });
    }

    private int readProfile(ProfileQuery query, DlmsClientSettings settings, PrintWriter out, PrintWriter err) {
        return withConnection(settings, err, (connection, meter) -> {
            ProfileRows rows;
            try {
                rows = (query.byEntry()
                        ? connection.readProfileEntries(query.profile(), query.fromEntry(), query.toEntry(),
                                Priority.ON_DEMAND)
                        : connection.readProfileRange(query.profile(), query.from(), query.to(), Priority.ON_DEMAND))
                        .join();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof DlmsAccessException refused)) {
                    throw e;
                }
                connection.release().join();
                err.println("read: " + meter + ": " + oneLine(stripMeterPrefix(refused))
                        + (query.byEntry() || refused.attributeIndex() != 2 ? ""
                                : " (a meter that refuses reading by range may allow it by entry: --entries 1..)"));
                return EXIT_OBJECTS_REFUSED;
            }
            connection.release().join();
            if (csv) {
                ProfileRowsOutput.csv(rows.shape(), rows.rows(), out);
            } else {
                ProfileRowsOutput.jsonLines(rows.shape(), rows.rows(), out);
            }
            return CommandLine.ExitCode.OK;
        });
    }

    /** What a read does on its open association; a failure of the association comes as a CompletionException. */
    @FunctionalInterface
    private interface ConnectionWork {
        int run(DlmsConnection connection, String meter);
    }

    /**
     * Opens one association on an event loop of its own, runs {@code work} on it and gives its exit code; an
     * association that cannot be opened, or breaks during the work, gives the failure's exit code and message.
     */
    private int withConnection(DlmsClientSettings settings, PrintWriter err, ConnectionWork work) {
        String meter = host + ":" + port;
        EventLoopGroup group = SocketTransport.newEventLoopGroup(1, new DefaultThreadFactory("dlms-read", true));
        try {
            requireNotOnEventLoop(group);
            DlmsConnection connection;
            try {
                connection = DlmsConnection.open(group, new InetSocketAddress(host, port), settings, meter).join();
            } catch (CompletionException e) {
                return failure(e.getCause(), true, settings, err);
            }
            try {
                return work.run(connection, meter);
            } catch (CompletionException e) {
                connection.close();
                return failure(e.getCause(), false, settings, err);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * What {@code --profile} asks for, or null without it.
     *
     * @param byEntry false: by range from {@code from} to {@code to}; true: entries {@code fromEntry..toEntry}
     */
    record ProfileQuery(ObisCode profile, boolean byEntry, Instant from, Instant to, long fromEntry, long toEntry) {
    }

    ProfileQuery profileQuery(Instant now) {
        if (profile == null) {
            if (from != null || to != null || entries != null || csv) {
                throw new IllegalArgumentException("--from, --to, --entries and --csv go with --profile");
            }
            return null;
        }
        if (!measurementNames.isEmpty() || !obisEntries.isEmpty()) {
            throw new IllegalArgumentException("--profile reads a profile's rows: leave out --measurements and --obis");
        }
        ObisCode obis = ObisCode.parse(profile.trim());
        if (entries != null) {
            if (from != null || to != null) {
                throw new IllegalArgumentException("--entries reads by entry: leave out --from and --to");
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,10})\\s*\\.\\.\\s*(\\d{0,10})\\s*")
                    .matcher(entries);
            if (!m.matches()) {
                throw new IllegalArgumentException("--entries " + entries + ": expected N..M or N.. (1-based)");
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? 0 : Long.parseLong(m.group(2));
            if (first < 1 || last != 0 && last < first || first > Integer.MAX_VALUE || last > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--entries " + entries + ": expected 1 <= N <= M");
            }
            return new ProfileQuery(obis, true, null, null, first, last);
        }
        Instant end = to == null ? now : time("--to", to);
        Instant start = from == null ? end.minus(Duration.ofHours(24)) : time("--from", from);
        if (start.isAfter(end)) {
            throw new IllegalArgumentException("--from " + start + " is after --to " + end);
        }
        return new ProfileQuery(obis, false, start, end, 0, 0);
    }

    /** An instant, an offset date-time, or the meter's local date-time or date at {@code --utc-offset}. */
    private Instant time(String option, String text) {
        String t = text.trim();
        try {
            return Instant.parse(t);
        } catch (DateTimeException e) {
            // not an instant in UTC: try the other forms
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeException e) {
            // no offset given
        }
        try {
            return LocalDateTime.parse(t).toInstant(utcOffset);
        } catch (DateTimeException e) {
            // no time given
        }
        try {
            return LocalDate.parse(t).atStartOfDay().toInstant(utcOffset);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(option + " " + text + ": expected an instant (2026-11-30T12:00:00Z), "
                    + "an offset date-time (2026-11-30T13:00+01:00) or the meter's local time (2026-11-30T13:00, "
                    + "2026-11-30)");
        }
    }

    /** Joining on the connection's own event loop would deadlock it; the group is ours, so this is a guard. */
    private static void requireNotOnEventLoop(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                throw new IllegalStateException("read must not wait on its own event loop");
            }
        }
    }

    /** @param associating true when the failure came before the association was established */
    private int failure(Throwable cause, boolean associating, DlmsClientSettings settings, PrintWriter err) {
        String reason = cause instanceof DlmsException d ? stripMeterPrefix(d) : String.valueOf(cause);
        int exit;
        if (cause instanceof AssociationRejectedException) {
            exit = EXIT_ASSOCIATION_REJECTED;
            if (settings.authentication() == Authentication.HIGH_GMAC
                    && settings.invocationCounterObject().isEmpty()) {
                // the usual cause once the keys are right: a counter the meter has already seen
                reason = reason + " (an invocation counter the meter has seen? --invocation-counter-object "
                        + "0.0.43.1.0.255 starts above its frame counter)";
            }
        } else if (associating && cause instanceof DlmsProtocolException p && !p.isConnectionLost()) {
            // a well-formed refusal of the AARQ itself (exception-response, e.g. a ciphered AARQ the meter cannot
            // decrypt): the meter is there and answering, it just will not associate with these settings
            exit = EXIT_ASSOCIATION_REJECTED;
            reason = "association rejected: " + reason
                    + (settings.authentication() == Authentication.HIGH_GMAC ? " (wrong keys or system title?)" : "");
        } else if (cause instanceof DlmsException) {
            exit = EXIT_UNREACHABLE;
            if (cause instanceof DlmsTimeoutException && settings.framing() == Framing.HDLC
                    && reason.contains("SNRM")) {
                reason += " (an HDLC meter ignores frames for another address: check --physical-address "
                        + settings.physicalAddress() + " and --logical-address " + settings.logicalAddress()
                        + (settings.physicalAddress() == 1 ? "; simulated meters start at physical address 16" : "")
                        + ")";
            } else if (cause instanceof DlmsTimeoutException && settings.framing() == Framing.WRAPPER
                    && reason.contains("AARQ")) {
                // the TCP connection was accepted but nothing came back: an HDLC meter (or converter) discards
                // WRAPPER headers as noise, and a WRAPPER meter ignores an APDU for a wPort it does not have
                reason += " (a meter that answers nothing to a WRAPPER request may speak HDLC: try --framing hdlc;"
                        + " or check --logical-address " + settings.logicalAddress() + " and --client-address "
                        + settings.clientAddress() + ")";
            }
        } else {
            exit = EXIT_UNREACHABLE;
        }
        err.println("read: " + host + ":" + port + ": " + oneLine(reason));
        if (verbose) {
            cause.printStackTrace(err);
        }
        return exit;
    }

    /** DlmsException messages start with "[meter] "; the meter is host:port, which this command prints itself. */
    private static String stripMeterPrefix(DlmsException e) {
        String prefix = "[" + e.meter() + "] ";
        String message = String.valueOf(e.getMessage());
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    // ---- what to read ------------------------------------------------------------------------------------------

    List<Measurement> measurements() {
        Map<String, Measurement> byName = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String name : measurementNames) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            MeasurementCatalog.byName(trimmed).ifPresentOrElse(m -> byName.put(m.name(), m), () -> unknown.add(trimmed));
        }
        if (!unknown.isEmpty()) {
            Set<String> known = new LinkedHashSet<>();
            MeasurementCatalog.standard().forEach(m -> known.add(m.name()));
            throw new IllegalArgumentException("unknown measurement" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + "; known: " + String.join(", ", known)
                    + " (or read any object with --obis)");
        }
        for (String entry : obisEntries) {
            if (!entry.isBlank()) {
                Measurement m = Measurement.parse(entry);
                byName.put(m.name(), m);
            }
        }
        if (byName.isEmpty()) {
            MeasurementCatalog.standard().forEach(m -> byName.put(m.name(), m));
        }
        return List.copyOf(byName.values());
    }

    // ---- how to reach the meter --------------------------------------------------------------------------------

    DlmsClientSettings settings() {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + " is out of range 1..65535");
        }
        DlmsClientSettings.Builder b = DlmsClientSettings.builder()
                .framing(framing)
                .logicalAddress(logicalAddress)
                .physicalAddress(physicalAddress)
                .authentication(authentication)
                .invocationCounter(invocationCounter)
                .connectTimeout(connectTimeout)
                .requestTimeout(timeout)
                .deviationSign(deviationSign)
                .clockOffset(utcOffset);
        if (clientAddress != null) {
            b.clientAddress(clientAddress); // otherwise the settings' default for the authentication
        }
        switch (authentication) {
            case LOW -> {
                if (password == null || password.isEmpty()) {
                    throw new IllegalArgumentException("--auth low needs --password");
                }
                b.password(password);
            }
            case HIGH_GMAC -> {
                if (blockCipherKey == null || authenticationKey == null) {
                    throw new IllegalArgumentException("--auth high-gmac needs --block-cipher-key and "
                            + "--authentication-key");
                }
                b.blockCipherKey(blockCipherKey).authenticationKey(authenticationKey);
                if (systemTitle != null) {
                    b.clientSystemTitle(systemTitle);
                }
                if (invocationCounterObject != null) {
                    b.invocationCounterObject(io.dlmsgateway.dlms.ObisCode.parse(invocationCounterObject));
                }
            }
            default -> {
                // NONE: nothing to prove
            }
        }
        return b.build();
    }

    // ---- output ------------------------------------------------------------------------------------------------

    private static final ObjectMapper JSON = JsonMapper.builder()
            // 230.1, never 2.301E+2: technicians and scripts read these numbers
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** One entry per measurement asked, in the order asked: its value and unit, or the meter's refusal. */
    static String toJson(List<Measurement> asked, ReadResult result) {
        try {
            return JSON.writeValueAsString(MeasurementJson.read(asked, result::value, result::refusal));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("values not serialisable: " + e.getMessage(), e);
        }
    }

    private static String describe(List<Refusal> refusals) {
        List<String> parts = new ArrayList<>(refusals.size());
        for (Refusal r : refusals) {
            parts.add(r.measurement().classId() + "/" + r.measurement().obis() + "/" + r.attributeIndex() + " "
                    + r.resultName());
        }
        return String.join(", ", parts);
    }

    private static String oneLine(String text) {
        return String.valueOf(text).replaceAll("\\s*\\R\\s*", " ").strip();
    }

    // ---- logging ------------------------------------------------------------------------------------------------

    /**
     * The output is the JSON and the one-line reason; the client's INFO lines and Gurux's own complaints (it logs
     * "Decrypt failed" when HIGH_GMAC keys are wrong) would get in the way of scripts. With {@code --verbose} the
     * client's DEBUG lines show the exchange instead. Levels are restored afterwards: the command may run inside a
     * host (tests, a shell) that set its own.
     */
    private final class QuietLogging {
        /** Held strongly: java.util.logging keeps loggers weakly, and a collected one would forget its level. */
        private final java.util.logging.Logger gurux = java.util.logging.Logger.getLogger("gurux");
        private final java.util.logging.Level guruxBefore = gurux.getLevel();
        private final ch.qos.logback.classic.Logger ours =
                LoggerFactory.getLogger("io.dlmsgateway") instanceof ch.qos.logback.classic.Logger l ? l : null;
        private final Level oursBefore = ours == null ? null : ours.getLevel();

        QuietLogging() {
            if (!verbose) {
                gurux.setLevel(java.util.logging.Level.OFF);
            }
            if (ours != null) {
                ours.setLevel(verbose ? Level.DEBUG : Level.WARN);
            }
        }

        void restore() {
            gurux.setLevel(guruxBefore);
            if (ours != null) {
                ours.setLevel(oursBefore);
            }
        }
    }

    // ---- converters --------------------------------------------------------------------------------------------

    static final class AuthenticationConverter implements CommandLine.ITypeConverter<Authentication> {
        @Override
        public Authentication convert(String value) {
            try {
                return Authentication.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected none, low or high-gmac, got '" + value + "'");
            }
        }
    }
}
