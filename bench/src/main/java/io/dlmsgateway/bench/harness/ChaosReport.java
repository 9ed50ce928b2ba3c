package io.dlmsgateway.bench.harness;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.dlmsgateway.bench.harness.ChaosAccounting.Kill;
import io.dlmsgateway.bench.harness.ChaosSoak.BrokerRestart;
import io.dlmsgateway.bench.harness.ChaosSoak.HeapSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A chaos soak's report ({@link ChaosSoak}), written beside the other harness reports as {@code <out>.json} and
 * {@code <out>.md}.
 *
 * @param command   the harness's command line
 * @param started   when the run started (ISO-8601)
 * @param machine   where it ran
 * @param settings  meters, framing, interval, warm-up, chaos window
 * @param run       what happened and what it cost
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ChaosReport(String command, String started, LoadReport.Machine machine, LoadReport.Settings settings,
                   Run run) {

    /**
     * @param chaos           the soak's knobs
     * @param startedAt       gateway first started, epoch ms
     * @param chaosStart      chaos began (after the warm-up), epoch ms
     * @param chaosEnd        chaos ended: served readings are counted up to here, epoch ms
     * @param brokerPort      the broker's port
     * @param gatewayRuns     gateway processes started (1 + kills)
     * @param kills           each SIGKILL and the restart after it
     * @param brokerRestarts  each broker stop and start
     * @param faultWindows    faults set (and healed)
     * @param faultsByName    of those, how many of each
     * @param faults          every fault window: meter, fault, set and healed
     * @param accounting      lost, duplicated, missed
     * @param heap            the gateway's heap and RSS over time
     * @param gatewayStops    the "Stopped:" lines of gateway runs that stopped cleanly (the last one)
     * @param unreadable      telemetry payloads the subscriber could not parse
     * @param problems        anything that went wrong with the run itself
     */
    record Run(ChaosSoak.Settings chaos, long startedAt, long chaosStart, long chaosEnd, int brokerPort,
               int gatewayRuns, List<Kill> kills, List<BrokerRestart> brokerRestarts, int faultWindows,
               Map<String, Long> faultsByName, List<ChaosAccounting.FaultWindow> faults,
               ChaosAccounting.Result accounting, List<HeapSample> heap,
               List<String> gatewayStops, long unreadable, List<String> problems) {
    }

    /** Why {@code --assert-no-loss} fails this run; empty when it passes. */
    List<String> losses() {
        List<String> losses = new ArrayList<>();
        ChaosAccounting.Result a = run.accounting();
        if (a.lost() > 0) {
            losses.add(a.lost() + " readings the gateway had received never reached the broker (per kill: "
                    + Arrays.toString(a.lostPerKill()) + ", not near a kill: " + a.lostNotNearKill() + ")");
        }
        if (a.counted() == 0) {
            losses.add("no served reading was counted: the soak measured nothing");
        }
        if (!run.problems().isEmpty()) {
            losses.addAll(run.problems());
        }
        return losses;
    }

    List<Path> write(Path base) throws IOException {
        Path dir = base.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path json = base.resolveSibling(base.getFileName() + ".json");
        Path md = base.resolveSibling(base.getFileName() + ".md");
        // durations as ISO-8601 text (PT45S): no jsr310 module needed for one record
        new ObjectMapper().registerModule(new SimpleModule().addSerializer(Duration.class, ToStringSerializer.instance))
                .enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), this);
        Files.writeString(md, toMarkdown());
        return List.of(json, md);
    }

    String toMarkdown() {
        ChaosAccounting.Result a = run.accounting();
        ChaosSoak.Settings c = run.chaos();
        StringBuilder md = new StringBuilder();
        md.append("# Chaos soak ").append(started).append("\n\n");
        md.append("`").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d CPUs, %.1f GiB, %s, kernel %s.%n%n", machine.processors(),
                machine.memTotalGiB(), machine.cpuModel(), machine.kernel()));
        md.append(String.format(Locale.ROOT, "%d meters (%s) polled every %d ms by `dlms-gateway.jar run`, publishing"
                        + " to mosquitto; warm-up %d s, then %d s of chaos (seed %d): gateway SIGKILL every ~%d s,"
                        + " broker restart every ~%d s, a meter fault every ~%d ms (1 s to %d s each, of %s),"
                        + " outages up to %d ms; kill window %d ms; %d s to settle.%n%n",
                settings.meters(), settings.framing(), settings.intervalMillis(), settings.warmupMillis() / 1000,
                settings.measureMillis() / 1000, c.seed(), c.killEvery().toSeconds(),
                c.brokerRestartEvery().toSeconds(), c.faultEvery().toMillis(), c.faultMax().toSeconds(),
                String.join(", ", c.faults()), c.downMax().toMillis(), c.killWindow().toMillis(),
                c.settle().toSeconds()));
        md.append("| what | count |\n|---|---|\n");
        row(md, "gateway kill -9 (and restarts on the same spool)", run.kills().size());
        row(md, "broker restarts", run.brokerRestarts().size());
        md.append("| meter faults set | ").append(run.faultWindows()).append(" (").append(run.faultsByName())
                .append(") |\n");
        row(md, "readings served by the meters", a.served());
        row(md, "of those, received by the gateway (counted)", a.counted());
        row(md, "counted and delivered to the broker", a.delivered());
        md.append("| **readings lost** (counted, never delivered) | **").append(a.lost()).append("** |\n");
        md.append("| lost per kill, in kill order | ").append(Arrays.toString(a.lostPerKill())).append(" |\n");
        row(md, "lost, not within 2 s before a kill", a.lostNotNearKill());
        row(md, "not counted: served to a faulted meter", a.excludedFault());
        row(md, "not counted: served within the kill window before a kill, or while the gateway was down",
                a.excludedKill());
        row(md, "not counted: served after the chaos ended", a.excludedAfterEnd());
        row(md, "telemetry entries delivered", a.deliveredEntries());
        row(md, "unique (meter, ts) delivered", a.deliveredUnique());
        row(md, "**duplicated** entries at the broker", a.duplicates());
        row(md, "delivered readings no served reading pairs with", a.unmatchedDelivered());
        md.append("| **slots missed** outside fault windows and outages | **").append(a.missedSlots())
                .append("** (").append(a.metersMissing()).append(" meters, at most ").append(a.mostMissedByOne())
                .append(" by one) |\n");
        row(md, "gaps left out (they overlap a fault window or an outage)", a.excludedGaps());
        long[] r = a.recoveryMillis();
        if (r.length > 0) {
            md.append(String.format(Locale.ROOT, "| heal to next delivered reading, p50 / p90 / max | %.1f / %.1f / %.1f s"
                            + " (%d faults) |%n", r[r.length / 2] / 1000.0, r[(int) (r.length * 0.9)] / 1000.0,
                    r[r.length - 1] / 1000.0, r.length));
        }
        row(md, "unreadable telemetry payloads", run.unreadable());
        md.append('\n');
        if (!a.lostSample().isEmpty()) {
            md.append("Lost readings (first ").append(a.lostSample().size()).append("): ");
            List<String> items = new ArrayList<>();
            for (ChaosAccounting.Lost l : a.lostSample()) {
                items.add("meter-" + l.meter() + " served " + Instant.ofEpochMilli(l.servedAt())
                        + (l.kill() == null ? "" : " (kill " + (l.kill() + 1) + " at "
                        + Instant.ofEpochMilli(run.kills().get(l.kill()).killedAt()) + ")"));
            }
            md.append(String.join("; ", items)).append(".\n\n");
        }
        if (!a.missedSample().isEmpty()) {
            List<String> items = new ArrayList<>();
            for (ChaosAccounting.MissedGap g : a.missedSample()) {
                items.add("meter-" + g.meter() + " " + g.slots() + " between " + Instant.ofEpochMilli(g.from()) + " and "
                        + Instant.ofEpochMilli(g.to()));
            }
            md.append("Slots missed (first ").append(items.size()).append(" gaps): ").append(String.join("; ", items))
                    .append(".\n\n");
        }
        md.append("Gateway stops: ").append(run.gatewayStops().isEmpty() ? "none logged"
                : String.join("; ", run.gatewayStops())).append(".\n\n");
        if (!run.problems().isEmpty()) {
            md.append("Problems: ").append(String.join("; ", run.problems())).append(".\n\n");
        }
        md.append("Heap of the gateway over time (`jcmd GC.heap_info`, used when sampled, not after a collection):\n\n");
        md.append("| s | gateway run | heap used MiB | heap committed MiB | RSS MiB |\n|---|---|---|---|---|\n");
        for (HeapSample h : run.heap()) {
            md.append(String.format(Locale.ROOT, "| %.0f | %d | %s | %s | %s |%n", h.secondsSinceStart(),
                    h.gatewayRun(), h.heapUsedMiB(), h.heapCommittedMiB(), h.rssMiB()));
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String what, long count) {
        md.append("| ").append(what).append(" | ").append(count).append(" |\n");
    }
}
