package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.ClockSync;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.resources.LogText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The clock check of one meter ({@link ClockCheck}) as a job of its session: reads the clock, publishes the
 * deviation through the fleet's reading buffer (so it goes the way of every reading, to ThingsBoard as telemetry),
 * warns above the threshold and, when configured, corrects the clock. What the meter refuses (no clock object, a
 * refused correction) is logged and the job carries on; only a broken association fails it.
 */
public final class ClockCheckJob implements ScheduledJob {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");

    /** What the deviation is published as: named after the clock attribute it comes from. */
    static final Measurement DEVIATION = new Measurement(ClockCheck.DEVIATION_KEY, MeasurementCatalog.CLOCK,
            Measurement.CLASS_CLOCK, 2);

    private final Meter meter;
    private final ClockCheck check;
    private final ReadingBuffer buffer;
    private final Duration phase;
    private volatile long missed;

    public ClockCheckJob(Meter meter, ClockCheck check, ReadingBuffer buffer, Duration phase) {
        this.meter = meter;
        this.check = check;
        this.buffer = buffer;
        this.phase = phase;
    }

    @Override
    public String name() {
        return "clock check";
    }

    @Override
    public Duration interval() {
        return check.interval();
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
    public Mono<Void> run(MeterAssociation association, long slotMillis, long nowMillis) {
        return association.readClock(Priority.SCHEDULED)
                .flatMap(reading -> checked(association, reading, slotMillis))
                .onErrorResume(ClockCheckJob::refusedByTheMeter, e -> {
                    log.warn("{}Clock check failed: {}", prefix(), LogText.escape(String.valueOf(e.getMessage())));
                    return Mono.empty();
                })
                .then();
    }

    /** A refusal or a malformed value, not a broken association: the session carries on. */
    private static boolean refusedByTheMeter(Throwable e) {
        return e instanceof DlmsException d && !d.isConnectionLost();
    }

    private Mono<Void> checked(MeterAssociation association, ClockReading reading, long slotMillis) {
        if (reading.deviation().isEmpty()) {
            log.warn("{}Clock reads {}, which names no time; no deviation published", prefix(), reading.time());
            return Mono.empty();
        }
        Duration deviation = reading.deviation().get();
        publish(reading, deviation, slotMillis);
        Duration size = deviation.abs();
        if (size.compareTo(check.warnAbove()) > 0) {
            log.warn("{}Clock is {} s {} the gateway's (meter {}, status 0x{}); more than warnAboveMs {}", prefix(),
                    seconds(size), deviation.isNegative() ? "behind" : "ahead of",
                    reading.meterTime().map(Instant::toString).orElse("?"),
                    Integer.toHexString(reading.time().clockStatus()), check.warnAbove().toMillis());
        }
        if (!check.autoCorrect() || size.compareTo(check.correctAbove()) <= 0) {
            return Mono.empty();
        }
        return ClockCorrection.correct(association, reading, Priority.SCHEDULED)
                .doOnNext(sync -> log.info("{}Clock corrected ({}{}); deviation now {}", prefix(),
                        sync.method() == ClockSync.Method.SHIFT_TIME ? "shift_time " + sync.shiftedSeconds() + " s"
                                : "time set", sync.method() == ClockSync.Method.NONE ? ", nothing to do" : "",
                        sync.after().flatMap(ClockReading::deviation).map(d -> d.toMillis() + " ms").orElse("unknown")))
                .then();
    }

    private void publish(ClockReading reading, Duration deviation, long slotMillis) {
        if (!buffer.tryReserve()) {
            return; // the subscriber is behind: a sample lost, as for a skipped poll
        }
        MeasuredValue value = new MeasuredValue(DEVIATION, deviation.toMillis(), "ms");
        buffer.emit(new MeterReading(meter.name(), Instant.ofEpochMilli(slotMillis), reading.midpoint(),
                reading.roundTrip(), Map.of(ClockCheck.DEVIATION_KEY, value), List.of()));
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    private String prefix() {
        return "[DLMSDevice[" + LogText.escape(meter.name()) + "]] ";
    }
}
