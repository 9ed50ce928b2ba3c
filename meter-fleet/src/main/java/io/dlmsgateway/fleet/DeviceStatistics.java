package io.dlmsgateway.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of one meter's counters since the fleet started.
 *
 * @param device              device name
 * @param state               where the session stands now
 * @param polls               polls attempted (a poll is one read of all the device's measurements)
 * @param successes           polls that returned a reading
 * @param failures            polls that failed (timeout, connection lost, malformed reply)
 * @param skipped             polls not made because the readings' subscriber was behind (see
 *                            {@link FleetOptions.Builder#readingBufferSize(int)})
 * @param missed              poll slots that passed while the meter was unreachable or the previous poll still ran
 * @param connects            associations established
 * @param connectFailures     connection or association attempts that failed
 * @param lastPoll            when the last successful poll was made
 * @param lastLatency         how long the last successful poll took
 * @param lastError           the last failure, as a one-line reason
 * @param bytesReceived       bytes received from the meter, all associations together
 * @param bytesSent           bytes sent to the meter, all associations together
 * @param protocolViolations  connections closed because the meter broke a bound of the client: bytes nobody asked
 *                            for, a reply too long, too deep or past its deadline (see the DLMS client's
 *                            {@code DlmsProtocolViolationException}); the reason is in {@code lastError}
 */
public record DeviceStatistics(String device, DeviceState state, long polls, long successes, long failures,
                               long skipped, long missed, long connects, long connectFailures,
                               Optional<Instant> lastPoll, Optional<Duration> lastLatency, Optional<String> lastError,
                               long bytesReceived, long bytesSent, long protocolViolations) {

    /**
     * Successful polls as a percentage of polls attempted; 100 before the first poll, so look at {@link #polls()}
     * first: a meter never polled has no success rate to show.
     */
    public double successRate() {
        return polls == 0 ? 100.0 : 100.0 * successes / polls;
    }
}
