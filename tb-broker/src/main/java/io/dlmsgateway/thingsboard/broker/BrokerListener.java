package io.dlmsgateway.thingsboard.broker;

/**
 * Observes an {@link EmbeddedBroker}. Called on the broker's single interceptor thread, one event at a time; keep it
 * quick.
 */
public interface BrokerListener {

    /** A client connected (the CONNECT was accepted). {@code username} is {@code null} without one. */
    default void onConnect(String clientId, String username) {
    }

    /** A client published a message; {@code payload} is a copy the listener may keep. */
    default void onPublish(String clientId, String username, String topic, byte[] payload) {
    }

    /** A client disconnected or its connection was lost. */
    default void onDisconnect(String clientId) {
    }
}
