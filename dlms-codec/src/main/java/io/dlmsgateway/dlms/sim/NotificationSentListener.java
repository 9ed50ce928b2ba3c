package io.dlmsgateway.dlms.sim;

/**
 * Told of every DataNotification a simulated meter has written to its push connection (the write succeeded), so that a
 * test can compare what a listener received with exactly what was sent.
 *
 * <p>Called on the push connection's event loop: it must not block (hand the event to a queue).
 */
@FunctionalInterface
public interface NotificationSentListener {

    void notificationSent(SentNotification notification);

    /** Nobody listens. */
    NotificationSentListener NONE = notification -> { };
}
