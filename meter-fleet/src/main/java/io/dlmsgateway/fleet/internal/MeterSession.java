package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.dlms.client.Refusal;
import io.dlmsgateway.fleet.DeviceState;
import io.dlmsgateway.fleet.DeviceStatistics;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.MeterReading;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One meter's life: wait for its slot, connect (through the fleet's limiter), associate, poll on a fixed grid for as
 * long as the association lasts, and after any failure reconnect with backoff. Everything a session does runs in one
 * sequential Reactor chain on its timer (the meter's event loop in production), so its state needs no locks; the
 * counters are volatile only so that statistics can be read from elsewhere.
 *
 * <p>Polls keep to the grid {@code start + phase + k·interval}: a slow poll or a reconnect does not shift the meter's
 * later polls, and slots that pass while the meter is unreachable are counted as missed, not made up in a burst.
 */
public final class MeterSession {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");

    private final Meter meter;
    private final String logPrefix;
    private final MeterConnector connector;
    private final ConnectionAttemptLimiter limiter;
    private final ReadingBuffer buffer;
    private final ReconnectBackoff backoff;
    private final Scheduler timer;
    private final Duration phase;
    private final long resolutionMillis;
    private final List<Measurement> measurements;
    private final Runnable firstOutcome;

    private volatile Duration interval;
    private volatile MeterAssociation association;
    private volatile MonoSink<Boolean> sleeper;
    private volatile boolean reconnectRequested;

    // the chain's own state: written by one signal at a time
    private long nextDueMillis;
    private boolean pollInFlight;
    private long lastSlotMillis = -1;
    private long plannedPeriodMillis;
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
    private volatile long lastPollMillis = -1;
    private volatile long lastLatencyNanos = -1;
    private volatile String lastError;

    public MeterSession(Meter meter, MeterConnector connector, ConnectionAttemptLimiter limiter,
            ReadingBuffer buffer, ReconnectBackoff backoff, Scheduler timer, Duration phase, Duration resolution,
            Runnable firstOutcome) {
        this.meter = meter;
        this.logPrefix = "[DLMSDevice[" + meter.name() + "]] ";
        this.connector = connector;
        this.limiter = limiter;
        this.buffer = buffer;
        this.backoff = backoff;
        this.timer = timer;
        this.phase = phase;
        this.resolutionMillis = resolution.toMillis();
        this.measurements = meter.measurements();
        this.interval = meter.pollingInterval();
        this.firstOutcome = firstOutcome;
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
     * The session's whole life as a Flux that emits the start time (timer millis) of each successful poll and never
     * errors; cancel it to stop, which releases the association.
     */
    public Flux<Long> run() {
        return Mono.fromCallable(() -> {
                    nextDueMillis = now() + phase.toMillis();
                    plannedPeriodMillis = interval.toMillis();
                    return nextDueMillis;
                })
                .flatMap(due -> sleepUntil(due))
                .thenMany(Flux.defer(this::associateAndPoll)
                        .retryWhen(Retry.from(signals -> signals.concatMap(this::retryDelay))))
                .doFinally(signal -> {
                    state = DeviceState.STOPPED;
                    wake(false);
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
            log.info("{}Polling interval changed from {} ms to {} ms", logPrefix, old.toMillis(),
                    newInterval.toMillis());
            wake(false);
        }
    }

    /** Drops the association (if any) and reconnects at once, skipping any backoff under way. */
    public void reconnect() {
        reconnectRequested = true;
        MeterAssociation current = association;
        if (current != null) {
            current.abort();
        }
        wake(false);
    }

    /** Reads on the open association, outside the schedule; fails at once when the meter is not connected. */
    public Mono<MeterReading> readNow(List<Measurement> asked) {
        return Mono.defer(() -> {
            MeterAssociation current = association;
            if (current == null || !current.isActive()) {
                String why = lastError == null ? "" : " (last failure: " + lastError + ")";
                return Mono.error(new DlmsConnectionException(meter.name(), "not connected" + why, null));
            }
            long start = now();
            long startNanos = System.nanoTime();
            return current.read(asked).map(result -> reading(start, start, startNanos, result));
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
                Optional.ofNullable(lastError), received, sent);
    }

    // ---- association ------------------------------------------------------------------------------------------

    private Flux<Long> associateAndPoll() {
        return Flux.usingWhen(
                limiter.limit(connector.associate()).doOnNext(this::associated).doOnError(this::associationFailed),
                current -> pollLoop(current).mergeWith(closedByPeer(current)),
                this::retire,
                (current, error) -> {
                    current.abort();
                    return retire(current);
                },
                this::retire);
    }

    private void associated(MeterAssociation current) {
        association = current;
        connects++;
        reconnectRequested = false;
        if (state != DeviceState.UP) {
            log.info("{}Connected to {}:{}", logPrefix, meter.host(), meter.port());
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
     * Fails when the connection closes between polls. While a poll is in flight its own failure tells the story
     * (timeout, closed during GET...), and the close must not race it: Netty completes the close future before the
     * pending request fails.
     */
    private Mono<Long> closedByPeer(MeterAssociation current) {
        return current.onClose().then(Mono.defer(() -> pollInFlight ? Mono.never()
                : Mono.error(new DlmsConnectionException(meter.name(),
                        reconnectRequested ? "reconnect requested" : "connection closed by the meter", null))));
    }

    private Mono<Long> retryDelay(Retry.RetrySignal signal) {
        Throwable error = signal.failure();
        boolean firstInARow = signal.totalRetriesInARow() == 0;
        lastError = reason(error);
        boolean wasUp = state == DeviceState.UP;
        enter(DeviceState.DOWN);
        Duration delay = reconnectRequested ? Duration.ZERO : backoff.delay(signal.totalRetriesInARow());
        if (!(error instanceof DlmsException)) {
            log.error("{}Unexpected failure; reconnecting in {} ms", logPrefix, delay.toMillis(), error);
        } else if (wasUp || firstInARow) {
            log.warn("{}{}; reconnecting in {} ms", logPrefix, lastError, delay.toMillis());
        } else {
            log.debug("{}{}; reconnecting in {} ms (attempt {})", logPrefix, lastError, delay.toMillis(),
                    signal.totalRetriesInARow() + 1);
        }
        return sleepUntil(now() + delay.toMillis()).thenReturn(0L);
    }

    // ---- polling ----------------------------------------------------------------------------------------------

    private Flux<Long> pollLoop(MeterAssociation current) {
        return Mono.defer(() -> {
                    long period = interval.toMillis();
                    if (period != plannedPeriodMillis && lastSlotMillis >= 0) {
                        // the interval changed while waiting: the next poll is one new interval after the last
                        nextDueMillis = lastSlotMillis + period;
                    }
                    plannedPeriodMillis = period;
                    return sleepUntil(nextDueMillis);
                })
                .flatMap(due -> due ? poll(current) : Mono.<Long>empty())
                .repeat();
    }

    private Mono<Long> poll(MeterAssociation current) {
        long now = now();
        long period = interval.toMillis();
        long slot = nextDueMillis;
        if (now - slot >= period) {
            long passed = (now - slot) / period;
            missed += passed;
            slot += passed * period;
        }
        nextDueMillis = slot + period;
        lastSlotMillis = slot;
        plannedPeriodMillis = period;
        if (!buffer.tryReserve()) {
            skipped++;
            return Mono.empty();
        }
        polls++;
        long scheduled = slot;
        long startNanos = System.nanoTime();
        boolean[] filled = {false};
        pollInFlight = true;
        return current.read(measurements)
                .map(result -> reading(scheduled, now, startNanos, result))
                .doOnNext(reading -> {
                    successes++;
                    lastPollMillis = now;
                    lastLatencyNanos = reading.latency().toNanos();
                    filled[0] = true;
                    buffer.emit(reading);
                    if (log.isDebugEnabled()) {
                        log.debug("{}Read {}", logPrefix, reading.values().values());
                    }
                })
                .doOnError(error -> failures++)
                .doFinally(signal -> {
                    pollInFlight = false;
                    if (!filled[0]) {
                        buffer.cancelReservation();
                    }
                })
                .map(reading -> now);
    }

    private MeterReading reading(long scheduled, long start, long startNanos, ReadResult result) {
        Map<String, MeasuredValue> values = new LinkedHashMap<>();
        for (MeasuredValue value : result.values()) {
            values.put(value.name(), value);
        }
        Map<String, String> errors = new LinkedHashMap<>();
        for (Refusal refused : result.refusals()) {
            errors.put(refused.name(), refused.resultName());
        }
        return new MeterReading(meter.name(), Instant.ofEpochMilli(scheduled), Instant.ofEpochMilli(start),
                Duration.ofNanos(System.nanoTime() - startNanos), values, errors);
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
    private Mono<Boolean> sleepUntil(long dueMillis) {
        long wakeMillis = resolutionMillis <= 1 ? dueMillis
                : Math.floorDiv(dueMillis + resolutionMillis - 1, resolutionMillis) * resolutionMillis;
        long delay = wakeMillis - now();
        if (delay <= 0) {
            return Mono.just(true);
        }
        return Mono.create(sink -> {
            sleeper = sink;
            sink.onDispose(timer.schedule(() -> sink.success(true), delay, TimeUnit.MILLISECONDS));
        });
    }

    private void wake(boolean due) {
        MonoSink<Boolean> s = sleeper;
        if (s != null) {
            s.success(due);
        }
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
