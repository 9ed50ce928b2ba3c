package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.DlmsConnection;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.fleet.ClockSync;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Corrects a meter's clock from a reading of it: shift_time for deviations up to 900 s (the method's range; it moves
 * the clock without jumping over a capture period's boundary as a new time could), setting the time beyond that.
 * Then reads the clock again, to report what the correction achieved.
 */
public final class ClockCorrection {

    private ClockCorrection() {
    }

    public static Mono<ClockSync> correct(MeterAssociation association, ClockReading before, Priority priority) {
        Optional<Duration> deviation = before.deviation();
        if (deviation.isEmpty()) {
            return Mono.just(new ClockSync(before, ClockSync.Method.NONE, 0, Optional.empty()));
        }
        long seconds = Math.round(deviation.get().toMillis() / 1000.0);
        if (seconds == 0) {
            return Mono.just(new ClockSync(before, ClockSync.Method.NONE, 0, Optional.empty()));
        }
        Mono<ClockSync> done;
        if (Math.abs(seconds) <= DlmsConnection.MAX_SHIFT_SECONDS) {
            done = association.shiftClock((int) -seconds, priority)
                    .then(Mono.fromSupplier(() -> new ClockSync(before, ClockSync.Method.SHIFT_TIME, -seconds,
                            Optional.empty())));
        } else {
            // the SET arrives half a round trip after it leaves
            done = Mono.defer(() -> association.setClock(Instant.now().plus(before.roundTrip().dividedBy(2)),
                            priority))
                    .then(Mono.fromSupplier(() -> new ClockSync(before, ClockSync.Method.SET_TIME, 0,
                            Optional.empty())));
        }
        return done.flatMap(sync -> association.readClock(priority)
                .map(after -> new ClockSync(sync.before(), sync.method(), sync.shiftedSeconds(), Optional.of(after)))
                .onErrorResume(e -> !(e instanceof io.dlmsgateway.dlms.client.DlmsException d) || !d.isConnectionLost(),
                        e -> Mono.just(sync)));
    }
}
