package io.dlmsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatedProfiles;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code dlms-gateway read --profile} in-process against simulated meters on loopback, with a frozen clock. */
class ReadProfileCommandTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:07:30Z");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final String LOAD_PROFILE = SimulatedProfiles.LOAD_PROFILE.toString();

    /** Meters at +01:00 with an inverted deviation sign; a second simulator refuses ranges. */
    private static MeterSimulator meters;
    private static MeterSimulator noRange;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() throws IOException {
        meters = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(2).workerThreads(1)
                .framing(Framing.WRAPPER).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .deviationSign(DeviationSign.INVERTED).utcOffset(ZoneOffset.ofHours(1)).build());
        noRange = MeterSimulator.start(SimulatorOptions.builder().basePort(0).meterCount(1).workerThreads(1)
                .framing(Framing.HDLC).clock(Clock.fixed(NOW, ZoneOffset.UTC)).rangeAccess(false).build());
    }

    @AfterAll
    static void stop() {
        meters.close();
        noRange.close();
    }

    private int read(MeterSimulator sim, int meter, String... more) {
        List<String> args = new ArrayList<>(List.of("read", "--host", "127.0.0.1",
                "--port", String.valueOf(sim.addresses().get(meter).getPort())));
        if (sim == noRange) {
            Collections.addAll(args, "--framing", "hdlc", "--physical-address",
                    String.valueOf(sim.addressing().physicalAddress(meter)));
        } else {
            Collections.addAll(args, "--deviation-sign", "inverted", "--utc-offset", "+01:00");
        }
        Collections.addAll(args, more);
        CommandLine cli = new CommandLine(new DlmsGatewayCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args.toArray(String[]::new));
    }

    private List<JsonNode> lines() throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.toString().lines().toList()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    private static void assertRow(JsonNode row, int meter, Instant t) {
        assertThat(row.get("ts").asLong()).isEqualTo(t.toEpochMilli());
        assertThat(row.get("time").asText()).isEqualTo(t.toString());
        JsonNode values = row.get("values");
        assertThat(values.fieldNames()).toIterable().containsExactly("clock", "active_energy", "voltage_l1");
        assertThat(values.get("clock").asText()).isEqualTo(t.toString());
        assertThat(values.get("active_energy").decimalValue()).isEqualByComparingTo(SimulatedProfiles.energy(meter, t));
        assertThat(values.get("voltage_l1").decimalValue()).isEqualByComparingTo(SimulatedProfiles.voltage(meter, t));
        assertThat(row.get("clockStatus").asInt()).isZero();
    }

    @Test
    void printsOneJsonLinePerRowWithTheMetersTimestamps() throws IOException {
        int exit = read(meters, 1, "--profile", LOAD_PROFILE, "--from", "2026-11-30T10:00:00Z",
                "--to", "2026-11-30T11:00:00Z");

        assertThat(exit).as(err.toString()).isZero();
        List<JsonNode> rows = lines();
        assertThat(rows).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertRow(rows.get(i), 1, Instant.parse("2026-11-30T10:00:00Z").plus(Duration.ofMinutes(15L * i)));
        }
        assertThat(out.toString()).doesNotContain("E+").doesNotContain("E-");
    }

    @Test
    void localTimesAreTheMetersAtItsOffset() throws IOException {
        int exit = read(meters, 0, "--profile", LOAD_PROFILE, "--from", "2026-11-30T11:00", "--to",
                "2026-11-30T11:15");

        assertThat(exit).as(err.toString()).isZero();
        List<JsonNode> rows = lines();
        assertThat(rows).hasSize(2);
        assertRow(rows.get(0), 0, Instant.parse("2026-11-30T10:00:00Z"));
        assertRow(rows.get(1), 0, Instant.parse("2026-11-30T10:15:00Z"));
    }

    @Test
    void theLast24HoursByDefault() throws IOException {
        // the range ends at the gateway's now, while the meters' clock is frozen earlier: pin both to one moment
        ReadCommand command = new ReadCommand();
        new CommandLine(command).parseArgs("--host", "x", "--profile", LOAD_PROFILE);
        ReadCommand.ProfileQuery query = command.profileQuery(NOW);
        assertThat(query.from()).isEqualTo(NOW.minus(Duration.ofHours(24)));
        assertThat(query.to()).isEqualTo(NOW);
        assertThat(query.byEntry()).isFalse();
    }

    @Test
    void entriesAndCsv() throws IOException {
        int exit = read(meters, 1, "--profile", LOAD_PROFILE, "--entries", "671..", "--csv");

        assertThat(exit).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("ts,time,clock,active_energy,voltage_l1,clockStatus,timeDerived");
        Instant last = SimulatedProfiles.lastCapture(NOW, SimulatedProfiles.DEFAULT_PERIOD);
        Instant before = last.minus(SimulatedProfiles.DEFAULT_PERIOD);
        assertThat(lines.subList(1, lines.size())).containsExactly(
                before.toEpochMilli() + "," + before + "," + before + "," + SimulatedProfiles.energy(1, before)
                        + "," + SimulatedProfiles.voltage(1, before).toPlainString() + ",0,false",
                last.toEpochMilli() + "," + last + "," + last + "," + SimulatedProfiles.energy(1, last)
                        + "," + SimulatedProfiles.voltage(1, last).toPlainString() + ",0,false");
    }

    @Test
    void theEventLogHasItsCodeUnderItsObis() throws IOException {
        int exit = read(meters, 0, "--profile", SimulatedProfiles.EVENT_LOG.toString(), "--entries", "1..1");

        assertThat(exit).as(err.toString()).isZero();
        JsonNode row = lines().get(0);
        long k = SimulatedProfiles.events(0, NOW, SimulatedProfiles.DEFAULT_HISTORY).get(0);
        assertThat(row.get("values").get("0.0.96.11.0.255").asInt()).isEqualTo(SimulatedProfiles.eventCode(0, k));
        assertThat(row.get("ts").asLong()).isEqualTo(SimulatedProfiles.eventTime(0, k).toEpochMilli());
    }

    @Test
    void aMeterRefusingRangesExitsThreeSuggestingEntries() throws IOException {
        int exit = read(noRange, 0, "--profile", LOAD_PROFILE, "--from", "2026-11-30T10:00:00Z");

        assertThat(exit).isEqualTo(ReadCommand.EXIT_OBJECTS_REFUSED);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("refused: other-reason", "--entries 1..");

        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertThat(read(noRange, 0, "--profile", LOAD_PROFILE, "--entries", "672..")).as(err.toString()).isZero();
        assertThat(lines()).hasSize(1);
    }

    @Test
    void profileOptionsAreCheckedBeforeConnecting() {
        assertThat(read(meters, 0, "--profile", LOAD_PROFILE, "--entries", "5..2")).isEqualTo(2);
        assertThat(err.toString()).contains("--entries 5..2");
        assertThat(read(meters, 0, "--profile", LOAD_PROFILE, "--from", "yesterday")).isEqualTo(2);
        assertThat(err.toString()).contains("--from yesterday: expected an instant");
        assertThat(read(meters, 0, "--csv")).isEqualTo(2);
        assertThat(err.toString()).contains("go with --profile");
    }
}
