package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.dlms.client.DlmsProtocolViolationException;
import io.dlmsgateway.dlms.client.DlmsProtocolException;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ProfileRow;
import io.dlmsgateway.dlms.client.ProfileRows;
import io.dlmsgateway.dlms.client.ProfileShape;
import io.dlmsgateway.fleet.ProfileChunk;
import io.dlmsgateway.fleet.ProfileSchedule;
import io.dlmsgateway.fleet.ProfileStore;
import io.dlmsgateway.resources.LogText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Reads one Profile Generic of one meter on the session's association: at each slot, the rows captured after the
 * mark (the last row stored, from the {@link ProfileStore}) up to the meter's now, or on first contact those of the
 * schedule's backfill window, in chunks; each chunk is stored (rows and mark together) before the next is read, so a
 * slow store slows the reads and a meter's whole backlog never sits in memory.
 *
 * <p><b>By range, else by entry.</b> Chunks are read by range (selector 1, restricted by the clock column). A meter
 * that refuses range access (older meters do) is read by entry for the rest of the association: entries_in_use and
 * the last entry's capture time tell how many entries are new, and each chunk overlaps the previous one by an entry,
 * so that a buffer that wrapped (dropped its oldest row) between two reads loses nothing; rows at or before the mark
 * are left out, by time.
 *
 * <p><b>What the meter's clock says</b> bounds every read: a mark after the meter's now means the clock went back
 * (or the mark is another meter's): the job then re-reads a window before the meter's now and accepts rows whose
 * timestamps were delivered before (a duplicate in ThingsBoard is the same key and time written twice; a gap would be
 * data lost). A meter whose entries_in_use fell (buffer reset) and rows missing after the mark are logged.
 *
 * <p><b>Threads.</b> Runs on the session's timer thread; after a store completes (on the store's thread) it comes
 * back to that thread before touching its state or the association.
 */
public final class ProfileJob implements ScheduledJob {

    private static final Logger log = LoggerFactory.getLogger("io.dlmsgateway.fleet.DLMSDevice");

    private final String meter;
    private final ProfileSchedule schedule;
    private final ProfileStore store;
    private final Duration phase;
    private final Scheduler timer;
    private final LongSupplier wallClockMillis;
    private final ConnectionAttemptLimiter reads;

    // on the session's timer thread only
    private MeterAssociation refusedRange;
    private boolean rangeRefusalLogged;
    private boolean missingProfileLogged;
    private long lastEntriesInUse = -1;
    private Instant loggedFutureMark;
    private volatile long missed;
    private volatile long rowsStored;

    /**
     * @param phase           offset of the first slot from the session's start
     * @param timer           the session's timer (the meter's event loop)
     * @param wallClockMillis the gateway's clock, for a meter whose own clock cannot be read
     * @param reads           the fleet's cap on profile reads in progress at once
     */
    public ProfileJob(String meter, ProfileSchedule schedule, ProfileStore store, Duration phase, Scheduler timer,
            LongSupplier wallClockMillis, ConnectionAttemptLimiter reads) {
        this.meter = meter;
        this.schedule = schedule;
        this.store = store;
        this.phase = phase;
        this.timer = timer;
        this.wallClockMillis = wallClockMillis;
        this.reads = reads;
    }

    @Override
    public String name() {
        return "profile " + schedule.profile();
    }

    @Override
    public Duration interval() {
        return schedule.interval();
    }

    @Override
    public Duration phase() {
        return phase;
    }

    @Override
    public void missed(long slots) {
        missed += slots;
    }

    /** Rows stored since the job began. */
    public long rowsStored() {
        return rowsStored;
    }

    @Override
    public Mono<Void> run(MeterAssociation association, long slotMillis, long nowMillis) {
        // a permit may be handed over on another meter's loop: the read starts, and ends, on this meter's own
        return reads.limit(Mono.defer(() -> read(association)).subscribeOn(timer)).publishOn(timer);
    }

    private Mono<Void> read(MeterAssociation association) {
        ObisCode profile = schedule.profile();
        return association.readProfileShape(profile, Priority.SCHEDULED)
                .flatMap(shape -> association.meterTime(Priority.SCHEDULED)
                        .map(Optional::of)
                        .defaultIfEmpty(Optional.empty())
                        .flatMap(time -> read(association, shape,
                                time.orElseGet(() -> Instant.ofEpochMilli(wallClockMillis.getAsLong())))))
                .onErrorResume(this::endsTheSlotOnly, this::slotEnded);
    }

    /** Failures after which the association stays usable: the slot ends, the next one starts from the mark. */
    private boolean endsTheSlotOnly(Throwable error) {
        return error instanceof DlmsAccessException || error instanceof StoreFailed
                || (error instanceof DlmsProtocolException && !(error instanceof DlmsProtocolViolationException));
    }

    private Mono<Void> slotEnded(Throwable error) {
        if (error instanceof StoreFailed failed) {
            log.warn("{}Profile {}: rows not stored ({}); the next read starts again from the last row stored",
                    prefix(), schedule.profile(), LogText.escape(String.valueOf(failed.getCause())));
        } else if (error instanceof DlmsAccessException refused && !missingProfileLogged) {
            missingProfileLogged = true;
            log.warn("{}Profile {} cannot be read: {}", prefix(), schedule.profile(),
                    LogText.escape(refused.getMessage()));
        } else if (!(error instanceof DlmsAccessException)) {
            log.warn("{}Profile {}: {}", prefix(), schedule.profile(), LogText.escape(error.getMessage()));
        }
        return Mono.empty();
    }

    private Mono<Void> read(MeterAssociation association, ProfileShape shape, Instant meterNow) {
        Optional<Instant> mark = store.mark(meter, schedule.profile());
        Instant after;
        if (mark.isEmpty()) {
            after = meterNow.minus(schedule.backfill());
        } else if (mark.get().isAfter(meterNow)) {
            // the meter's clock is behind the last row stored: set back, or the mark belongs to another meter
            // (replaced, or its clock was ahead before). Rows it captured since then carry times before the mark;
            // filtering on the mark would drop them until the clock passes it again
            Duration window = schedule.interval().multipliedBy(2)
                    .plusSeconds(2 * Math.max(shape.capturePeriodSeconds(), 1));
            if (window.compareTo(schedule.backfill()) > 0) {
                window = schedule.backfill();
            }
            after = meterNow.minus(window);
            if (!mark.get().equals(loggedFutureMark)) {
                loggedFutureMark = mark.get();
                log.warn("{}Profile {}: the meter's clock ({}) is behind the last row stored ({}): its clock was set"
                                + " back, or the mark is from another meter; reading again from {} (rows of"
                                + " timestamps already delivered may come twice rather than any being lost)",
                        prefix(), schedule.profile(), meterNow, mark.get(), after);
            }
        } else {
            after = mark.get();
        }
        Cursor cursor = new Cursor(association, shape, meterNow, after, mark.isPresent());
        boolean byEntry = refusedRange == association;
        if (shape.entriesInUse() >= 0 && lastEntriesInUse > shape.entriesInUse()) {
            log.warn("{}Profile {}: entries_in_use fell from {} to {}: the meter's buffer was reset; reading what it"
                            + " holds after the last row stored ({})", prefix(), schedule.profile(), lastEntriesInUse,
                    shape.entriesInUse(), mark.map(Instant::toString).orElse("none"));
        }
        lastEntriesInUse = shape.entriesInUse();
        return byEntry ? byEntry(cursor) : byRange(cursor);
    }

    // ---- by range ---------------------------------------------------------------------------------------------

    private Mono<Void> byRange(Cursor cursor) {
        return Mono.defer(() -> rangeChunk(cursor)).repeat(() -> !cursor.done).then()
                .onErrorResume(DlmsAccessException.class, refused -> {
                    if (cursor.stored > 0) {
                        return Mono.error(refused); // refused amid a run that worked: not a meter without range
                    }
                    refusedRange = cursor.association;
                    if (!rangeRefusalLogged) {
                        rangeRefusalLogged = true;
                        log.info("{}Profile {}: the meter refuses range access ({}); reading by entry instead",
                                prefix(), schedule.profile(), LogText.escape(refused.getMessage()));
                    } else {
                        log.debug("{}Profile {}: range access refused again; by entry", prefix(),
                                schedule.profile());
                    }
                    cursor.done = false;
                    return byEntry(cursor);
                });
    }

    private Mono<Void> rangeChunk(Cursor cursor) {
        Instant from = cursor.nextFrom;
        if (from.isAfter(cursor.meterNow)) {
            cursor.done = true;
            return Mono.empty();
        }
        Instant to = from.plus(rangeStep(cursor.shape));
        if (!to.isBefore(cursor.meterNow)) {
            to = cursor.meterNow;
            cursor.done = true;
        }
        Instant end = to;
        return cursor.association.readProfileRange(schedule.profile(), from, to, Priority.SCHEDULED)
                .flatMap(rows -> storeNew(cursor, rows.shape(), rows.rows()))
                // the range is inclusive: the next one starts at this one's end, whose rows are left out by time
                .doOnSuccess(v -> cursor.nextFrom = end);
    }

    /** Capture time one range read covers: the span per read, and no more than the rows per read. */
    private Duration rangeStep(ProfileShape shape) {
        Duration step = schedule.maxSpanPerRead();
        if (shape.capturePeriodSeconds() > 0) {
            // both ends are inclusive: maxRows periods less a second hold at most maxRows rows
            Duration byRows = Duration.ofSeconds(shape.capturePeriodSeconds() * schedule.maxRowsPerRead() - 1);
            if (!byRows.isNegative() && !byRows.isZero() && byRows.compareTo(step) < 0) {
                step = byRows;
            }
        }
        return step;
    }

    // ---- by entry ---------------------------------------------------------------------------------------------

    private Mono<Void> byEntry(Cursor cursor) {
        long entries = cursor.shape.entriesInUse();
        if (entries <= 0) {
            return Mono.empty();
        }
        long period = cursor.shape.capturePeriodSeconds();
        if (period <= 0) {
            cursor.nextEntry = 1; // asynchronous captures: no telling where the new ones start but from the first
            return entryChunks(cursor, entries);
        }
        // the last entry's time and the capture period tell how many entries are new
        return cursor.association.readProfileEntries(schedule.profile(), entries, entries, Priority.SCHEDULED)
                .flatMap(last -> {
                    Instant lastTime = last.rows().isEmpty() ? null : last.rows().get(last.rows().size() - 1).time();
                    if (lastTime != null && !lastTime.isAfter(cursor.after)) {
                        return Mono.empty(); // nothing new
                    }
                    long fresh = lastTime == null ? entries
                            : ceilDiv(Duration.between(cursor.after, lastTime).getSeconds(), period);
                    // one entry more than the estimate, to see the row at the mark (proof that nothing before is new)
                    cursor.nextEntry = Math.max(1, entries - fresh);
                    return entryChunks(cursor, entries);
                });
    }

    private Mono<Void> entryChunks(Cursor cursor, long entries) {
        return Mono.defer(() -> entryChunk(cursor, entries)).repeat(() -> !cursor.done).then();
    }

    private Mono<Void> entryChunk(Cursor cursor, long entries) {
        long from = cursor.nextEntry;
        long to = Math.min(entries, from + schedule.maxRowsPerRead() - 1);
        return cursor.association.readProfileEntries(schedule.profile(), from, to, Priority.SCHEDULED)
                .flatMap(read -> {
                    List<ProfileRow> rows = read.rows();
                    Instant first = rows.isEmpty() ? null : rows.get(0).time();
                    if (cursor.stored == 0 && from > 1 && first != null && first.isAfter(cursor.after)) {
                        // the estimate fell short (a capture was irregular): no row at or before the mark in
                        // sight yet, so start earlier rather than leave a gap
                        cursor.nextEntry = Math.max(1, from - schedule.maxRowsPerRead());
                        return Mono.empty();
                    }
                    if (to >= entries || rows.isEmpty()) {
                        cursor.done = true;
                    } else {
                        // one entry of overlap: a buffer that dropped its oldest row since shifted every entry down
                        cursor.nextEntry = Math.max(from + 1, to);
                    }
                    return storeNew(cursor, read.shape(), rows);
                });
    }

    // ---- storing ----------------------------------------------------------------------------------------------

    /** Stores the rows after the cursor's mark, if any, and moves the mark to the last of them. */
    private Mono<Void> storeNew(Cursor cursor, ProfileShape shape, List<ProfileRow> rows) {
        List<ProfileRow> fresh = new ArrayList<>(rows.size());
        for (ProfileRow row : rows) {
            if (row.time() == null || row.time().isAfter(cursor.after)) {
                fresh.add(row);
            }
        }
        if (fresh.isEmpty()) {
            return Mono.empty();
        }
        ProfileChunk chunk = new ProfileChunk(meter, schedule.profile(), shape, fresh);
        Optional<Instant> last = chunk.lastTime();
        noteGap(cursor, shape, fresh);
        Mono<Void> stored;
        try {
            stored = store.store(chunk);
        } catch (RuntimeException e) {
            stored = Mono.error(e);
        }
        return stored
                .onErrorMap(e -> new StoreFailed(e))
                // back on the session's thread before the next read touches the association or this job
                .publishOn(timer)
                .doOnSuccess(v -> {
                    cursor.stored += fresh.size();
                    rowsStored += fresh.size();
                    last.ifPresent(t -> cursor.after = t);
                    if (log.isDebugEnabled()) {
                        log.debug("{}Profile {}: {} rows stored{}", prefix(), schedule.profile(), fresh.size(),
                                last.map(t -> ", up to " + t).orElse(""));
                    }
                });
    }

    /**
     * Logs rows the meter no longer has, or never captured, between the mark and the first new row (a power outage
     * of the meter, or a buffer that was reset or overwritten before the gateway read it).
     */
    private void noteGap(Cursor cursor, ProfileShape shape, List<ProfileRow> fresh) {
        long period = shape.capturePeriodSeconds();
        if (!cursor.hadMark || cursor.stored > 0 || period <= 0 || fresh.get(0).time() == null) {
            return;
        }
        Instant first = fresh.get(0).time();
        long skipped = Duration.between(cursor.after, first).getSeconds() / period - 1;
        if (skipped > 0) {
            log.warn("{}Profile {}: no rows between the last row stored ({}) and {}: {} capture periods the meter"
                            + " did not record or no longer holds", prefix(), schedule.profile(), cursor.after, first,
                    skipped);
        }
    }

    private String prefix() {
        return "[DLMSDevice[" + LogText.escape(meter) + "]] ";
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** One slot's progress. */
    private static final class Cursor {
        final MeterAssociation association;
        final ProfileShape shape;
        final Instant meterNow;
        final boolean hadMark;
        /** Rows at or before this time are not new. */
        Instant after;
        Instant nextFrom;
        long nextEntry = 1;
        long stored;
        boolean done;

        Cursor(MeterAssociation association, ProfileShape shape, Instant meterNow, Instant after, boolean hadMark) {
            this.association = association;
            this.shape = shape;
            this.meterNow = meterNow;
            this.after = after;
            this.nextFrom = after;
            this.hadMark = hadMark;
        }
    }

    /** The store refused or lost a chunk: the slot ends, the association stays. */
    private static final class StoreFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFailed(Throwable cause) {
            super(cause);
        }
    }
}
