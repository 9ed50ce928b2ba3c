package io.dlmsgateway.thingsboard;

/**
 * Outcome of one {@link TelemetryBatch}: emitted once every MQTT publish the batch was split into has been
 * acknowledged by the broker (QoS 1) or written to the connection (QoS 0), or as soon as one of them failed.
 *
 * <p>A successful acknowledgement means the data is with ThingsBoard and the caller may forget it. A failed one means
 * some or all of it may not have arrived: the caller keeps the data and sends it again later (ThingsBoard tolerates
 * duplicates of the same key and timestamp).
 *
 * @param context       the batch's context
 * @param publishes     MQTT publishes the batch was split into (telemetry only, not the device connects)
 * @param droppedValues values left out because a single value alone exceeds the maximum payload size; retrying
 *                      cannot help them, so they do not make the batch fail
 * @param error         why the batch failed, {@code null} on success
 * @param <C>           type of the caller's context
 */
public record TelemetryAck<C>(C context, int publishes, int droppedValues, Throwable error) {

    /** Whether the broker acknowledged every publish of the batch. */
    public boolean isSuccess() {
        return error == null;
    }
}
