package io.dlmsgateway.gateway.internal;

import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.fleet.ProfileChunk;
import io.dlmsgateway.fleet.ProfileStore;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.resources.LogText;
import io.dlmsgateway.spool.Spool;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The fleet's profile rows into the spool, each chunk's rows and its mark in one transaction: the mark
 * ({@code profile/<meter>/<obis>}, the capture time of the last row spooled, epoch milliseconds) never claims a
 * row the spool does not hold, nor lags one it does, so a restart, a kill -9, a meter or a ThingsBoard outage resume
 * exactly after the last row: no gap, no duplicate.
 */
public final class SpoolProfileStore implements ProfileStore {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.gateway.DLMSConnector");
    /** Rows without a time are reported at most this often, with the count since the last report. */
    private static final long NO_TIME_LOG_PERIOD_MS = 60_000;
    /** Marks of profiles begin with this, then {@code <meter>/<obis>}. */
    public static final String MARK_PREFIX = "profile/";

    private final Spool spool;
    private final Map<String, GatewayDevice> devices;
    private final ProfileTelemetry telemetry = new ProfileTelemetry();
    private final LongAdder rowsSpooled = new LongAdder();
    private final LongAdder rowsFlagged = new LongAdder();
    private final LongAdder rowsWithoutTime = new LongAdder();
    private final AtomicLong unreportedWithoutTime = new AtomicLong();
    private final AtomicLong lastNoTimeReport = new AtomicLong(Long.MIN_VALUE);

    public SpoolProfileStore(Spool spool, Map<String, GatewayDevice> devices) {
        this.spool = spool;
        this.devices = devices;
    }

    /** The mark's key of a meter's profile. */
    public static String markKey(String meter, ObisCode profile) {
        return MARK_PREFIX + meter + "/" + profile;
    }

    @Override
    public Optional<Instant> mark(String meter, ObisCode profile) {
        OptionalLong mark = spool.mark(markKey(meter, profile));
        return mark.isPresent() ? Optional.of(Instant.ofEpochMilli(mark.getAsLong())) : Optional.empty();
    }

    @Override
    public Mono<Void> store(ProfileChunk chunk) {
        return Mono.defer(() -> {
            ProfileTelemetry.Converted converted = telemetry.records(devices.get(chunk.meter()), chunk);
            if (converted.withoutTime() > 0) {
                rowsWithoutTime.add(converted.withoutTime());
                reportRowsWithoutTime(chunk, converted.withoutTime());
            }
            Optional<Instant> last = chunk.lastTime();
            if (last.isEmpty()) {
                return Mono.empty();
            }
            return spool.append(converted.records(), Map.of(markKey(chunk.meter(), chunk.profile()),
                            last.get().toEpochMilli()))
                    .doOnSuccess(v -> {
                        rowsSpooled.add(converted.records().size());
                        rowsFlagged.add(converted.flagged());
                    });
        });
    }

    /** Profile rows written to the spool since start. */
    public long rowsSpooled() {
        return rowsSpooled.sum();
    }

    /** Rows delivered with a clock the meter flagged invalid or doubtful. */
    public long rowsFlagged() {
        return rowsFlagged.sum();
    }

    /** Rows left out because they had no time. */
    public long rowsWithoutTime() {
        return rowsWithoutTime.sum();
    }

    private void reportRowsWithoutTime(ProfileChunk chunk, long count) {
        long pending = unreportedWithoutTime.addAndGet(count);
        long now = System.currentTimeMillis();
        long last = lastNoTimeReport.get();
        if (now - last >= NO_TIME_LOG_PERIOD_MS && lastNoTimeReport.compareAndSet(last, now)) {
            long reported = unreportedWithoutTime.getAndAdd(-pending);
            log.warn("[DLMSConnector] {} profile rows without a capture time left out (neither their clock nor the"
                            + " capture period gives one), last of '{}' profile {}; reported at most once a minute",
                    Math.min(reported, pending), LogText.escape(chunk.meter()), chunk.profile());
        }
    }
}
