package io.dlmsgateway.thingsboard.internal;

import io.dlmsgateway.thingsboard.TransportStatistics;
import java.util.concurrent.atomic.LongAdder;

/** Counters behind {@link TransportStatistics}; LongAdders because event loops and the application thread all count. */
final class TransportCounters {
    final LongAdder messagesSent = new LongAdder();
    final LongAdder publishesAcked = new LongAdder();
    final LongAdder publishesFailed = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder telemetryEntries = new LongAdder();
    final LongAdder telemetryValues = new LongAdder();
    final LongAdder payloadSplits = new LongAdder();
    final LongAdder droppedValues = new LongAdder();
    final LongAdder batchesAcked = new LongAdder();
    final LongAdder batchesFailed = new LongAdder();
    final LongAdder rpcRequests = new LongAdder();
    final LongAdder rpcTimeouts = new LongAdder();
    final LongAdder droppedAttributeUpdates = new LongAdder();
    final LongAdder reconnects = new LongAdder();

    TransportStatistics snapshot(int maxPayloadSize, int maxInflight) {
        return new TransportStatistics(
                messagesSent.sum(),
                publishesAcked.sum(),
                publishesFailed.sum(),
                bytesSent.sum(),
                messagesReceived.sum(),
                telemetryEntries.sum(),
                telemetryValues.sum(),
                payloadSplits.sum(),
                droppedValues.sum(),
                batchesAcked.sum(),
                batchesFailed.sum(),
                rpcRequests.sum(),
                rpcTimeouts.sum(),
                droppedAttributeUpdates.sum(),
                reconnects.sum(),
                maxPayloadSize,
                maxInflight);
    }
}
