package io.dlmsgateway.fleet.internal;

import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Work a {@link MeterSession} does on its meter's association on a fixed grid of its own, beside its register poll:
 * profile reads and clock checks. (The register poll keeps a grid the same way, but is the session's own: it runs
 * for every meter every few seconds, so it reads through the client's future instead of a Mono per run.)
 *
 * <p>Every job of a session keeps to its own grid {@code start + phase + k·interval}; jobs whose slots fall together
 * run together, and their exchanges take turns on the wire (the DLMS client interleaves operations exchange by
 * exchange), so a long job holds another one up by one exchange at most. A job's methods are called on the session's
 * event loop only.
 */
public interface ScheduledJob {

    /** For logs. */
    String name();

    /** The grid's period now; read before every slot, so that a change applies from the next slot on. */
    Duration interval();

    /** Offset of the job's first slot from the session's start. */
    Duration phase();

    /**
     * Does the work of one slot on an open association. Fails only when the association breaks (the session then
     * reconnects); what the meter refuses is the job's business.
     *
     * @param slotMillis the slot's time on the grid (timer millis)
     * @param nowMillis  the time it starts (timer millis), at or after the slot
     */
    Mono<Void> run(MeterAssociation association, long slotMillis, long nowMillis);

    /** Slots of this job that passed unrun (meter unreachable, or the previous run overran), counted not made up. */
    void missed(long slots);
}
