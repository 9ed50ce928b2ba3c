package io.dlmsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedMeasurements;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code dlms-gateway read} in-process against simulated meters on loopback, with a frozen simulator clock. */
class ReadCommandTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:07Z");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    /** Meter 0 healthy, meter 1 for faults (healed after each test), meter 2 healthy. */
    private static MeterSimulator wrapper;
    private static MeterSimulator hdlc;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() throws IOException {
        wrapper = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(3).workerThreads(1)
                .framing(Framing.WRAPPER).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());
        hdlc = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2).workerThreads(1)
                .framing(Framing.HDLC).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());
    }

    @AfterAll
    static void stop() {
        wrapper.close();
        hdlc.close();
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new DlmsGatewayCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private int read(MeterSimulator sim, int meter, String... more) {
        List<String> args = new ArrayList<>(List.of("read", "--host", "127.0.0.1",
                "--port", String.valueOf(sim.addresses().get(meter).getPort())));
        Collections.addAll(args, more);
        return run(args.toArray(String[]::new));
    }

    private JsonNode json() throws IOException {
        return JSON.readTree(out.toString());
    }

    /** The exact value the meter serves at {@link #NOW}: its integer times 10^scaler. */
    private static BigDecimal expected(String name, int meter) {
        return BigDecimal.valueOf(SimulatedMeasurements.raw(name, meter, NOW.toEpochMilli()))
                .scaleByPowerOfTen(SimulatedMeasurements.scaler(name));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void readsNamedMeasurementsAsPlainNumbersWithUnits() throws IOException {
        int exit = read(wrapper, 0, "--measurements", "voltage_l1,power_factor,active_energy");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
        JsonNode json = json();
        assertThat(json.fieldNames()).toIterable().containsExactly("voltage_l1", "power_factor", "active_energy");
        for (String name : List.of("voltage_l1", "power_factor", "active_energy")) {
            assertThat(json.get(name).get("value").decimalValue()).as(name).isEqualByComparingTo(expected(name, 0));
        }
        assertThat(json.get("voltage_l1").get("unit").asText()).isEqualTo("V");
        assertThat(json.get("active_energy").get("unit").asText()).isEqualTo("Wh");
        assertThat(json.get("power_factor").has("unit")).as("a unitless register has no unit").isFalse();
        // printed as a technician writes it: 230.1, not 2.301E+2
        assertThat(out.toString()).contains("\"value\" : " + expected("voltage_l1", 0).toPlainString())
                .doesNotContain("E+").doesNotContain("E-");
    }

    @Test
    void readsTheWholeCatalogueByDefault() throws IOException {
        int exit = read(wrapper, 2);

        assertThat(exit).as(err.toString()).isZero();
        JsonNode json = json();
        List<String> names = MeasurementCatalog.standard().stream().map(Measurement::name).toList();
        assertThat(json.fieldNames()).toIterable().containsExactlyElementsOf(names);
        for (String name : names) {
            assertThat(json.get(name).get("value").decimalValue()).as(name).isEqualByComparingTo(expected(name, 2));
        }
    }

    @Test
    void readsRegistersAndTheClockByObis() throws IOException {
        int exit = read(wrapper, 0, "--obis", "1-0:14.7.0*255,8/0.0.1.0.0.255/2");

        assertThat(exit).as(err.toString()).isZero();
        JsonNode json = json();
        assertThat(json.fieldNames()).toIterable().containsExactly("1.0.14.7.0.255", "8/0.0.1.0.0.255/2");
        assertThat(json.get("1.0.14.7.0.255").get("value").decimalValue())
                .isEqualByComparingTo(expected("frequency", 0));
        assertThat(json.get("1.0.14.7.0.255").get("unit").asText()).isEqualTo("Hz");
        JsonNode clock = json.get("8/0.0.1.0.0.255/2");
        assertThat(clock.has("unit")).isFalse();
        assertThat(OffsetDateTime.parse(clock.get("value").asText()).toInstant()).isEqualTo(NOW);
    }

    @Test
    void readsOverHdlcWithThePhysicalAddress() throws IOException {
        int physical = hdlc.addressing().physicalAddress(1);

        int exit = read(hdlc, 1, "--framing", "hdlc", "--physical-address", String.valueOf(physical),
                "--measurements", "current_l2");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(json().get("current_l2").get("value").decimalValue())
                .isEqualByComparingTo(expected("current_l2", 1));
        assertThat(json().get("current_l2").get("unit").asText()).isEqualTo("A");
    }

    @Test
    void hdlcMeterIgnoringAnotherPhysicalAddressTimesOutNamingTheAddress() {
        int wrong = hdlc.addressing().physicalAddress(0) + 100;

        int exit = read(hdlc, 0, "--framing", "hdlc", "--physical-address", String.valueOf(wrong),
                "--timeout", "500ms");

        assertThat(exit).isEqualTo(ReadCommand.EXIT_UNREACHABLE).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("no reply to SNRM within 500 ms").contains("--physical-address " + wrong);
    }

    @Test
    void anHdlcMeterReadWithWrapperFramingGetsAHintToTryHdlc() {
        int exit = read(hdlc, 0, "--timeout", "500ms", "--measurements", "voltage_l1");

        assertThat(exit).isEqualTo(ReadCommand.EXIT_UNREACHABLE);
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("no reply to AARQ within 500 ms").contains("try --framing hdlc");
    }

    @Test
    void aHostNameThatDoesNotResolveIsSaidSo() {
        int exit = run("read", "--host", "no-such-meter.invalid", "--measurements", "voltage_l1");

        assertThat(exit).isEqualTo(ReadCommand.EXIT_UNREACHABLE);
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("the host name no-such-meter.invalid does not resolve");
    }

    @Test
    void aMissingHostIsOneLineAndAPointerToTheHelp() {
        CommandLine cli = DlmsGatewayCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("read", "--measurements", "voltage_l1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly(
                "dlms-gateway read: Missing required option: '--host=<host>'",
                "Try 'dlms-gateway read --help' for more information.");
    }

    @Test
    void readsWithLowAuthenticationAsTheManagementClient() throws IOException {
        int exit = read(wrapper, 0, "--auth", "low", "--password", SimulatorOptions.DEFAULT_PASSWORD,
                "--measurements", "frequency");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(json().get("frequency").get("value").decimalValue()).isEqualByComparingTo(expected("frequency", 0));
    }

    @Test
    void readsWithHighGmac() throws IOException {
        int exit = read(hdlc, 0, "--framing", "hdlc", "--physical-address",
                String.valueOf(hdlc.addressing().physicalAddress(0)), "--auth", "high-gmac",
                "--block-cipher-key", SimulatorOptions.DEFAULT_BLOCK_CIPHER_KEY,
                "--authentication-key", SimulatorOptions.DEFAULT_AUTHENTICATION_KEY,
                "--measurements", "active_power");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(json().get("active_power").get("value").decimalValue())
                .isEqualByComparingTo(expected("active_power", 0));
    }

    @Test
    void aSecondHighGmacReadNeedsTheMetersFrameCounter() throws IOException {
        String[] gmac = {"--framing", "hdlc", "--physical-address", String.valueOf(hdlc.addressing().physicalAddress(1)),
            "--auth", "high-gmac", "--block-cipher-key", SimulatorOptions.DEFAULT_BLOCK_CIPHER_KEY,
            "--authentication-key", SimulatorOptions.DEFAULT_AUTHENTICATION_KEY, "--measurements", "frequency"};
        assertThat(read(hdlc, 1, gmac)).as(err.toString()).isZero();

        // the meter has seen the counters from 0 on: the same start again is refused, with the way out named
        out.getBuffer().setLength(0);
        assertThat(read(hdlc, 1, gmac)).isEqualTo(ReadCommand.EXIT_ASSOCIATION_REJECTED);
        assertThat(err.toString()).contains("--invocation-counter-object 0.0.43.1.0.255");

        List<String> withFrameCounter = new ArrayList<>(List.of(gmac));
        Collections.addAll(withFrameCounter, "--invocation-counter-object", "0.0.43.1.0.255");
        out.getBuffer().setLength(0);
        assertThat(read(hdlc, 1, withFrameCounter.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(json().get("frequency").get("value").decimalValue()).isEqualByComparingTo(expected("frequency", 1));
    }

    @Test
    void wrongPasswordIsARejectedAssociation() {
        int exit = read(wrapper, 0, "--auth", "low", "--password", "wrong");

        assertThat(exit).isEqualTo(ReadCommand.EXIT_ASSOCIATION_REJECTED).isEqualTo(4);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("association rejected").containsIgnoringCase("authentication");
    }

    @Test
    void wrongHighGmacKeyIsARejectedAssociation() {
        int exit = read(wrapper, 0, "--auth", "high-gmac",
                "--block-cipher-key", SimulatorOptions.DEFAULT_BLOCK_CIPHER_KEY,
                "--authentication-key", "00112233445566778899AABBCCDDEEFF");

        assertThat(exit).isEqualTo(4);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).singleElement().asString().contains("association rejected");
    }

    @Test
    void rejectingMeterExitsWithFourAndTheReason() {
        wrapper.meter(1).fault(MeterFault.REJECT_ASSOCIATION);
        try {
            int exit = read(wrapper, 1);

            assertThat(exit).isEqualTo(4);
            assertThat(err.toString().lines()).singleElement().asString()
                    .startsWith("read: 127.0.0.1:" + wrapper.addresses().get(1).getPort() + ": association rejected")
                    .containsIgnoringCase("rejected");
        } finally {
            wrapper.meter(1).heal();
        }
    }

    @Test
    void closedPortIsConnectionRefused() throws IOException {
        int port = freePort();

        int exit = run("read", "--host", "127.0.0.1", "--port", String.valueOf(port));

        assertThat(exit).isEqualTo(ReadCommand.EXIT_UNREACHABLE);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("connection refused").contains("127.0.0.1:" + port).doesNotContain("Exception");
    }

    @Test
    void silentMeterTimesOut() {
        wrapper.meter(1).fault(MeterFault.STOP_ANSWERING);
        try {
            int exit = read(wrapper, 1, "--timeout", "500ms");

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString().lines()).singleElement().asString()
                    .contains("no reply to AARQ within 500 ms");
        } finally {
            wrapper.meter(1).heal();
        }
    }

    @Test
    void refusedObjectsArePrintedAsErrorsWithExitThree() throws IOException {
        int exit = read(wrapper, 0, "--obis", "1.0.99.99.0.255,1.0.32.7.0.255");

        assertThat(exit).isEqualTo(ReadCommand.EXIT_OBJECTS_REFUSED).isEqualTo(3);
        JsonNode json = json();
        assertThat(json.get("1.0.99.99.0.255").get("error").asText()).isEqualTo("object-undefined");
        assertThat(json.get("1.0.99.99.0.255").get("result").asInt()).isEqualTo(4);
        assertThat(json.get("1.0.32.7.0.255").get("value").decimalValue())
                .isEqualByComparingTo(expected("voltage_l1", 0));
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("refused 1 of 2 objects").contains("1.0.99.99.0.255").contains("object-undefined");
    }

    @Test
    void unknownMeasurementNameIsAUsageErrorListingTheKnownOnes() {
        long requestsBefore = wrapper.meter(0).requestCount();

        int exit = read(wrapper, 0, "--measurements", "voltage_l1,voltage_l9");

        assertThat(exit).isEqualTo(ReadCommand.EXIT_USAGE).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("unknown measurement voltage_l9").contains("voltage_l1", "active_energy", "frequency");
        assertThat(wrapper.meter(0).requestCount()).as("nothing was sent").isEqualTo(requestsBefore);
    }

    @Test
    void malformedObisIsAUsageError() {
        int exit = read(wrapper, 0, "--obis", "1.0.32.7.0");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString().contains("malformed OBIS code '1.0.32.7.0'");
    }

    @Test
    void malformedAttributeReferenceIsAUsageError() {
        int exit = read(wrapper, 0, "--obis", "8/0.0.1.0.0.255/200");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString().contains("attribute 200 is outside 1..127");
    }

    @Test
    void lowWithoutPasswordIsAUsageError() {
        int exit = read(wrapper, 0, "--auth", "low");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("read: --auth low needs --password");
    }

    @Test
    void verbosePrintsTheStackTrace() throws IOException {
        int exit = run("read", "--host", "127.0.0.1", "--port", String.valueOf(freePort()), "--verbose");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines().count()).isGreaterThan(1);
        assertThat(err.toString()).contains("DlmsConnectionException");
    }

    @Test
    void helpDocumentsTheObisSyntaxAndTheExitCodes() {
        int exit = run("read", "--help");

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("8/0.0.1.0.0.255/2", "Exit codes", "4  association rejected",
                "3  the meter refused", "--connect-timeout", "--timeout");
    }

    @Test
    void durationsAcceptMillisecondsSecondsMinutesAndIso() {
        DurationConverter c = new DurationConverter();
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(c.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> c.convert("0s")).hasMessageContaining("positive");
        assertThatThrownBy(() -> c.convert("five seconds")).hasMessageContaining("5s");
    }
}
