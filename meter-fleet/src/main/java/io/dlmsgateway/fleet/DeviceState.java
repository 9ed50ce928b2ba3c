package io.dlmsgateway.fleet;

/** Where a meter session stands. */
public enum DeviceState {
    /** Waiting for its first poll slot or its first association. */
    STARTING,
    /** Associated: polls run on schedule. */
    UP,
    /** The last connection attempt or association failed, or the connection broke; retrying with backoff. */
    DOWN,
    /** The fleet is closed. */
    STOPPED
}
