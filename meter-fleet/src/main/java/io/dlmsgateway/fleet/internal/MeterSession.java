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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

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
 * <p><b>Threads.</b> Everything a session does runs on its timer (the meter's event loop in production, which also
 * carries its socket), so its state needs no locks; the counters are volatile only so that statistics can be read
 * from elsewhere. Cancelling {@link #readNow}'s Mono cancels the operation in the client: dequeued if it has not
 * reached the wire, stopped after the exchange on the wire otherwise.
 */
public final class MeterSession {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");
    /** An association that ends in a protocol violation sooner than this after it began continues a run of them. */
    static final Duration VIOLATION_MEMORY = Duration.ofMinutes(10);

    private final Meter meter;
    private final MeterConnector connector;
    private final ConnectionAttemptLimiter limiter;
    private final ReadingBuffer buffer;
    private final ReconnectBackoff backoff;
    private final FailureLog failureLog;
    private final Scheduler timer;
    private final Duration phase;
    private final long resolutionMillis;
    private final List<Measurement> measurements;
    private final Runnable firstOutcome;

    private volatile Duration interval;
    private volatile MeterAssociation association;
    private volatile boolean reconnectRequested;
    private final List<Schedule> schedules = new ArrayList<>();
    // the backoff's sleep between associations (each schedule keeps its own); volatile: woken from other threads
    private volatile MonoSink<Boolean> backoffSleeper;

    // the chain's own state, on the session's timer thread only
    private int scheduledRunsInFlight;
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
        this.phase = phase;
        this.resolutionMillis = resolution.toMillis();
        this.measurements = meter.measurements();
        this.interval = meter.pollingInterval();
        this.firstOutcome = firstOutcome;
        schedules.add(new Schedule(new RegisterPoll()));
    }

    /**
     * Adds a job to run on this meter's association beside the register poll, on its own grid. Before {@link #run()}
     * only.
     */
    public void addJob(ScheduledJob job) {
        schedules.add(new Schedule(job));
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
     * association.
     */
    public Mono<Void> run() {
        return Mono.fromCallable(() -> {
                    long startMillis = now();
                    long first = Long.MAX_VALUE;
                    for (Schedule s : schedules) {
                        s.start(startMillis);
                        first = Math.min(first, s.nextDueMillis);
                    }
                    return first;
                })
                .flatMap(due -> sleepUntil(due, sink -> backoffSleeper = sink))
                .then(Flux.defer(this::associateAndRunJobs)
                        .retryWhen(Retry.from(signals -> signals.concatMap(this::retryDelay)))
                        .then())
                .doFinally(signal -> {
                    state = DeviceState.STOPPED;
                    wake();
                });
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
            wake();
        }
    }

    /** Drops the association (if any) and reconnects at once, skipping any backoff under way. */
    public void reconnect() {
        reconnectRequested = true;
        MeterAssociation current = association;
        if (current != null) {
            current.abort();
        }
        wake();
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

    // ---- association ------------------------------------------------------------------------------------------

    /** Emits the slot of every job run that completed: the association works, so the backoff starts over. */
    private Flux<Long> associateAndRunJobs() {
        return Flux.usingWhen(
                limiter.limit(connector.associate()).doOnNext(this::associated).doOnError(this::associationFailed),
                current -> jobLoops(current).mergeWith(closedByPeer(current)),
                this::retire,
                (current, error) -> {
                    current.abort();
                    return retire(current);
                },
                this::retire);
    }

    /**
     * Every job's loop on the association. Most meters have the register poll alone, whose loop then runs without a
     * flatMap around it: that operator and its inner, queue and tracker arrays would live as long as the association
     * (~400 bytes per meter) to merge one source.
     */
    private Flux<Long> jobLoops(MeterAssociation current) {
        if (schedules.size() == 1) {
            return schedules.get(0).loop(current);
        }
        return Flux.fromIterable(schedules).flatMap(s -> s.loop(current), schedules.size());
    }

    private void associated(MeterAssociation current) {
        association = current;
        associatedAtMillis = now();
        connects++;
        reconnectRequested = false;
        if (state != DeviceState.UP) {
            log.info("{}Connected to {}:{}", logPrefix(), LogText.escape(meter.host()), meter.port());
        }
        enter(DeviceState.UP);
    }

    /** Moves to a state, telling the fleet once that this meter's first attempt is over, whichever way it went. */
    private void enter(DeviceState next) {
        boolean first = state == DeviceState.STARTING;
        state = next;
        if (first) {
            firstOutcome.run();
        }
    }

    private void associationFailed(Throwable error) {
        connectFailures++;
    }

    /** Releases (or has aborted) the association and moves its byte counts into the session's totals. */
    private Mono<Void> retire(MeterAssociation current) {
        return current.release().doFinally(signal -> {
            if (association == current) {
                association = null;
            }
            retiredBytesReceived += current.bytesReceived();
            retiredBytesSent += current.bytesSent();
        });
    }

    /**
     * Fails when the connection closes between jobs. While a job runs its own failure tells the story (timeout,
     * closed during GET...), and the close must not race it: Netty completes the close future before the pending
     * request fails.
     */
    private Mono<Long> closedByPeer(MeterAssociation current) {
        return current.onClose().then(Mono.defer(() -> scheduledRunsInFlight > 0 ? Mono.never()
                : current.closeCause() != null ? Mono.error(current.closeCause())
                : Mono.error(new DlmsConnectionException(meter.name(),
                        reconnectRequested ? "reconnect requested" : "connection closed by the meter", null))));
    }

    private Mono<Long> retryDelay(Retry.RetrySignal signal) {
        Throwable error = signal.failure();
        long attempt = signal.totalRetriesInARow();
        boolean first = attempt == 0 || state == DeviceState.UP;
        if (error instanceof DlmsProtocolViolationException) {
            protocolViolations++; // the one writer: the session's retry, one signal at a time
            violationsInARow = now() - associatedAtMillis < VIOLATION_MEMORY.toMillis() ? violationsInARow + 1 : 1;
            attempt = Math.max(attempt, violationsInARow - 1);
            first = violationsInARow == 1;
        }
        lastError = reason(error);
        enter(DeviceState.DOWN);
        Duration delay = reconnectRequested ? Duration.ZERO : backoff.delay(attempt);
        if (!(error instanceof DlmsException)) {
            log.error("{}Unexpected failure; reconnecting in {} ms", logPrefix(), delay.toMillis(), error);
        } else {
            // logged once per run of failures, and summarized with other meters' when many fail at once
            failureLog.failed(logPrefix(), LogText.escape(meter.name()), LogText.escape(lastError),
                    first, delay, attempt + 1);
        }
        return sleepUntil(now() + delay.toMillis(), sink -> backoffSleeper = sink).thenReturn(0L);
    }

    // ---- jobs -------------------------------------------------------------------------------------------------

    /** A job and its grid: when its next slot falls, which slot ran last, the period it was planned with. */
    private final class Schedule {

        private final ScheduledJob job;
        private long nextDueMillis;
        private long lastSlotMillis = -1;
        private long plannedPeriodMillis;
        // set on the timer thread, woken from any thread (an RPC changing the interval)
        private volatile MonoSink<Boolean> sleeper;

        Schedule(ScheduledJob job) {
            this.job = job;
        }

        void start(long startMillis) {
            nextDueMillis = startMillis + job.phase().toMillis();
            plannedPeriodMillis = job.interval().toMillis();
        }

        /** Runs the job at each of its slots for as long as the association lasts; emits each slot run. */
        Flux<Long> loop(MeterAssociation current) {
            return Mono.defer(() -> {
                        long period = job.interval().toMillis();
                        if (period != plannedPeriodMillis && lastSlotMillis >= 0) {
                            // the interval changed while waiting: the next slot is one new interval after the last
                            nextDueMillis = lastSlotMillis + period;
                        }
                        plannedPeriodMillis = period;
                        return sleepUntil(nextDueMillis, sink -> sleeper = sink);
                    })
                    .flatMap(due -> due ? runSlot(current) : Mono.<Long>empty())
                    .repeat();
        }

        private Mono<Long> runSlot(MeterAssociation current) {
            long now = now();
            long period = job.interval().toMillis();
            long slot = nextDueMillis;
            if (now - slot >= period) {
                long passed = (now - slot) / period;
                job.missed(passed);
                slot += passed * period;
            }
            nextDueMillis = slot + period;
            lastSlotMillis = slot;
            plannedPeriodMillis = period;
            scheduledRunsInFlight++;
            return job.run(current, slot, now).doFinally(signal -> scheduledRunsInFlight--).thenReturn(slot);
        }

        void wake() {
            MonoSink<Boolean> s = sleeper;
            if (s != null) {
                s.success(false);
            }
        }
    }

    /** The meter's measurements at every polling interval, into the fleet's reading buffer. */
    private final class RegisterPoll implements ScheduledJob {

        @Override
        public String name() {
            return "register poll";
        }

        @Override
        public Duration interval() {
            return interval;
        }

        @Override
        public Duration phase() {
            return phase;
        }

        @Override
        public void missed(long slots) {
            missed += slots;
        }

        @Override
        public Mono<Void> run(MeterAssociation current, long slot, long now) {
            // no room for the reading: the poll is skipped, not queued (a slow subscriber costs samples, not heap)
            if (!buffer.tryReserve()) {
                skipped++;
                return Mono.empty();
            }
            polls++;
            long startNanos = System.nanoTime();
            boolean[] filled = {false};
            return current.read(measurements, Priority.SCHEDULED)
                    .map(result -> reading(slot, now, startNanos, result))
                    .doOnNext(reading -> {
                        successes++;
                        lastPollMillis = now;
                        lastLatencyNanos = reading.latency().toNanos();
                        filled[0] = true;
                        buffer.emit(reading);
                        if (log.isDebugEnabled()) {
                            log.debug("{}Read {}", logPrefix(), reading.values().values());
                        }
                    })
                    .doOnError(error -> failures++)
                    .doFinally(signal -> {
                        if (!filled[0]) {
                            buffer.cancelReservation();
                        }
                    })
                    .then();
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

    // ---- time -------------------------------------------------------------------------------------------------

    private long now() {
        return timer.now(TimeUnit.MILLISECONDS);
    }

    /**
     * Emits true once the timer reaches {@code dueMillis}, or false when woken early (interval changed, reconnect
     * requested, stopping). The wake-up is rounded up to the fleet's schedule resolution, so that every session of
     * an event loop due in the same window wakes in one pass of the loop: one return from epoll for many meters
     * instead of one each, and their requests leave together.
     */
    private Mono<Boolean> sleepUntil(long dueMillis, Consumer<MonoSink<Boolean>> register) {
        long wakeMillis = resolutionMillis <= 1 ? dueMillis
                : Math.floorDiv(dueMillis + resolutionMillis - 1, resolutionMillis) * resolutionMillis;
        long delay = wakeMillis - now();
        if (delay <= 0) {
            return Mono.just(true);
        }
        return Mono.create(sink -> {
            register.accept(sink);
            sink.onDispose(timer.schedule(() -> sink.success(true), delay, TimeUnit.MILLISECONDS));
        });
    }

    /**
     * Ends every sleep of the session early (interval changed, reconnect requested, stopping): each loop then
     * decides afresh what is due. Any thread may wake; a sink already completed ignores it.
     */
    private void wake() {
        MonoSink<Boolean> backoff = backoffSleeper;
        if (backoff != null) {
            backoff.success(false);
        }
        for (Schedule s : schedules) {
            s.wake();
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
