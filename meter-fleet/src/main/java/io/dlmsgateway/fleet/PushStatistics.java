package io.dlmsgateway.fleet;

/**
 * The push listener's counters since it started.
 *
 * @param connectionsOpen     connections open now
 * @param connectionsAccepted connections accepted in all
 * @param connectionsRefused  connections closed at once because {@code maxConnections} were open
 * @param notifications       notifications decoded and matched to a device
 * @param unknownSenders      notifications (or connections) no device matched; closed
 * @param undecodable         frames that were no notification, failed to decrypt or authenticate, or were malformed
 * @param oversize            frames above {@code maxFrameBytes}; closed
 * @param idleClosed          connections closed for sending nothing within {@code idleTimeout}
 * @param bytesReceived       bytes read from every connection
 * @param replayed            ciphered notifications whose invocation counter was not above the last accepted from the
 *                            same device (replay protection, as a meter applies it to its clients); closed
 */
public record PushStatistics(long connectionsOpen, long connectionsAccepted, long connectionsRefused,
                             long notifications, long unknownSenders, long undecodable, long oversize,
                             long idleClosed, long bytesReceived, long replayed) {

    /** Nothing counted yet: a gateway without a push listener. */
    public static final PushStatistics NONE = new PushStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
