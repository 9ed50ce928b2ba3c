package io.dlmsgateway.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.bench.target.TargetSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadReportTest {

    private static final LoadReport.Machine MACHINE = new LoadReport.Machine(2, 23.5, "AMD EPYC", "6.1");
    private static final LoadReport.Settings SETTINGS = new LoadReport.Settings(1000, "WRAPPER", 5000, 20000,
            60000, 21000, "Simulating 1000 DLMS meters (WRAPPER)");

    private static TargetSummary summary(String target, long done, long onTime, long completed, long failures,
            int threads, long heapBytes) {
        TargetSummary.Percentiles lag = new TargetSummary.Percentiles(done, 1, 2, 3, 40);
        TargetSummary.Percentiles latency = new TargetSummary.Percentiles(done, 0.5, 1, 2, 9);
        return new TargetSummary(target, 1000, 5000, 1_000_000, 1_060_000, 12_000, done, onTime, completed,
                done * 4, failures, 0, 0, 0, 1000, lag, latency, heapBytes, 2 * heapBytes, 3 * heapBytes, threads, "25.0.3",
                target + " notes", null);
    }

    /** Samples 60 s apart at 100 ticks/s: {@code ticks} of CPU, {@code rssKiB} resident, {@code threads}. */
    private static LoadResult result(TargetSummary s, long ticks, long rssKiB, int threads) {
        return LoadResult.of(s, "/jdk", List.of("-Xmx2g"), new ProcessSample(1000, rssKiB, rssKiB, threads),
                new ProcessSample(1000 + ticks, rssKiB, rssKiB + 10, threads), new ProcessSample(0, 1, 1, 1),
                new ProcessSample(500, 1, 1, 1), 100);
    }

    @Test
    void derivesPerPollAndPerMeterFiguresFromTheSamples() {
        LoadResult fleet = result(summary("fleet", 12_000, 11_988, 12_000, 0, 20, 20L << 20), 600, 200_000, 20);

        assertThat(fleet.cpuSeconds()).isEqualTo(6.0);
        assertThat(fleet.cpuPercentOfOneCore()).isEqualTo(10.0);
        assertThat(fleet.cpuSecondsPer1000Polls()).isEqualTo(0.5);
        assertThat(fleet.rssPerMeterKiB()).isEqualTo(200.0);
        assertThat(fleet.heapPerMeterKiB()).isEqualTo(20.48);
        assertThat(fleet.pollsDonePercent()).isEqualTo(100.0);
        assertThat(fleet.onTimePercent()).isEqualTo(99.9);
        assertThat(fleet.simulatorCpuSeconds()).isEqualTo(5.0);
    }

    @Test
    void ratiosAreBaselineOverFleet() {
        LoadResult fleet = result(summary("fleet", 12_000, 12_000, 12_000, 0, 20, 20L << 20), 600, 200_000, 20);
        LoadResult threads = result(summary("baseline-threads", 11_400, 11_000, 12_000, 3, 1020, 40L << 20), 1200,
                600_000, 1020);
        LoadResult virtual = LoadResult.failed("baseline-virtual", "exited with code 1\nOutOfMemoryError", "/jdk",
                List.of(), null);

        LoadReport report = LoadReport.of("cmd", "2026-11-24T00:00:00Z", MACHINE, SETTINGS,
                List.of(fleet, threads, virtual));

        assertThat(report.ratios()).hasSize(2);
        LoadReport.Ratio r = report.ratios().get(0);
        assertThat(r.baseline()).isEqualTo("baseline-threads");
        assertThat(r.cpuPerPoll()).isEqualTo(2.0);
        assertThat(r.rssPerMeter()).isEqualTo(3.0);
        assertThat(r.heapPerMeter()).isEqualTo(2.0);
        assertThat(r.threads()).isEqualTo(51.0);
        assertThat(r.baselineOnTimePercent()).isEqualTo(91.667);
        assertThat(report.ratios().get(1).cpuPerPoll()).isNull();

        String md = report.toMarkdown();
        assertThat(md).contains("| | fleet | baseline-threads | baseline-virtual |")
                .contains("| polls scheduled / done | 12000 / 12000 | 12000 / 11400 |")
                .contains("| baseline-threads | 2.00× | 3.00× | 2.00× | 51.00× | 100.00 vs 91.67 |")
                .contains("| status | ok | ok | FAILED |")
                .contains("**baseline-virtual failed:**")
                .contains("OutOfMemoryError");
    }

    @Test
    void everyTargetIsStatedAsAMultipleOfTheFloor() {
        LoadResult fleet = result(summary("fleet", 12_000, 12_000, 12_000, 0, 20, 20L << 20), 600, 200_000, 20);
        LoadResult threads = result(summary("baseline-threads", 12_000, 12_000, 12_000, 0, 1020, 40L << 20), 1200,
                600_000, 1020);
        LoadResult floor = result(summary("floor", 12_000, 12_000, 12_000, 0, 18, 10L << 20), 300, 100_000, 18);

        LoadReport report = LoadReport.of("cmd", "now", MACHINE, SETTINGS, List.of(fleet, threads, floor));

        // the floor is not one of the fleet's baselines
        assertThat(report.ratios()).extracting(LoadReport.Ratio::baseline, LoadReport.Ratio::reference)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("baseline-threads", "fleet"),
                        org.assertj.core.groups.Tuple.tuple("fleet", "floor"),
                        org.assertj.core.groups.Tuple.tuple("baseline-threads", "floor"));
        LoadReport.Ratio fleetOverFloor = report.ratios().get(1);
        assertThat(fleetOverFloor.cpuPerPoll()).isEqualTo(2.0);
        assertThat(fleetOverFloor.rssPerMeter()).isEqualTo(2.0);
        assertThat(report.ratios().get(2).cpuPerPoll()).isEqualTo(4.0);

        String md = report.toMarkdown();
        assertThat(md).contains("| CPU per poll × floor | 2.00× | 4.00× | 1.00× |")
                .contains("Other ÷ floor (above 1: the floor uses less)")
                .contains("| fleet | 2.00× | 2.00× | 2.00× | 1.11× | 100.00 vs 100.00 |");
    }

    @Test
    void noFloorRowWithoutAFloorThatReported() {
        LoadResult fleet = result(summary("fleet", 12_000, 12_000, 12_000, 0, 20, 20L << 20), 600, 200_000, 20);
        LoadResult floor = LoadResult.failed("floor", "exited with code 1", "/jdk", List.of(), null);

        LoadReport report = LoadReport.of("cmd", "now", MACHINE, SETTINGS, List.of(fleet, floor));

        assertThat(report.toMarkdown()).doesNotContain("× floor").doesNotContain("÷ floor");
    }

    @Test
    void noRatiosWithoutAFleetThatReported() {
        LoadResult threads = result(summary("baseline-threads", 12_000, 12_000, 12_000, 0, 1020, 1L << 20), 10,
                1000, 1020);

        LoadReport report = LoadReport.of("cmd", "now", MACHINE, SETTINGS, List.of(threads));

        assertThat(report.ratios()).isNull();
        assertThat(report.toMarkdown()).doesNotContain("÷ fleet");
    }

    @Test
    void writesJsonThatReadsBackAndMarkdownBesideIt(@TempDir Path dir) throws Exception {
        LoadResult fleet = result(summary("fleet", 12_000, 12_000, 12_000, 0, 20, 20L << 20), 600, 200_000, 20);
        LoadReport report = LoadReport.of("cmd", "now", MACHINE, SETTINGS, List.of(fleet));

        List<Path> written = report.write(dir.resolve("sub").resolve("load-1000"));

        assertThat(written).containsExactly(dir.resolve("sub/load-1000.json"), dir.resolve("sub/load-1000.md"));
        JsonNode json = new ObjectMapper().readTree(written.get(0).toFile());
        assertThat(json.at("/results/0/summary/pollsDone").asLong()).isEqualTo(12_000);
        assertThat(json.at("/results/0/cpuSecondsPer1000Polls").asDouble()).isEqualTo(0.5);
        assertThat(json.at("/settings/meters").asInt()).isEqualTo(1000);
        assertThat(new ObjectMapper().treeToValue(json.at("/results/0/summary"), TargetSummary.class))
                .isEqualTo(fleet.summary());
        assertThat(Files.readString(written.get(1))).startsWith("# Load run now");
    }

    @Test
    void lossesNameEveryShortfall() {
        LoadResult fine = result(summary("fleet", 11_500, 11_500, 11_500, 0, 20, 1L << 20), 600, 1000, 20);
        LoadResult failedPolls = result(summary("baseline-threads", 12_000, 12_000, 12_000, 2, 20, 1L << 20), 600,
                1000, 20);
        LoadResult tooFew = result(summary("baseline-virtual", 11_000, 11_000, 11_000, 0, 20, 1L << 20), 600, 1000,
                20);
        LoadResult died = LoadResult.failed("fleet", "exited with code 137\nkilled", "/jdk", List.of(), null);

        assertThat(LoadHarness.losses(List.of(fine))).isEmpty();
        assertThat(LoadHarness.losses(List.of(failedPolls, tooFew, died))).containsExactly(
                "baseline-threads had 2 failed polls and 0 failed connects",
                "baseline-virtual did 11000 of 12000 scheduled polls",
                "fleet failed: exited with code 137");
    }

    @Test
    void assertNoLossCountsReadingsTheGatewayProducedButNeverDelivered() {
        TargetSummary base = summary("gateway", 12_000, 12_000, 12_000, 0, 20, 1 << 20);
        TargetSummary.Delivery window = new TargetSummary.Delivery(0, 0, 0, -1, -1, -1, -1, 12_000, 0, 0, 0,
                TargetSummary.Percentiles.EMPTY, 0, null, null);
        TargetSummary delivered = base.with(1, 1, 1, 20, "17", window.withTotals(1000, 1000, 0, 1000, 1000, 0, null));
        TargetSummary short1 = base.with(1, 1, 1, 20, "17", window.withTotals(1001, 999, 2, 1000, 1000, 0, null));
        TargetSummary unknown = base.with(1, 1, 1, 20, "17", window.withTotals(1000, 1000, 0, -1, -1, -1, null));

        assertThat(LoadHarness.losses(List.of(result(delivered, 100, 1000, 20)))).isEmpty();
        assertThat(LoadHarness.losses(List.of(result(short1, 100, 1000, 20)))).singleElement().asString()
                .contains("1 lost");
        assertThat(LoadHarness.losses(List.of(result(unknown, 100, 1000, 20)))).singleElement().asString()
                .contains("cannot tell");
        assertThat(LoadReport.of("cmd", "now", MACHINE, SETTINGS, List.of(result(short1, 100, 1000, 20))).toMarkdown())
                .contains("| readings produced (spooled) / delivered unique / lost, whole run | 1000 / 999 / 1 |");
    }
}
