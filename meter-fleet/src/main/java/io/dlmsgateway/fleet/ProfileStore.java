package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.ObisCode;
import java.time.Instant;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Where the fleet's profile reads go, and where they start: the host stores each {@link ProfileChunk} together with
 * its mark (the capture time of the chunk's last row) and tells the fleet the mark of a meter's profile, so that
 * a read resumes exactly after the last row stored, across reconnects, meter outages and restarts of the host.
 *
 * <p><b>Backpressure.</b> A profile job reads its next chunk only once {@link #store} completed: a host that stores
 * slowly slows the reads, never grows a queue. With {@link FleetOptions.Builder#profileStore} unset, the fleet keeps
 * marks in memory and hands chunks out through {@link MeterFleet#profiles()}.
 *
 * <p><b>Threads.</b> Both methods are called on the meter's event loop: {@link #mark} must answer from memory at
 * once, {@link #store} must not block (return a Mono that completes when the rows are stored).
 */
public interface ProfileStore {

    /**
     * The capture time of the last row stored for this meter's profile; empty when none was ever stored (the job
     * then reads the schedule's backfill window).
     */
    Optional<Instant> mark(String meter, ObisCode profile);

    /**
     * Stores the chunk's rows and, in the same step, its {@link ProfileChunk#lastTime()} as the new mark (when it
     * has one). Completes when both are stored; an error leaves the mark where it was, and the next read starts from
     * there again.
     */
    Mono<Void> store(ProfileChunk chunk);
}
