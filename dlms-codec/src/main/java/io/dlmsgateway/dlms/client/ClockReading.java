package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.CosemDateTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The meter's clock (0.0.1.0.0.255, attribute 2) as one read found it, with the gateway's own time around the
 * exchange: the meter's time is compared with the midpoint of request and reply, so the deviation is off by at most
 * half the round trip.
 *
 * @param time          the date-time as the meter sent it
 * @param meterTime     the instant it names (deviation and offset applied), empty when it names none (fields not
 *                      specified)
 * @param requestSent   the gateway's time when the request left
 * @param replyReceived the gateway's time when the reply came
 */
public record ClockReading(CosemDateTime time, Optional<Instant> meterTime, Instant requestSent,
                           Instant replyReceived) {

    public ClockReading {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(meterTime, "meterTime");
        Objects.requireNonNull(requestSent, "requestSent");
        Objects.requireNonNull(replyReceived, "replyReceived");
    }

    /** The gateway's time halfway through the exchange, what the meter's time is compared with. */
    public Instant midpoint() {
        return requestSent.plus(Duration.between(requestSent, replyReceived).dividedBy(2));
    }

    /** Meter time minus the gateway's (positive: the meter is ahead); empty when the meter's time names no instant. */
    public Optional<Duration> deviation() {
        return meterTime.map(t -> Duration.between(midpoint(), t));
    }

    /** The exchange's round trip, the bound on how wrong {@link #deviation()} can be (half of it). */
    public Duration roundTrip() {
        return Duration.between(requestSent, replyReceived);
    }
}
