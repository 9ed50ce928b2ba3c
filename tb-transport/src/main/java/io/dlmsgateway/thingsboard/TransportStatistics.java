package io.dlmsgateway.thingsboard;

/**
 * A snapshot of the transport's counters since it was created.
 *
 * @param messagesSent        MQTT publishes handed to the client (every topic, including connects and RPC replies)
 * @param publishesAcked      publishes acknowledged by the broker (QoS 1) or written (QoS 0)
 * @param publishesFailed     publishes whose result was an error
 * @param bytesSent           payload bytes of the publishes handed to the client
 * @param messagesReceived    MQTT publishes received from ThingsBoard
 * @param telemetryEntries    telemetry entries (device and timestamp) taken from batches
 * @param telemetryValues     telemetry values encoded
 * @param payloadSplits       extra publishes caused by the maximum payload size (publishes beyond one per batch)
 * @param droppedValues       single values larger than the maximum payload size, left out
 * @param batchesAcked        batches acknowledged completely
 * @param batchesFailed       batches reported failed
 * @param rpcRequests         device and gateway RPC requests received
 * @param rpcTimeouts         RPC requests answered with the timeout error
 * @param droppedAttributeUpdates shared attribute updates dropped because the buffer for slow subscribers was full
 * @param reconnects          successful connections after the first one
 * @param maxPayloadSize      maximum MQTT message size in force (after the session limits exchange)
 * @param maxInflight         maximum unacknowledged telemetry publishes in force
 */
public record TransportStatistics(
        long messagesSent,
        long publishesAcked,
        long publishesFailed,
        long bytesSent,
        long messagesReceived,
        long telemetryEntries,
        long telemetryValues,
        long payloadSplits,
        long droppedValues,
        long batchesAcked,
        long batchesFailed,
        long rpcRequests,
        long rpcTimeouts,
        long droppedAttributeUpdates,
        long reconnects,
        int maxPayloadSize,
        int maxInflight) {
}
