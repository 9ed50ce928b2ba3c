package io.dlmsgateway.fleet;

/**
 * A snapshot of the whole fleet's counters: the seed's gateway metrics plus the poll totals.
 *
 * @param devicesTotal   meters in the fleet
 * @param devicesUp      meters with an open association
 * @param devicesDown    meters without one (starting, or retrying after a failure)
 * @param bytesReceived  bytes received from all meters
 * @param bytesSent      bytes sent to all meters
 * @param polls          polls attempted
 * @param successes      polls that returned a reading
 * @param failures       polls that failed
 * @param skipped        polls not made because the readings' subscriber was behind
 * @param missed         poll slots missed while meters were unreachable or slow
 * @param readingsQueued readings made and not yet taken by the subscriber
 */
public record FleetStatistics(int devicesTotal, int devicesUp, int devicesDown, long bytesReceived, long bytesSent,
                              long polls, long successes, long failures, long skipped, long missed,
                              int readingsQueued) {
}
