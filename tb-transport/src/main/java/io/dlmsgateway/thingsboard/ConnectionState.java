package io.dlmsgateway.thingsboard;

/** Where the transport's MQTT connection to ThingsBoard stands. */
public enum ConnectionState {
    /** First connection attempt, or retrying after the broker could not be reached at start. */
    CONNECTING,
    /**
     * Connected, subscribed, and the session limits exchange is over (answered or timed out): telemetry flows.
     */
    CONNECTED,
    /** Connection lost; reconnecting with backoff. Telemetry waits, nothing is taken from upstream meanwhile. */
    RECONNECTING,
    /** Closed by {@link ThingsBoardTransport#close()}; final. */
    CLOSED
}
