package io.dlmsgateway.bench.harness;

import io.dlmsgateway.bench.target.TargetSummary;
import io.dlmsgateway.cli.DurationConverter;
import io.dlmsgateway.dlms.Framing;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loads a target with simulated meters and measures it. The meters run in one JVM ({@code dlms-gateway.jar
 * simulate}), each target in another, so the CPU time, heap, RSS and threads reported are the target's alone.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.dlmsgateway.bench.harness.LoadHarness \
 *     --meters 1000 --interval 5s --warmup 20s --duration 60s --framing wrapper \
 *     --compare fleet,baseline-threads,baseline-virtual --out bench/results/load-1000
 * </pre>
 *
 * Exit codes: 0 done (and, with {@code --assert-no-loss}, nothing lost), 1 the run could not be made, 2
 * {@code --assert-no-loss} failed.
 */
@Command(name = "load-harness", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs simulated meters in one JVM and a target in another, and reports polls scheduled vs done,",
                "schedule lag, poll latency, CPU per poll, heap and RSS per meter and threads of the target."})
public final class LoadHarness implements Callable<Integer> {

    static final int EXIT_CANNOT_RUN = 1;
    static final int EXIT_LOSS = 2;
    /** Polls done below this share of the slots scheduled fail {@code --assert-no-loss}. */
    static final double MIN_DONE_PERCENT = 95.0;
    /** Longest wait for the meters' ports to be free: TIME-WAIT lasts 60 s on Linux. */
    static final Duration PORTS_FREE_TIMEOUT = Duration.ofSeconds(90);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--meters", defaultValue = "1000", description = "Simulated meters (default ${DEFAULT-VALUE}).")
    int meters;

    @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "Polling interval of every meter (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--warmup", defaultValue = "20s", converter = DurationConverter.class,
            description = "Time before measuring, left out of every number (default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "Measurement window; a multiple of the interval counts slots exactly (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--grace", defaultValue = "3s", converter = DurationConverter.class,
            description = "Time after the window for polls of its last slots to finish (default ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--framing", defaultValue = "WRAPPER", converter = FramingConverter.class,
            description = "wrapper or hdlc (default wrapper).")
    Framing framing;

    @Option(names = "--target", description = "One target: ${COMPLETION-CANDIDATES}.",
            completionCandidates = TargetNames.class)
    String target;

    @Option(names = "--compare", split = ",", description = "Several targets, one after another against the same"
            + " simulator, in one report with ratios against the fleet, e.g. fleet,baseline-threads,baseline-virtual.")
    List<String> compare;

    @Option(names = "--out", description = "Report path without extension: writes <out>.json and <out>.md"
            + " (default bench/results/load-<framing>-<meters>-<time>).")
    Path out;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Simulator address (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "21000",
            description = "Port of meter 0; meter i listens on port+i (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--simulators", description = "Simulator JVMs the meters are split over, ports contiguous"
            + " (default: as many as needed for at most " + Simulators.DEFAULT_METERS_PER_SIMULATOR + " meters each,"
            + " as each holds two descriptors per meter).")
    Integer simulators;

    @Option(names = "--gateway-jar", defaultValue = "gateway-app/target/dlms-gateway.jar",
            description = "The runnable gateway jar that simulates the meters (default ${DEFAULT-VALUE}).")
    Path gatewayJar;

    @Option(names = "--broker-port", defaultValue = "23883",
            description = "gateway target: preferred port of its mosquitto broker on 127.0.0.1; the next free one is"
                    + " taken (default ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--java-home", description = "JDK for every target. Default: the harness's own JDK when every"
            + " target runs on it, otherwise the newest JDK 21+ in /usr/lib/jvm, for all targets of the run alike.")
    Path javaHome;

    @Option(names = "--target-jvm-arg", description = "Option for every target JVM, repeatable; replaces those of"
            + " --target-jvm-options.")
    List<String> targetJvmArgs;

    @Option(names = "--target-jvm-options", defaultValue = "config/jvm.options", description = "File of JVM options"
            + " for every target (one per line, # comments), unless --target-jvm-arg is given: by default the"
            + " gateway's own, which start_gateway.sh runs it with (default ${DEFAULT-VALUE}).")
    Path targetJvmOptions;

    @Option(names = "--pause", defaultValue = "3s", converter = DurationConverter.class,
            description = "Pause between targets of a comparison (default ${DEFAULT-VALUE}).")
    Duration pause;

    @Option(names = "--log-dir", description = "Where the simulator's and targets' output goes"
            + " (default: a new directory under java.io.tmpdir).")
    Path logDir;

    @Option(names = "--assert-no-loss", description = "Exit with " + EXIT_LOSS + " when any target failed, had a failed"
            + " poll or connect, or did fewer than " + MIN_DONE_PERCENT + " %% of its scheduled polls; for the gateway"
            + " target also when fewer readings reached the broker than it produced.")
    boolean assertNoLoss;

    @Option(names = "--chaos", description = "Chaos soak of the gateway target (bench/README.md, 'Chaos soak'): over"
            + " --duration, random meter faults, broker restarts and gateway kill -9 with restarts on the same spool;"
            + " reports readings lost, duplicated, slots missed and heap over time. With --assert-no-loss it fails on"
            + " any lost reading the gateway had received.")
    boolean chaos;

    @Option(names = "--chaos-seed", description = "Seed of the soak's random draws (default: a new one, reported).")
    Long chaosSeed;

    @Option(names = "--chaos-kill-every", defaultValue = "60s", converter = DurationConverter.class,
            description = "Mean time between gateway kill -9 (default ${DEFAULT-VALUE}).")
    Duration chaosKillEvery;

    @Option(names = "--chaos-broker-restart-every", defaultValue = "45s", converter = DurationConverter.class,
            description = "Mean time between broker restarts (default ${DEFAULT-VALUE}).")
    Duration chaosBrokerEvery;

    @Option(names = "--chaos-fault-every", defaultValue = "2s", converter = DurationConverter.class,
            description = "Mean time between meter faults set (default ${DEFAULT-VALUE}).")
    Duration chaosFaultEvery;

    @Option(names = "--chaos-fault-max", defaultValue = "20s", converter = DurationConverter.class,
            description = "Longest meter fault; each lasts 1 s up to this (default ${DEFAULT-VALUE}).")
    Duration chaosFaultMax;

    @Option(names = "--chaos-down", defaultValue = "3s", converter = DurationConverter.class,
            description = "Longest time the gateway or the broker stays down; each 0.5 s up to this"
                    + " (default ${DEFAULT-VALUE}).")
    Duration chaosDown;

    @Option(names = "--chaos-kill-window", defaultValue = "50ms", converter = DurationConverter.class,
            description = "Readings served this little before a kill may not have reached the gateway and are not"
                    + " counted (default ${DEFAULT-VALUE}).")
    Duration chaosKillWindow;

    @Option(names = "--chaos-settle", defaultValue = "20s", converter = DurationConverter.class,
            description = "After the chaos, time for the backlog to drain before the gateway is stopped"
                    + " (default ${DEFAULT-VALUE}).")
    Duration chaosSettle;

    @Option(names = "--chaos-heap-every", defaultValue = "10s", converter = DurationConverter.class,
            description = "Interval of the gateway's heap samples (default ${DEFAULT-VALUE}).")
    Duration chaosHeapEvery;

    @Option(names = "--chaos-faults", split = ",", description = "Meter faults to draw from, by name (default: every"
            + " fault the simulator knows but NONE).")
    List<String> chaosFaults;

    @Option(names = "--backfill", converter = DurationConverter.class, description = "Backfill run of the gateway"
            + " target (bench/README.md, 'Backfill'): every meter also has the simulator's load profile, read back"
            + " this far on first contact (e.g. 7d); the window opens after the warm-up and closes once every meter's"
            + " rows are at the broker (--duration is its limit).")
    Duration backfill;

    @Option(names = "--profile-period", defaultValue = "15m", converter = DurationConverter.class,
            description = "Backfill run: the simulated profile's capture period (default ${DEFAULT-VALUE}).")
    Duration profilePeriod;

    @Option(names = "--backfill-tail", defaultValue = "30s", converter = DurationConverter.class,
            description = "Backfill run: the window of polls alone after the backfill, the CPU baseline (default"
                    + " ${DEFAULT-VALUE}).")
    Duration backfillTail;

    /** A backfill run holds register polls to this on-time share while profiles backfill (issue 11). */
    static final double MIN_ON_TIME_PERCENT_DURING_BACKFILL = 99.9;

    private PrintStream progress;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new LoadHarness());
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        progress = System.err;
        List<Target> targets;
        try {
            if (chaos) {
                if (compare != null || target != null && !target.equals(Targets.GATEWAY)) {
                    throw new IllegalArgumentException("--chaos runs the gateway target only");
                }
                target = Targets.GATEWAY;
            }
            if (backfill != null) {
                if (chaos || compare != null || target != null && !target.equals(Targets.GATEWAY)) {
                    throw new IllegalArgumentException("--backfill runs the gateway target only, without --chaos");
                }
                if (backfill.compareTo(profilePeriod) < 0 || profilePeriod.toSeconds() < 1) {
                    throw new IllegalArgumentException("--backfill must be at least one --profile-period of 1 s or"
                            + " more");
                }
                target = Targets.GATEWAY;
            }
            targets = targets();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!Files.isRegularFile(gatewayJar)) {
            progress.println("load-harness: " + gatewayJar + " not found; build it first from the repository root:"
                    + " mvn -B -q -DskipTests package");
            return EXIT_CANNOT_RUN;
        }
        int simulatorCount = simulators != null ? simulators : Simulators.defaultCount(meters);
        if (simulatorCount < 1 || simulatorCount > meters) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--simulators must be 1.." + meters);
        }
        Optional<String> tooFewFiles = checkOpenFileLimit(meters, simulatorCount);
        if (tooFewFiles.isPresent()) {
            progress.println("load-harness: " + tooFewFiles.get());
            return EXIT_CANNOT_RUN;
        }
        warnAboutThreadLimit(targets);
        int broker = brokerPort(brokerPort, port, meters);
        if (broker != brokerPort && targets.stream().anyMatch(t -> t.name().equals(Targets.GATEWAY))) {
            progress.println("[harness] --broker-port " + brokerPort + " lies among the meters' ports " + port + ".."
                    + (port + meters - 1) + "; the broker takes " + broker);
        }
        // a harness stopped by a signal takes its simulators and targets with it
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy), "harness-stop"));
        Path jdk = chooseJdk(targets);
        if (jdk == null) {
            return EXIT_CANNOT_RUN;
        }
        List<String> jvmArgs;
        if (targetJvmArgs != null && !targetJvmArgs.isEmpty()) {
            jvmArgs = targetJvmArgs;
        } else {
            try {
                jvmArgs = jvmOptions(Files.readString(targetJvmOptions));
            } catch (IOException e) {
                progress.println("[harness] cannot read the target JVM options " + targetJvmOptions.toAbsolutePath()
                        + " (" + e + "); run from the repository root or give --target-jvm-options");
                return EXIT_CANNOT_RUN;
            }
        }
        String started = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path logs = logDir != null ? logDir
                : Path.of(System.getProperty("java.io.tmpdir"), "dlms-bench", stamp);
        Files.createDirectories(logs);
        Path report = out != null ? stripExtension(out)
                : Path.of("bench", "results", "load-" + framing.name().toLowerCase(Locale.ROOT) + "-" + meters + "-"
                        + stamp);
        progress.println("[harness] logs in " + logs);

        // the previous run's client sockets linger in TIME-WAIT for a minute, on ports the simulators must bind
        Map<String, Integer> held = PortsInUse.awaitFree(host, port, meters, PORTS_FREE_TIMEOUT, progress);
        if (!held.isEmpty()) {
            progress.println("[harness] ports still held by " + held + " after " + PORTS_FREE_TIMEOUT.toSeconds()
                    + " s; starting the simulators anyway");
        }
        if (chaos) {
            return chaos(jdk, jvmArgs, simulatorCount, logs, report, started, broker);
        }
        List<LoadResult> results = new ArrayList<>();
        long ticks = ProcessSample.ticksPerSecond();
        String simulatorBanner;
        // a backfill's meters hold one period more than is read back, so the window's oldest row is always there
        List<String> simulatorArgs = backfill == null ? List.of()
                : List.of("--profile-period", profilePeriod.toSeconds() + "s", "--profile-history",
                        backfill.plus(profilePeriod).toSeconds() + "s");
        try (Simulators simulator = Simulators.start(Path.of(System.getProperty("java.home")), gatewayJar, meters,
                simulatorCount, host, port, framing, logs, Duration.ofSeconds(60 + meters / 50), false,
                simulatorArgs)) {
            simulatorBanner = simulator.banner();
            progress.println("[harness] " + simulatorBanner);
            TargetLaunch launch = new TargetLaunch(meters, host, port, framing, interval, warmup, duration, grace,
                    jdk, jvmArgs, classpath(), logs, gatewayJar, broker,
                    backfill == null ? null : new TargetLaunch.Backfill(backfill, profilePeriod));
            for (int i = 0; i < targets.size(); i++) {
                if (i > 0) {
                    // the previous target's connections close on the simulator side meanwhile
                    Thread.sleep(pause.toMillis());
                }
                if (!simulator.isAlive()) {
                    progress.println("[harness] a simulator died; see " + logs.resolve("simulator*.log"));
                    return EXIT_CANNOT_RUN;
                }
                Target t = targets.get(i);
                progress.printf("[harness] %s on %s: warm-up %d s, then %d s measured%n", t.name(), jdk,
                        warmup.toSeconds(), duration.toSeconds());
                LoadResult result = run(t, launch, simulator, ticks);
                results.add(result);
                progress.println("[harness] " + t.name() + ": " + oneLine(result));
            }
        }
        LoadReport loadReport = LoadReport.of(commandLine(), started, MachineFacts.machine(),
                new LoadReport.Settings(meters, framing.name(), interval.toMillis(), warmup.toMillis(),
                        duration.toMillis(), port, simulatorBanner), results);
        List<Path> written = loadReport.write(report);
        spec.commandLine().getOut().println(loadReport.toMarkdown());
        progress.println("[harness] wrote " + written.stream().map(Path::toString).collect(Collectors.joining(", ")));
        if (assertNoLoss) {
            List<String> losses = losses(results);
            if (!losses.isEmpty()) {
                losses.forEach(l -> progress.println("load-harness: LOSS: " + l));
                return EXIT_LOSS;
            }
            progress.println("[harness] no loss: every target did at least " + MIN_DONE_PERCENT
                    + " % of its polls, none failed");
        }
        return 0;
    }

    private int chaos(Path jdk, List<String> jvmArgs, int simulatorCount, Path logs, Path report, String started,
            int broker) throws IOException, InterruptedException {
        long seed = chaosSeed != null ? chaosSeed : new java.security.SecureRandom().nextLong();
        ChaosSoak.Settings settings = new ChaosSoak.Settings(chaosKillEvery, chaosBrokerEvery, chaosFaultEvery,
                chaosFaultMax, chaosDown, chaosKillWindow, chaosSettle, chaosHeapEvery,
                chaosFaults == null ? List.of() : chaosFaults.stream().map(String::trim)
                        .map(f -> f.toUpperCase(Locale.ROOT)).filter(f -> !f.isEmpty()).toList(), seed);
        ChaosReport.Run run;
        String simulatorBanner;
        try (Simulators simulator = Simulators.start(Path.of(System.getProperty("java.home")), gatewayJar, meters,
                simulatorCount, host, port, framing, logs, Duration.ofSeconds(60 + meters / 50), true, List.of())) {
            simulatorBanner = simulator.banner();
            progress.println("[harness] " + simulatorBanner);
            TargetLaunch launch = new TargetLaunch(meters, host, port, framing, interval, warmup, duration, grace,
                    jdk, jvmArgs, classpath(), logs, gatewayJar, broker);
            try {
                run = new ChaosSoak(settings, launch, simulator, progress).run();
            } catch (IllegalArgumentException e) {
                progress.println("load-harness: " + e.getMessage());
                return EXIT_CANNOT_RUN;
            }
        }
        ChaosReport chaosReport = new ChaosReport(commandLine(), started, MachineFacts.machine(),
                new LoadReport.Settings(meters, framing.name(), interval.toMillis(), warmup.toMillis(),
                        duration.toMillis(), port, simulatorBanner), run);
        Path base = out != null ? report
                : report.resolveSibling(report.getFileName().toString().replaceFirst("^load-", "chaos-"));
        List<Path> written = chaosReport.write(base);
        spec.commandLine().getOut().println(chaosReport.toMarkdown());
        progress.println("[harness] wrote " + written.stream().map(Path::toString).collect(Collectors.joining(", ")));
        if (assertNoLoss) {
            List<String> losses = chaosReport.losses();
            if (!losses.isEmpty()) {
                losses.forEach(l -> progress.println("load-harness: LOSS: " + l));
                return EXIT_LOSS;
            }
            progress.println("[harness] no loss: every reading the gateway had received reached the broker");
        }
        return 0;
    }

    private LoadResult run(Target t, TargetLaunch launch, Simulators simulator, long ticks)
            throws IOException, InterruptedException {
        String home = launch.javaHome().toString();
        Duration startup = Duration.ofSeconds(60 + meters / 100);
        ProcessSample last = null;
        try (RunningTarget running = t.start(launch)) {
            if (!running.awaitMeasureStart(warmup.plus(startup))) {
                return LoadResult.failed(t.name(), "before the window opened: " + running.failure(), home,
                        launch.jvmArgs(), null);
            }
            ProcessSample start = ProcessSample.of(running.measuredPid());
            ProcessSample simStart = simulator.sample();
            last = start;
            if (!running.awaitMeasureEnd(duration.plus(startup))) {
                return LoadResult.failed(t.name(), "during the window: " + running.failure(), home,
                        launch.jvmArgs(), sampleOrNull(running.measuredPid()));
            }
            ProcessSample end = ProcessSample.of(running.measuredPid());
            long endMillis = System.currentTimeMillis();
            ProcessSample simEnd = simulator.sample();
            last = end;
            double[] tail = launch.backfill() == null ? null : pollsAloneAfter(running, end, ticks);
            running.proceed();
            TargetSummary summary = running.awaitSummary(grace.plus(Duration.ofSeconds(120)));
            if (summary == null) {
                return LoadResult.failed(t.name(), "after the window: " + running.failure(), home,
                        launch.jvmArgs(), end);
            }
            LoadResult measured = LoadResult.of(summary, home, launch.jvmArgs(), start, end,
                    simEnd == null ? null : simStart, simEnd, ticks);
            OptionalLong live = ClassHistogram.liveBytes(t.classHistogram(launch));
            LoadResult result = live.isPresent() ? measured.withLiveBytes(live.getAsLong()) : measured;
            return tail == null ? result : result.withBackfillCpu(backfillCpu(running.launch(), end, endMillis, tail,
                    summary, ticks));
        } catch (IOException e) {
            return LoadResult.failed(t.name(), "target process vanished: " + e.getMessage(), home,
                    launch.jvmArgs(), last);
        }
    }

    /**
     * The polls-alone window after a backfill: {@code --backfill-tail} of the same process with the profiles done.
     * Returns {seconds, CPU seconds}, or null when the process is gone.
     */
    private double[] pollsAloneAfter(RunningTarget running, ProcessSample end, long ticks)
            throws InterruptedException {
        progress.printf("[harness] backfill done; %d s of polls alone for the CPU baseline%n",
                backfillTail.toSeconds());
        long from = System.nanoTime();
        Thread.sleep(backfillTail.toMillis());
        ProcessSample after = sampleOrNull(running.measuredPid());
        double seconds = (System.nanoTime() - from) / 1e9;
        return after == null ? null : new double[] {seconds, ProcessSample.cpuSeconds(end, after, ticks)};
    }

    private static LoadResult.BackfillCpu backfillCpu(RunningTarget.Launch launch, ProcessSample end, long endMillis,
            double[] tail, TargetSummary summary, long ticks) {
        if (launch == null) {
            return null;
        }
        double seconds = (endMillis - launch.epochMillis()) / 1000.0;
        double cpu = ProcessSample.cpuSeconds(launch.sample(), end, ticks);
        double pollsRate = tail[1] / tail[0];
        double backfillCpu = Math.max(0, cpu - pollsRate * seconds);
        TargetSummary.Backfill rows = summary.delivery() == null ? null : summary.delivery().backfill();
        Double per1000 = rows == null || rows.rowsUnique() == 0 ? null
                : LoadResult.round(1000 * backfillCpu / rows.rowsUnique());
        return new LoadResult.BackfillCpu(LoadResult.round(seconds), LoadResult.round(cpu),
                LoadResult.round(tail[0]), LoadResult.round(pollsRate), LoadResult.round(backfillCpu), per1000);
    }

    private static ProcessSample sampleOrNull(long pid) {
        try {
            return ProcessSample.of(pid);
        } catch (IOException e) {
            return null;
        }
    }

    private List<Target> targets() {
        List<String> names;
        if (target != null && compare != null) {
            throw new IllegalArgumentException("give --target or --compare, not both");
        } else if (compare != null) {
            names = compare.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        } else {
            names = List.of(target == null ? Targets.FLEET : target);
        }
        List<Target> list = new ArrayList<>();
        for (String name : names) {
            list.add(Targets.byName(name).orElseThrow(() -> new IllegalArgumentException("unknown target '" + name
                    + "'; known: " + String.join(", ", Targets.names()))));
        }
        if (meters < 1) {
            throw new IllegalArgumentException("--meters must be at least 1");
        }
        if (port + meters - 1 > 65_535) {
            throw new IllegalArgumentException("ports " + port + ".." + (port + meters - 1) + " go past 65535");
        }
        return list;
    }

    /**
     * Each simulator holds two descriptors per meter it serves (listening and accepted socket), a target one per
     * meter. A JVM raises its soft limit to the hard limit, so the limit this JVM has is the one each process gets.
     */
    static Optional<String> checkOpenFileLimit(int meters, int simulators) {
        return checkOpenFileLimit(meters, simulators, MachineFacts.softLimit("Max open files"));
    }

    static Optional<String> checkOpenFileLimit(int meters, int simulators, OptionalLong limit) {
        int share = Simulators.largestShare(meters, simulators);
        long simulatorNeeds = 2L * share + 512;
        long targetNeeds = meters + 512L;
        if (limit.isPresent() && limit.getAsLong() < Math.max(simulatorNeeds, targetNeeds)) {
            String simulatorPart = simulatorNeeds > limit.getAsLong()
                    ? share + " meters per simulator need about " + simulatorNeeds + " open files in each simulator"
                            + " JVM (a listening and an accepted socket per meter); give more --simulators"
                            + " (at least " + minimumSimulators(meters, limit.getAsLong()) + ")"
                    : meters + " meters need about " + targetNeeds + " open files in the target";
            return Optional.of(simulatorPart + ", but a JVM here may open only " + limit.getAsLong() + " (JVMs raise"
                    + " the soft limit to the hard one, `ulimit -Hn`). Raise the limit (ulimit -n, as root if the hard"
                    + " limit is lower) or run fewer meters.");
        }
        return Optional.empty();
    }

    /** The preferred broker port, or the first port after the meters' when it lies among them. */
    static int brokerPort(int preferred, int firstMeterPort, int meters) {
        return preferred >= firstMeterPort && preferred < firstMeterPort + meters ? firstMeterPort + meters
                : preferred;
    }

    /** Fewest simulators whose largest share fits {@code 2 × share + 512 ≤ limit}. */
    static long minimumSimulators(int meters, long limit) {
        long perSimulator = Math.max(1, (limit - 512) / 2);
        return (meters + perSimulator - 1) / perSimulator;
    }

    private void warnAboutThreadLimit(List<Target> targets) {
        if (targets.stream().anyMatch(t -> t.name().equals(Targets.BASELINE_THREADS))) {
            OptionalLong limit = MachineFacts.softLimit("Max processes");
            if (limit.isPresent() && limit.getAsLong() < meters + 1_000L) {
                progress.println("[harness] warning: baseline-threads needs one thread per meter (" + meters
                        + ") but `ulimit -u` is " + limit.getAsLong() + " for all of this user's threads");
            }
        }
    }

    private Path chooseJdk(List<Target> targets) {
        int needed = targets.stream().mapToInt(Target::minimumJava).max().orElse(17);
        if (javaHome != null) {
            int feature = JdkLocator.feature(javaHome).orElse(0);
            if (feature < needed) {
                progress.println("load-harness: " + javaHome + " is Java " + feature + "; "
                        + targets.stream().filter(t -> t.minimumJava() > feature).map(Target::name).toList()
                        + " need Java " + needed + " or later");
                return null;
            }
            return javaHome;
        }
        Optional<Path> found = JdkLocator.find(needed);
        if (found.isEmpty()) {
            progress.println("load-harness: no JDK " + needed + "+ found (this one is " + Runtime.version()
                    + ", none in /usr/lib/jvm); give one with --java-home");
            return null;
        }
        return found.get();
    }

    /** The bench jar (or classes) this harness runs from, which holds the target mains too. */
    private static String classpath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(p -> Path.of(p).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private String commandLine() {
        return "java -cp bench/target/benchmarks.jar " + LoadHarness.class.getName() + " "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    static List<String> losses(List<LoadResult> results) {
        List<String> losses = new ArrayList<>();
        for (LoadResult r : results) {
            if (!r.ok()) {
                losses.add(r.target() + " failed: " + r.failure().lines().findFirst().orElse(""));
                continue;
            }
            TargetSummary s = r.summary();
            if (r.pollsDonePercent() == null || r.pollsDonePercent() < MIN_DONE_PERCENT) {
                losses.add(r.target() + " did " + s.pollsDone() + " of " + s.pollsScheduled() + " scheduled polls");
            }
            if (s.failures() > 0 || s.connectFailures() > 0) {
                losses.add(r.target() + " had " + s.failures() + " failed polls and " + s.connectFailures()
                        + " failed connects");
            }
            TargetSummary.Delivery d = s.delivery();
            if (d != null) {
                if (d.readingsProduced() < 0 || d.uniqueDelivered() < 0) {
                    losses.add(r.target() + ": cannot tell readings produced (" + d.readingsProduced()
                            + ") from delivered (" + d.uniqueDelivered() + "): the gateway did not stop cleanly or"
                            + " the ThingsBoard side did not count");
                } else if (d.uniqueDelivered() < d.readingsProduced()) {
                    losses.add(r.target() + " produced " + d.readingsProduced() + " readings but only "
                            + d.uniqueDelivered() + " reached the broker (" + d.lost() + " lost)");
                }
                if (d.readingsDropped() > 0) {
                    losses.add(r.target() + "'s spool dropped " + d.readingsDropped() + " readings");
                }
                TargetSummary.Backfill b = d.backfill();
                if (b != null) {
                    if (b.metersComplete() < s.meters() || b.gaps() > 0 || b.duplicates() > 0) {
                        losses.add(r.target() + "'s backfill: " + b.metersComplete() + " of " + s.meters()
                                + " meters complete, " + b.gaps() + " gaps, " + b.duplicates() + " duplicate rows");
                    }
                    if (r.onTimePercent() == null || r.onTimePercent() < MIN_ON_TIME_PERCENT_DURING_BACKFILL) {
                        losses.add(r.target() + "'s register polls were on time for " + r.onTimePercent()
                                + " % of their slots during the backfill (at least "
                                + MIN_ON_TIME_PERCENT_DURING_BACKFILL + " % expected)");
                    }
                }
            }
        }
        return losses;
    }

    private static String oneLine(LoadResult r) {
        if (!r.ok()) {
            return "FAILED " + r.failure().lines().findFirst().orElse("");
        }
        TargetSummary s = r.summary();
        return String.format(Locale.ROOT, "%d/%d polls (%.1f %% on time), lag p99 %.0f ms, %.3f CPU s per 1000"
                        + " polls, RSS %d MiB, %d threads", s.pollsDone(), s.pollsScheduled(), r.onTimePercent(),
                s.lag().p99(), r.cpuSecondsPer1000Polls(), r.rssBytes() >> 20, r.threads());
    }

    /** The options of a {@code jvm.options} file: one per line, blank lines and {@code #} comments left out. */
    static List<String> jvmOptions(String text) {
        return text.lines().map(line -> line.replaceFirst("#.*", "").strip()).filter(line -> !line.isEmpty())
                .toList();
    }

    private static Path stripExtension(Path path) {
        String name = path.getFileName().toString();
        for (String ext : List.of(".json", ".md")) {
            if (name.endsWith(ext)) {
                return path.resolveSibling(name.substring(0, name.length() - ext.length()));
            }
        }
        return path;
    }

    static final class TargetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Targets.names().iterator();
        }
    }

    static final class FramingConverter implements CommandLine.ITypeConverter<Framing> {
        @Override
        public Framing convert(String value) {
            try {
                return Framing.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected wrapper or hdlc, got '" + value + "'");
            }
        }
    }
}
