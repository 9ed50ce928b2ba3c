package io.dlmsgateway.bench.harness;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dlmsgateway.bench.target.TargetSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * A harness run: the machine, the settings, each target's result and, when the fleet ran next to baselines, how
 * they compare. Written as JSON (for tools) and Markdown (for people and the README).
 *
 * @param command  the harness's command line
 * @param started  when the run started (ISO-8601)
 * @param machine  where it ran
 * @param settings what was asked
 * @param results  one per target, in the order they ran
 * @param ratios   each baseline against the fleet (and the gateway), every target against the floor, when they
 *                 ran and reported
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoadReport(String command, String started, Machine machine, Settings settings,
                         List<LoadResult> results, List<Ratio> ratios) {

    /**
     * @param processors  {@code availableProcessors()} of the harness JVM (nproc)
     * @param memTotalGiB {@code MemTotal} of {@code /proc/meminfo}
     * @param cpuModel    first {@code model name} of {@code /proc/cpuinfo}
     * @param kernel      {@code os.version}
     */
    public record Machine(int processors, double memTotalGiB, String cpuModel, String kernel) {
    }

    /**
     * @param simulator the simulator's ready line
     */
    public record Settings(int meters, String framing, long intervalMillis, long warmupMillis, long measureMillis,
                           int port, String simulator) {
    }

    /**
     * A baseline against the fleet: every ratio is baseline ÷ fleet, so above 1 means the fleet uses less.
     *
     * @param baseline               the baseline target
     * @param cpuPerPoll             CPU per poll
     * @param rssPerMeter            RSS per connected meter
     * @param heapPerMeter           heap after GC per connected meter
     * @param threads                threads of the process
     * @param fleetOnTimePercent     the fleet's on-time polls, % of scheduled
     * @param baselineOnTimePercent  the baseline's on-time polls, % of scheduled
     * @param reference              what the baseline is compared with: {@code fleet}, {@code gateway} or
     *                               {@code floor} (the "fleet" fields then hold that target's figures)
     */
    public record Ratio(String baseline, Double cpuPerPoll, Double rssPerMeter, Double heapPerMeter, Double threads,
                        Double fleetOnTimePercent, Double baselineOnTimePercent, String reference) {
    }

    /**
     * Builds the report, computing ratios when the fleet (or the gateway, or the floor) and at least one other target
     * reported: every other target against the fleet, the baselines against the gateway, every target against the
     * floor (the floor itself is left out of the fleet's and the gateway's comparisons).
     */
    static LoadReport of(String command, String started, Machine machine, Settings settings,
            List<LoadResult> results) {
        List<Ratio> ratios = new ArrayList<>();
        for (String reference : List.of(Targets.FLEET, Targets.GATEWAY)) {
            Optional<LoadResult> ref = results.stream()
                    .filter(r -> r.ok() && r.target().equals(reference)).findFirst();
            if (ref.isEmpty()) {
                continue;
            }
            LoadResult f = ref.get();
            for (LoadResult b : results) {
                if (b == f || (reference.equals(Targets.GATEWAY) && b.target().equals(Targets.FLEET))
                        || b.target().equals(Targets.FLOOR)) {
                    continue;
                }
                ratios.add(new Ratio(b.target(),
                        b.ok() ? ratio(b.cpuSecondsPer1000Polls(), f.cpuSecondsPer1000Polls()) : null,
                        b.ok() ? ratio(b.rssPerMeterKiB(), f.rssPerMeterKiB()) : null,
                        b.ok() ? ratio(b.heapPerMeterKiB(), f.heapPerMeterKiB()) : null,
                        b.threads() == null ? null : ratio(b.threads().doubleValue(), f.threads().doubleValue()),
                        f.onTimePercent(), b.ok() ? b.onTimePercent() : null, reference));
            }
        }
        // every target against the floor: how many times the sockets' own cost each one spends
        Optional<LoadResult> floor = floor(results);
        if (floor.isPresent()) {
            LoadResult f = floor.get();
            for (LoadResult b : results) {
                if (b == f) {
                    continue;
                }
                ratios.add(new Ratio(b.target(),
                        b.ok() ? ratio(b.cpuSecondsPer1000Polls(), f.cpuSecondsPer1000Polls()) : null,
                        b.ok() ? ratio(b.rssPerMeterKiB(), f.rssPerMeterKiB()) : null,
                        b.ok() ? ratio(b.heapPerMeterKiB(), f.heapPerMeterKiB()) : null,
                        b.threads() == null ? null : ratio(b.threads().doubleValue(), f.threads().doubleValue()),
                        f.onTimePercent(), b.ok() ? b.onTimePercent() : null, Targets.FLOOR));
            }
        }
        return new LoadReport(command, started, machine, settings, List.copyOf(results),
                ratios.isEmpty() ? null : List.copyOf(ratios));
    }

    private static Optional<LoadResult> floor(List<LoadResult> results) {
        return results.stream().filter(r -> r.ok() && r.target().equals(Targets.FLOOR)).findFirst();
    }

    private static Double ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : LoadResult.round(a / b);
    }

    /** Writes {@code <base>.json} and {@code <base>.md}; returns both paths. */
    List<Path> write(Path base) throws IOException {
        Path dir = base.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path json = base.resolveSibling(base.getFileName() + ".json");
        Path md = base.resolveSibling(base.getFileName() + ".md");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), this);
        Files.writeString(md, toMarkdown());
        return List.of(json, md);
    }

    /** The report as Markdown: settings, one column per target, then the ratios. */
    String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Load run ").append(started).append("\n\n");
        md.append("`").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d processors, %.1f GiB, %s, Linux %s.%n%n",
                machine.processors(), machine.memTotalGiB(), machine.cpuModel(), machine.kernel()));
        md.append(String.format(Locale.ROOT,
                "%d meters, %s, polled every %s; warm-up %s, measured %s. Simulator: %s%n%n", settings.meters(),
                settings.framing(), seconds(settings.intervalMillis()), seconds(settings.warmupMillis()),
                seconds(settings.measureMillis()), settings.simulator()));

        md.append("| | ").append(String.join(" | ", results.stream().map(LoadResult::target).toList()))
                .append(" |\n");
        md.append("|---|").append("---|".repeat(results.size())).append('\n');
        row(md, "status", r -> r.ok() ? "ok" : "FAILED");
        row(md, "JDK", r -> r.summary() != null ? r.summary().javaVersion() : r.javaHome());
        row(md, "polls scheduled / done", s(TargetSummary::pollsScheduled, TargetSummary::pollsDone));
        row(md, "polls done %", r -> num(r.pollsDonePercent(), "%.2f"));
        row(md, "on time (≤ 1 s late) %", r -> num(r.onTimePercent(), "%.2f"));
        row(md, "failed polls / connects", s(TargetSummary::failures, TargetSummary::connectFailures));
        row(md, "missed / skipped slots", s(TargetSummary::missed, TargetSummary::skipped));
        row(md, "schedule lag p50 / p99 / max (ms)", r -> r.summary() == null ? "" : triple(r.summary().lag()));
        row(md, "poll latency p50 / p99 / max (ms)",
                r -> r.summary() == null ? "" : triple(r.summary().latency()));
        row(md, "readings (polls completed in window)",
                r -> r.summary() == null ? "" : Long.toString(r.summary().pollsCompletedInWindow()));
        row(md, "CPU s in window (% of one core)", r -> r.cpuSeconds() == null ? ""
                : num(r.cpuSeconds(), "%.1f") + " (" + num(r.cpuPercentOfOneCore(), "%.0f") + " %)");
        row(md, "CPU s per 1 000 polls", r -> num(r.cpuSecondsPer1000Polls(), "%.3f"));
        Optional<LoadResult> floor = floor(results);
        if (floor.isPresent()) {
            Double floorCpu = floor.get().cpuSecondsPer1000Polls();
            row(md, "CPU per poll × floor", r -> r.ok() ? times(ratio(r.cpuSecondsPer1000Polls(), floorCpu)) : "–");
        }
        row(md, "meters connected at end", r -> r.summary() == null ? "" : Integer.toString(r.summary()
                .connectedAtEnd()));
        row(md, "RSS MiB (peak)", r -> r.rssBytes() == null ? ""
                : mib(r.rssBytes()) + " (" + mib(r.rssPeakBytes()) + ")");
        row(md, "RSS KiB per meter", r -> num(r.rssPerMeterKiB(), "%.1f"));
        row(md, "heap after GC MiB", r -> r.summary() == null ? "" : mib(r.summary().heapUsedAfterGcBytes()));
        row(md, "heap committed MiB at window end / after GC", r -> r.summary() == null ? ""
                : mib(r.summary().heapCommittedAtWindowEndBytes()) + " / " + mib(r.summary().heapCommittedBytes()));
        row(md, "heap KiB per meter", r -> num(r.heapPerMeterKiB(), "%.1f"));
        row(md, "live objects B per meter (class histogram, the collector's fillers left out)",
                r -> r.liveBytesPerMeter() == null ? "" : Long.toString(r.liveBytesPerMeter()));
        row(md, "threads", r -> r.threads() == null ? "" : Integer.toString(r.threads()));
        row(md, "simulator CPU s in window", r -> num(r.simulatorCpuSeconds(), "%.1f"));
        md.append('\n');

        if (results.stream().anyMatch(r -> r.summary() != null && r.summary().delivery() != null)) {
            md.append("Gateway end to end (readings counted at the broker by the ThingsBoard side; \"whole run\":"
                    + " from the gateway's start to its graceful stop after the window):\n\n");
            md.append("| | ").append(String.join(" | ", results.stream().map(LoadResult::target).toList()))
                    .append(" |\n");
            md.append("|---|").append("---|".repeat(results.size())).append('\n');
            row(md, "readings produced (spooled) / delivered unique / lost, whole run", d(d -> d.readingsProduced()
                    + " / " + d.uniqueDelivered() + " / " + d.lost()));
            row(md, "entries delivered / duplicates, whole run", d(d -> d.entriesDelivered() + " / "
                    + d.duplicates()));
            row(md, "acknowledged by the broker / left in spool at stop", d(d -> d.readingsAcknowledged() + " / "
                    + d.leftInSpool()));
            row(md, "gateway's polls / failed polls in window", d(d -> d.gatewayPollsInWindow() + " / "
                    + d.gatewayFailedInWindow()));
            row(md, "poll start → broker delivery p50 / p99 / max (ms)",
                    r -> r.summary() == null || r.summary().delivery() == null ? "" : triple(r.summary().latency()));
            row(md, "slot → broker delivery p50 / p99 / max (ms)", d(d -> triple(d.slotToDelivery())));
            row(md, "spool backlog after grace / dropped", d(d -> d.spoolBacklogAtEnd() + " / "
                    + d.readingsDropped()));
            md.append('\n');
        }

        if (results.stream().anyMatch(r -> r.backfillCpu() != null || backfill(r) != null)) {
            md.append("Backfill (load-profile rows counted at the broker; the window is the backfill, the register polls'"
                    + " on-time share above is theirs while it ran; CPU baseline: the same process's polls alone"
                    + " right after):\n\n");
            md.append("| | ").append(String.join(" | ", results.stream().map(LoadResult::target).toList()))
                    .append(" |\n");
            md.append("|---|").append("---|".repeat(results.size())).append('\n');
            row(md, "profile period / read back", b(b -> b.periodMillis() / 1000 + " s / "
                    + b.backfillMillis() / 3_600_000 + " h"));
            row(md, "rows received / unique / duplicates / gaps", b(b -> b.rowsReceived() + " / " + b.rowsUnique()
                    + " / " + b.duplicates() + " / " + b.gaps()));
            row(md, "meters complete (rows each owes)", b(b -> b.metersComplete() + " (" + b.rowsOwedPerMeter()
                    + ")"));
            row(md, "launch → first / last row at the broker (s)", b(b -> num(b.launchToFirstRowMillis() / 1000.0,
                    "%.1f") + " / " + num(b.launchToLastRowMillis() / 1000.0, "%.1f")));
            row(md, "gateway CPU s launch → end / polls alone per s after", r -> r.backfillCpu() == null ? "–"
                    : num(r.backfillCpu().cpuSecondsLaunchToLastRow(), "%.2f") + " / "
                    + num(r.backfillCpu().pollsAloneCpuPerSecond(), "%.3f"));
            row(md, "backfill CPU s / per 1 000 rows", r -> r.backfillCpu() == null ? "–"
                    : num(r.backfillCpu().backfillCpuSeconds(), "%.2f") + " / "
                    + num(r.backfillCpu().cpuSecondsPer1000Rows(), "%.3f"));
            md.append('\n');
        }

        if (ratios != null) {
            for (String reference : ratios.stream().map(Ratio::reference).distinct().toList()) {
                md.append("Other ÷ ").append(reference).append(" (above 1: the ").append(reference)
                        .append(" uses less):\n\n");
                md.append("| target | CPU per poll | RSS per meter | heap per meter | threads | on time % (")
                        .append(reference).append(" vs target) |\n|---|---|---|---|---|---|\n");
                for (Ratio r : ratios) {
                    if (!r.reference().equals(reference)) {
                        continue;
                    }
                    md.append("| ").append(r.baseline()).append(" | ").append(times(r.cpuPerPoll())).append(" | ")
                            .append(times(r.rssPerMeter())).append(" | ").append(times(r.heapPerMeter()))
                            .append(" | ").append(times(r.threads())).append(" | ")
                            .append(num(r.fleetOnTimePercent(), "%.2f")).append(" vs ")
                            .append(num(r.baselineOnTimePercent(), "%.2f")).append(" |\n");
                }
                md.append('\n');
            }
        }
        for (LoadResult r : results) {
            if (!r.ok()) {
                md.append("**").append(r.target()).append(" failed:**\n\n```\n").append(r.failure())
                        .append("\n```\n\n");
            } else if (r.summary() != null && r.summary().notes() != null) {
                md.append("- ").append(r.target()).append(": ").append(r.summary().notes()).append("; JVM options `")
                        .append(String.join(" ", r.jvmArgs())).append("`\n");
                TargetSummary.Delivery d = r.summary().delivery();
                if (d != null && d.threadNames() != null) {
                    md.append("- ").append(r.target()).append("'s Java threads (jcmd Thread.print, digits as #): ")
                            .append(d.threadNames()).append('\n');
                }
            }
        }
        return md.toString();
    }

    private static TargetSummary.Backfill backfill(LoadResult r) {
        return r.summary() == null || r.summary().delivery() == null ? null : r.summary().delivery().backfill();
    }

    private static Function<LoadResult, String> b(Function<TargetSummary.Backfill, String> cell) {
        return r -> backfill(r) == null ? "–" : cell.apply(backfill(r));
    }

    private void row(StringBuilder md, String label, Function<LoadResult, String> cell) {
        md.append("| ").append(label).append(" |");
        for (LoadResult r : results) {
            md.append(' ').append(cell.apply(r)).append(" |");
        }
        md.append('\n');
    }

    private static Function<LoadResult, String> d(Function<TargetSummary.Delivery, String> cell) {
        return r -> r.summary() == null || r.summary().delivery() == null ? "–" : cell.apply(r.summary().delivery());
    }

    private static Function<LoadResult, String> s(Function<TargetSummary, Long> a, Function<TargetSummary, Long> b) {
        return r -> r.summary() == null ? "" : a.apply(r.summary()) + " / " + b.apply(r.summary());
    }

    private static String triple(TargetSummary.Percentiles p) {
        return p.count() == 0 ? "–" : num(p.p50(), "%.1f") + " / " + num(p.p99(), "%.1f") + " / "
                + num(p.max(), "%.0f");
    }

    private static String num(Double value, String format) {
        return value == null ? "–" : String.format(Locale.ROOT, format, value);
    }

    private static String times(Double value) {
        return value == null ? "–" : String.format(Locale.ROOT, "%.2f×", value);
    }

    private static String mib(Long bytes) {
        return bytes == null ? "–" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
