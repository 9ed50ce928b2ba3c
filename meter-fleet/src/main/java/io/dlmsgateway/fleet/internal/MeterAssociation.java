package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.client.ReadResult;
import java.util.List;
import reactor.core.publisher.Mono;

/** An open association with one meter, as a session sees it. */
public interface MeterAssociation {

    /** Reads the measurements; fails only when the association breaks. */
    Mono<ReadResult> read(List<Measurement> measurements);

    /** Releases the association and closes the connection; never fails. */
    Mono<Void> release();

    /** Closes the connection at once. */
    void abort();

    /** Completes when the connection has closed, for whatever reason. */
    Mono<Void> onClose();

    boolean isActive();

    long bytesReceived();

    long bytesSent();
}
