package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.dlms.client.DlmsProtocolViolationException;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.resources.LogText;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One meter's life: wait for its first slot, connect (through the fleet's limiter), associate, run its jobs for as
 * long as the association lasts, and after any failure reconnect with backoff.
 *
 * <p><b>Jobs.</b> One association serves several {@link ScheduledJob}s, each on a fixed grid of its own (the register
 * poll, {@link #addJob added} ones), and on-demand operations ({@link #readNow}) that go before every scheduled
 * exchange: the DLMS client runs one exchange at a time, on-demand first, scheduled ones in turn, so an RPC waits
 * at most for the exchange on the wire and a long job does not starve the poll of its slot.
 *
 * <p><b>Grid.</b> Slots keep to {@code start + phase + k·interval}: a slow poll or a reconnect does not shift a job's
 * later slots, and slots that pass while the meter is unreachable are counted as missed, not made up in a burst.
 *
 * <p><b>State machine.</b> The session is a plain state machine ({@link Phase}) driven by callbacks: its one timer
 * task (the next wake-up: the earliest due slot of its idle jobs, the backoff's end or the first slot), the connect
 * attempt's outcome, each job run's end and the connection's close. Nothing of it lives between two callbacks but
 * the session's own fields, the timer task and what is in flight: a meter polled every few seconds for weeks keeps
 * no operator chain alive, and a poll assembles none (the register poll reads through the client's future).
 *
 * <p><b>Threads.</b> Everything a session does runs on its timer (the meter's event loop in production, which also
 * carries its socket), so its state needs no locks; the counters are volatile only so that statistics can be read
 * from elsewhere. Calls from other threads ({@link #reconnect}, {@link #pollingInterval(Duration)}, a cancel of
 * {@link #run}) and the connect attempt's outcome (a host name is looked up off the loop) hop onto the timer;
 * completions of the client's futures and of the connection's close arrive on the meter's event loop already.
 * Cancelling {@link #readNow}'s Mono cancels the operation in the client: dequeued if it has not reached the wire,
 * stopped after the exchange on the wire otherwise.
 */
public final class MeterSession {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");
    /** An association that ends in a protocol violation sooner than this after it began continues a run of them. */
    static final Duration VIOLATION_MEMORY = Duration.ofMinutes(10);

    /** Where the session is in its life; {@link #state()} is what it tells the world. */
    private enum Phase {
        /** {@link #run()} not subscribed yet. */
        NEW,
        /** Asleep until the first slot of any job. */
        WAITING_FIRST_SLOT,
        /** A connect attempt in flight (waiting for a permit of the limiter, connecting or associating). */
        CONNECTING,
        /** Associated: jobs run at their slots, the timer wakes the session for the next one due. */
        ASSOCIATED,
        /** The association failed: it is being released before the backoff starts. */
        RELEASING,
        /** Asleep until the backoff ends. */
        BACKING_OFF,
        STOPPED
    }

    private final Meter meter;
    private final MeterConnector connector;
    private final ConnectionAttemptLimiter limiter;
    private final ReadingBuffer buffer;
    private final ReconnectBackoff backoff;
    private final FailureLog failureLog;
    private final Scheduler timer;
    /** The register poll's phase, in the millis the grid counts in: a Duration per meter would cost 24 bytes more. */
    private final long phaseMillis;
    private final long resolutionMillis;
    private final List<Measurement> measurements;
    private final Runnable firstOutcome;
    /** The timer's task for every wake-up, made once. */
    private final Runnable wakeUpTask = this::wokenUp;

    private volatile Duration interval;
    // the association on-demand operations use; set on the timer thread, read from any
    private volatile MeterAssociation association;
    private volatile boolean reconnectRequested;
    private volatile boolean stopRequested;
    private Schedule[] schedules;

    // the state machine, on the session's timer thread only
    private Phase life = Phase.NEW;
    private Disposable wakeUp;
    private long wakeUpAtMillis;
    private ConnectAttempt connecting;
    /** The association the jobs run on while ASSOCIATED; callbacks of an earlier one find it changed. */
    private MeterAssociation jobsOn;
    private int scheduledRunsInFlight;
    /** True while {@link #runDueJobs} walks the jobs: a run that ends within it leaves the planning to it. */
    private boolean planning;
    private boolean runEndedWhilePlanning;
    /** Failures since a job run last completed: the backoff's attempt number. */
    private long failuresInARow;
    // A meter that breaks the protocol right after every association (floods, endless blocks) would start its
    // backoff over each time, since the association itself worked: violations of associations that ended within
    // VIOLATION_MEMORY of their start count as one run of failures, so its reconnects slow down and it logs once.
    private int violationsInARow;
    private long associatedAtMillis;
    private volatile long retiredBytesReceived;
    private volatile long retiredBytesSent;

    private volatile DeviceState state = DeviceState.STARTING;
    private volatile long polls;
    private volatile long successes;
    private volatile long failures;
    private volatile long skipped;
    private volatile long missed;
    private volatile long connects;
    private volatile long connectFailures;
    private volatile long protocolViolations;
    private volatile long lastPollMillis = -1;
    private volatile long lastLatencyNanos = -1;
    private volatile String lastError;

    public MeterSession(Meter meter, MeterConnector connector, ConnectionAttemptLimiter limiter,
            ReadingBuffer buffer, ReconnectBackoff backoff, FailureLog failureLog, Scheduler timer, Duration phase,
            Duration resolution, Runnable firstOutcome) {
        this.meter = meter;
        this.connector = connector;
        this.limiter = limiter;
        this.buffer = buffer;
        this.backoff = backoff;
        this.failureLog = failureLog;
        this.timer = timer;
        this.phaseMillis = phase.toMillis();
        this.resolutionMillis = resolution.toMillis();
        this.measurements = meter.measurements();
        this.interval = meter.pollingInterval();
        this.firstOutcome = firstOutcome;
        this.schedules = new Schedule[] {new RegisterPoll()};
    }

    /**
     * Adds a job to run on this meter's association beside the register poll, on its own grid. Before {@link #run()}
     * only.
     */
    public void addJob(ScheduledJob job) {
        schedules = Arrays.copyOf(schedules, schedules.length + 1);
        schedules[schedules.length - 1] = new JobSchedule(job);
    }

    public Meter meter() {
        return meter;
    }

    public DeviceState state() {
        return state;
    }

    public Duration pollingInterval() {
        return interval;
    }

    /**
     * The session's whole life: never completes and never errors by itself; cancel it to stop, which releases the
     * association. Subscribe once.
     */
    public Mono<Void> run() {
        return new Run();
    }

    /** Changes the polling interval at once: the next poll falls one new interval after the last one. */
    public void pollingInterval(Duration newInterval) {
        if (newInterval.isNegative() || newInterval.isZero()) {
            throw new IllegalArgumentException("polling interval must be positive, got " + newInterval);
        }
        Duration old = interval;
        interval = newInterval;
        if (!old.equals(newInterval)) {
            log.info("{}Polling interval changed from {} ms to {} ms", logPrefix(), old.toMillis(),
                    newInterval.toMillis());
            onTimer(this::woken);
        }
    }

    /** Drops the association (if any) and reconnects at once, skipping any backoff under way. */
    public void reconnect() {
        reconnectRequested = true;
        MeterAssociation current = association;
        if (current != null) {
            current.abort();
        }
        onTimer(this::woken);
    }

    /**
     * Reads on the open association, outside the schedule and before any scheduled exchange; fails at once when the
     * meter is not connected.
     */
    public Mono<MeterReading> readNow(List<Measurement> asked) {
        return onAssociation(current -> {
            long start = now();
            long startNanos = System.nanoTime();
            return current.read(asked, Priority.ON_DEMAND).map(result -> reading(start, start, startNanos, result));
        });
    }

    /**
     * Runs an operation on the open association, outside the schedule (its exchanges should be
     * {@link Priority#ON_DEMAND}); fails at once when the meter is not connected.
     */
    public <T> Mono<T> onAssociation(Function<MeterAssociation, Mono<T>> operation) {
        return Mono.defer(() -> {
            MeterAssociation current = association;
            if (current == null || !current.isActive()) {
                String why = lastError == null ? "" : " (last failure: " + lastError + ")";
                return Mono.error(new DlmsConnectionException(meter.name(), "not connected" + why, null));
            }
            return operation.apply(current);
        });
    }

    public DeviceStatistics statistics() {
        MeterAssociation current = association;
        long received = retiredBytesReceived + (current == null ? 0 : current.bytesReceived());
        long sent = retiredBytesSent + (current == null ? 0 : current.bytesSent());
        return new DeviceStatistics(meter.name(), state, polls, successes, failures, skipped, missed, connects,
                connectFailures,
                lastPollMillis < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastPollMillis)),
                lastLatencyNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(lastLatencyNanos)),
                Optional.ofNullable(lastError), received, sent, protocolViolations);
    }

    // ---- life -------------------------------------------------------------------------------------------------

    private void start() {
        if (life != Phase.NEW || stopRequested) {
            return;
        }
        long startMillis = now();
        long first = Long.MAX_VALUE;
        for (Schedule s : schedules) {
            s.start(startMillis);
            first = Math.min(first, s.nextDueMillis);
        }
        life = Phase.WAITING_FIRST_SLOT;
        if (!sleepUntil(first)) {
            connect();
        }
    }

    /**
     * The Mono of {@link #run()}, and the subscription its subscriber keeps for as long as the session runs: one
     * small object per meter, where a {@code Mono.create} would keep a sink, its disposable and a callback.
     */
    private final class Run extends Mono<Void> implements Subscription {

        @Override
        public void subscribe(CoreSubscriber<? super Void> actual) {
            actual.onSubscribe(this);
            onTimer(MeterSession.this::start);
        }

        @Override
        public void request(long n) {
            // nothing to emit: the session's life ends only by a cancel
        }

        @Override
        public void cancel() {
            stop();
        }
    }

    /**
     * Stops from any thread, as a cancel of {@link #run()}'s subscription does: the state says so at once, the machine
     * stops on the timer.
     */
    public void stop() {
        stopRequested = true;
        state = DeviceState.STOPPED;
        onTimer(this::stopped);
    }

    private void stopped() {
        life = Phase.STOPPED;
        cancelWakeUp();
        ConnectAttempt attempt = connecting;
        connecting = null;
        if (attempt != null) {
            attempt.cancel();
        }
        MeterAssociation current = jobsOn;
        if (current != null) {
            jobsOn = null;
            cancelRuns();
            retire(current, null);
        }
        state = DeviceState.STOPPED;
    }

    /** The timer's wake-up: the first slot, the backoff's end or a job's slot has come. */
    private void wokenUp() {
        wakeUp = null;
        switch (life) {
            case WAITING_FIRST_SLOT, BACKING_OFF -> connect();
            case ASSOCIATED -> runDueJobs();
            default -> {
                // a wake-up that lost the race with a change of phase
            }
        }
    }

    /**
     * Woken early from any thread: a reconnect skips the first slot's wait or the backoff, a new interval moves the
     * next slots (once associated; until then there is no last slot to count from).
     */
    private void woken() {
        switch (life) {
            case WAITING_FIRST_SLOT, BACKING_OFF -> {
                if (reconnectRequested) {
                    reconnectRequested = false;
                    cancelWakeUp();
                    connect();
                }
            }
            case ASSOCIATED -> runDueJobs();
            default -> {
                // CONNECTING and RELEASING read the request when their outcome comes
            }
        }
    }

    // ---- association ------------------------------------------------------------------------------------------

    private void connect() {
        life = Phase.CONNECTING;
        ConnectAttempt attempt = new ConnectAttempt();
        connecting = attempt;
        Mono<MeterAssociation> associating;
        try {
            associating = limiter.limit(connector.associate());
        } catch (RuntimeException e) {
            attempt.onError(e);
            return;
        }
        associating.subscribe(attempt);
    }

    private void associated(ConnectAttempt attempt, MeterAssociation current) {
        if (connecting != attempt) {
            // stopped while it connected
            retire(current, null);
            return;
        }
        connecting = null;
        association = current;
        jobsOn = current;
        associatedAtMillis = now();
        connects++;
        reconnectRequested = false;
        if (state != DeviceState.UP) {
            log.info("{}Connected to {}:{}", logPrefix(), LogText.escape(meter.host()), meter.port());
        }
        enter(DeviceState.UP);
        life = Phase.ASSOCIATED;
        current.whenClosed(() -> closed(current));
        runDueJobs();
    }

    private void connectFailed(ConnectAttempt attempt, Throwable error) {
        if (connecting != attempt) {
            return;
        }
        connecting = null;
        connectFailures++;
        backOff(error);
    }

    /** Moves to a state, telling the fleet once that this meter's first attempt is over, whichever way it went. */
    private void enter(DeviceState next) {
        if (stopRequested) {
            return;
        }
        boolean first = state == DeviceState.STARTING;
        state = next;
        if (first) {
            firstOutcome.run();
        }
    }

    /**
     * The connection closed. Between jobs that ends the association; while a job runs its own failure tells the
     * story (timeout, closed during GET...), and the close must not race it: Netty completes the close future
     * before the pending request fails.
     */
    private void closed(MeterAssociation current) {
        if (jobsOn != current || life != Phase.ASSOCIATED || scheduledRunsInFlight > 0) {
            return;
        }
        Throwable cause = current.closeCause();
        associationFailed(cause != null ? cause : new DlmsConnectionException(meter.name(),
                reconnectRequested ? "reconnect requested" : "connection closed by the meter", null));
    }

    /** A job failed or the connection closed: abort, release, then back off. */
    private void associationFailed(Throwable error) {
        MeterAssociation current = jobsOn;
        jobsOn = null;
        life = Phase.RELEASING;
        cancelWakeUp();
        cancelRuns();
        current.abort();
        retire(current, error);
    }

    /**
     * Releases (or has aborted) the association and moves its byte counts into the session's totals; then backs off
     * after {@code error}, unless there was none (stopping).
     */
    private void retire(MeterAssociation current, Throwable error) {
        current.release().subscribe(null, e -> retired(current, error), () -> retired(current, error));
    }

    private void retired(MeterAssociation current, Throwable error) {
        if (association == current) {
            association = null;
        }
        retiredBytesReceived += current.bytesReceived();
        retiredBytesSent += current.bytesSent();
        if (error != null && life == Phase.RELEASING) {
            backOff(error);
        }
    }

    private void backOff(Throwable error) {
        long attempt = failuresInARow++;
        boolean first = attempt == 0 || state == DeviceState.UP;
        if (error instanceof DlmsProtocolViolationException) {
            protocolViolations++; // the one writer: the session's timer
            violationsInARow = now() - associatedAtMillis < VIOLATION_MEMORY.toMillis() ? violationsInARow + 1 : 1;
            attempt = Math.max(attempt, violationsInARow - 1);
            first = violationsInARow == 1;
        }
        lastError = reason(error);
        enter(DeviceState.DOWN);
        // a reconnect skips this one backoff, not the ones after it should the meter stay unreachable
        Duration delay = reconnectRequested ? Duration.ZERO : backoff.delay(attempt);
        reconnectRequested = false;
        if (!(error instanceof DlmsException)) {
            log.error("{}Unexpected failure; reconnecting in {} ms", logPrefix(), delay.toMillis(), error);
        } else {
            // logged once per run of failures, and summarized with other meters' when many fail at once
            failureLog.failed(logPrefix(), LogText.escape(meter.name()), LogText.escape(lastError),
                    first, delay, attempt + 1);
        }
        life = Phase.BACKING_OFF;
        if (!sleepUntil(now() + delay.toMillis())) {
            connect();
        }
    }

    /**
     * The connect attempt's subscriber: its outcome hops onto the timer (a host name is looked up on another
     * thread), where an attempt the session no longer waits for is recognised and its association released.
     */
    private final class ConnectAttempt extends CancellableSubscriber<MeterAssociation> {

        private boolean done;

        @Override
        public void onNext(MeterAssociation current) {
            done = true;
            onTimer(() -> associated(this, current));
        }

        @Override
        public void onError(Throwable error) {
            done = true;
            onTimer(() -> connectFailed(this, error));
        }

        @Override
        public void onComplete() {
            if (!done) {
                onError(new IllegalStateException("the connector completed without an association"));
            }
        }
    }

    /**
     * A subscriber that takes everything and can be cancelled from any thread before or after its subscription
     * arrives (a stop may come while the publisher has not called onSubscribe yet).
     */
    private abstract static class CancellableSubscriber<T> implements CoreSubscriber<T> {

        private volatile Subscription subscription;
        private volatile boolean cancelled;

        @Override
        public final void onSubscribe(Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        final void cancel() {
            cancelled = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    // ---- jobs -------------------------------------------------------------------------------------------------

    /**
     * Runs every idle job whose slot has come and sets the wake-up for the earliest slot of the others. Called when
     * associated, when woken, and when a run ends.
     */
    private void runDueJobs() {
        MeterAssociation current = jobsOn;
        boolean outer = planning;
        planning = true;
        try {
            long earliest;
            do {
                if (life != Phase.ASSOCIATED || jobsOn != current) {
                    return; // a run failed at once, or the session stopped
                }
                runEndedWhilePlanning = false;
                earliest = Long.MAX_VALUE;
                for (Schedule s : schedules) {
                    if (s.running) {
                        continue;
                    }
                    s.replan();
                    if (wakeMillis(s.nextDueMillis) <= now()) {
                        runSlot(s, current);
                        if (life != Phase.ASSOCIATED || jobsOn != current) {
                            return;
                        }
                    }
                    if (!s.running) {
                        earliest = Math.min(earliest, s.nextDueMillis);
                    }
                }
            } while (runEndedWhilePlanning || (earliest != Long.MAX_VALUE && !sleepUntil(earliest)));
            if (earliest == Long.MAX_VALUE) {
                cancelWakeUp();
            }
        } finally {
            planning = outer;
        }
    }

    private void runSlot(Schedule s, MeterAssociation current) {
        long now = now();
        long period = s.periodMillis();
        long slot = s.nextDueMillis;
        if (now - slot >= period) {
            long passed = (now - slot) / period;
            s.missed(passed);
            slot += passed * period;
        }
        s.nextDueMillis = slot + period;
        s.lastSlotMillis = slot;
        s.plannedPeriodMillis = period;
        scheduledRunsInFlight++;
        s.running = true;
        s.run(current, slot, now);
    }

    /** A job's run ended: on failure the association ends; otherwise it works, so the backoff starts over. */
    private void runEnded(Schedule s, MeterAssociation current, Throwable error) {
        if (jobsOn != current || life != Phase.ASSOCIATED || !s.running) {
            return; // cancelled with its association
        }
        s.running = false;
        scheduledRunsInFlight--;
        if (error != null) {
            associationFailed(error);
            return;
        }
        failuresInARow = 0;
        if (planning) {
            runEndedWhilePlanning = true; // perhaps of a job the walk has passed: it walks again
        } else {
            runDueJobs();
        }
    }

    private void cancelRuns() {
        for (Schedule s : schedules) {
            if (s.running) {
                s.running = false;
                s.cancelRun();
            }
        }
        scheduledRunsInFlight = 0;
    }

    /** A job and its grid: when its next slot falls, which slot ran last, the period it was planned with. */
    private abstract static class Schedule {

        long nextDueMillis;
        long lastSlotMillis = -1;
        long plannedPeriodMillis;
        boolean running;

        abstract long periodMillis();

        abstract long phaseMillis();

        abstract void missed(long slots);

        /** Starts the slot's run, which ends in {@link #runEnded}, at once or later. */
        abstract void run(MeterAssociation current, long slotMillis, long nowMillis);

        /** Stops the run in flight; it then ends in nothing. */
        abstract void cancelRun();

        void start(long startMillis) {
            nextDueMillis = startMillis + phaseMillis();
            plannedPeriodMillis = periodMillis();
        }

        /** When the interval changed since the slot was planned, the next slot is one new interval after the last. */
        void replan() {
            long period = periodMillis();
            if (period != plannedPeriodMillis && lastSlotMillis >= 0) {
                nextDueMillis = lastSlotMillis + period;
            }
            plannedPeriodMillis = period;
        }
    }

    /** A {@link ScheduledJob} of its own, its run's Mono subscribed by one small subscriber per run. */
    private final class JobSchedule extends Schedule {

        private final ScheduledJob job;
        private JobRun run;

        JobSchedule(ScheduledJob job) {
            this.job = job;
        }

        @Override
        long periodMillis() {
            return job.interval().toMillis();
        }

        @Override
        long phaseMillis() {
            return job.phase().toMillis();
        }

        @Override
        void missed(long slots) {
            job.missed(slots);
        }

        @Override
        void run(MeterAssociation current, long slotMillis, long nowMillis) {
            Mono<Void> work;
            try {
                work = job.run(current, slotMillis, nowMillis);
            } catch (RuntimeException e) {
                runEnded(this, current, e);
                return;
            }
            JobRun r = new JobRun(this, current);
            run = r;
            work.subscribe(r);
        }

        @Override
        void cancelRun() {
            JobRun r = run;
            run = null;
            if (r != null) {
                r.cancel();
            }
        }

        void ended(JobRun r, Throwable error) {
            if (run == r) {
                run = null;
                runEnded(this, r.current, error);
            }
        }
    }

    private final class JobRun extends CancellableSubscriber<Void> {

        private final JobSchedule schedule;
        private final MeterAssociation current;

        JobRun(JobSchedule schedule, MeterAssociation current) {
            this.schedule = schedule;
            this.current = current;
        }

        @Override
        public void onNext(Void ignored) {
        }

        @Override
        public void onError(Throwable error) {
            schedule.ended(this, error);
        }

        @Override
        public void onComplete() {
            schedule.ended(this, null);
        }
    }

    /**
     * The meter's measurements at every polling interval, into the fleet's reading buffer. The hot path of the whole
     * fleet: one read through the client's future, this schedule its callback (one poll in flight at a time).
     */
    private final class RegisterPoll extends Schedule implements BiConsumer<ReadResult, Throwable> {

        private CompletableFuture<ReadResult> pending;
        private MeterAssociation pendingOn;
        private long pendingSlotMillis;
        private long pendingStartMillis;
        private long pendingStartNanos;

        @Override
        long periodMillis() {
            return interval.toMillis();
        }

        @Override
        long phaseMillis() {
            return MeterSession.this.phaseMillis;
        }

        @Override
        void missed(long slots) {
            MeterSession.this.missed += slots;
        }

        @Override
        void run(MeterAssociation current, long slotMillis, long nowMillis) {
            // no room for the reading: the poll is skipped, not queued (a slow subscriber costs samples, not heap)
            if (!buffer.tryReserve()) {
                skipped++;
                runEnded(this, current, null);
                return;
            }
            polls++;
            pendingOn = current;
            pendingSlotMillis = slotMillis;
            pendingStartMillis = nowMillis;
            pendingStartNanos = System.nanoTime();
            CompletableFuture<ReadResult> read;
            try {
                read = current.readFuture(measurements, Priority.SCHEDULED);
            } catch (RuntimeException e) {
                read = CompletableFuture.failedFuture(e);
            }
            pending = read;
            read.whenComplete(this);
        }

        @Override
        void cancelRun() {
            CompletableFuture<ReadResult> read = pending;
            pending = null;
            if (read != null) {
                read.cancel(false); // the client drops the read, or stops after the exchange on the wire
            }
        }

        /** The read's outcome; after {@link #cancelRun} it only gives the reading's place back. */
        @Override
        public void accept(ReadResult result, Throwable error) {
            boolean cancelled = pending == null;
            pending = null;
            MeterAssociation current = pendingOn;
            pendingOn = null;
            if (error == null) {
                MeterReading reading = reading(pendingSlotMillis, pendingStartMillis, pendingStartNanos, result);
                successes++;
                lastPollMillis = pendingStartMillis;
                lastLatencyNanos = reading.latency().toNanos();
                buffer.emit(reading);
                if (log.isDebugEnabled()) {
                    log.debug("{}Read {}", logPrefix(), reading.values().values());
                }
            } else {
                buffer.cancelReservation();
                if (cancelled) {
                    return;
                }
                failures++;
            }
            if (!cancelled) {
                runEnded(this, current, error == null ? null : unwrap(error));
            }
        }
    }

    private MeterReading reading(long scheduled, long start, long startNanos, ReadResult result) {
        Map<String, MeasuredValue> values = new LinkedHashMap<>();
        for (MeasuredValue value : result.values()) {
            values.put(value.name(), value);
        }
        return new MeterReading(meter.name(), Instant.ofEpochMilli(scheduled), Instant.ofEpochMilli(start),
                Duration.ofNanos(System.nanoTime() - startNanos), values, result.refusals());
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    // ---- time -------------------------------------------------------------------------------------------------

    private long now() {
        return timer.now(TimeUnit.MILLISECONDS);
    }

    /**
     * A due time rounded up to the fleet's schedule resolution, so that every session of an event loop due in the
     * same window wakes in one pass of the loop: one return from epoll for many meters instead of one each, and
     * their requests leave together.
     */
    private long wakeMillis(long dueMillis) {
        return resolutionMillis <= 1 ? dueMillis
                : Math.floorDiv(dueMillis + resolutionMillis - 1, resolutionMillis) * resolutionMillis;
    }

    /**
     * Sets the session's one wake-up for {@code dueMillis} (rounded up to the resolution), keeping the one set if it
     * falls then; false, with no wake-up set, when that time has come already.
     */
    private boolean sleepUntil(long dueMillis) {
        long wakeAt = wakeMillis(dueMillis);
        long delay = wakeAt - now();
        if (delay <= 0) {
            cancelWakeUp();
            return false;
        }
        if (wakeUp != null) {
            if (wakeUpAtMillis == wakeAt) {
                return true;
            }
            wakeUp.dispose();
        }
        wakeUpAtMillis = wakeAt;
        try {
            wakeUp = timer.schedule(wakeUpTask, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            wakeUp = null; // the event loop is shutting down, and the fleet with it: nothing more to wake for
        }
        return true;
    }

    private void cancelWakeUp() {
        Disposable w = wakeUp;
        if (w != null) {
            wakeUp = null;
            w.dispose();
        }
    }

    /** Runs {@code action} on the session's timer; inline once its event loop is gone, as nothing else runs there. */
    private void onTimer(Runnable action) {
        try {
            timer.schedule(action);
        } catch (RejectedExecutionException e) {
            action.run();
        }
    }

    /** Made when a line is logged, not kept: a string per meter for the rare lines that need it. */
    private String logPrefix() {
        return "[DLMSDevice[" + LogText.escape(meter.name()) + "]] ";
    }

    private static String reason(Throwable error) {
        String message = error.getMessage();
        if (error instanceof DlmsException dlms && message != null) {
            // the meter's name is already in the log prefix
            String prefix = "[" + dlms.meter() + "] ";
            return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        }
        return message == null ? error.getClass().getSimpleName() : error.getClass().getSimpleName() + ": " + message;
    }
}
