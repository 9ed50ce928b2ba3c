package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ProfileRows;
import io.dlmsgateway.dlms.client.ProfileShape;
import io.dlmsgateway.dlms.client.ReadResult;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/** An open association with one meter, as a session sees it. */
public interface MeterAssociation {

    /**
     * Reads the measurements; fails only when the association breaks. Cancelling the Mono cancels the operation in
     * the client (dequeued, or stopped after the exchange on the wire).
     */
    Mono<ReadResult> read(List<Measurement> measurements, Priority priority);

    /**
     * The meter's clock now (class 8 attribute 2 of 0.0.1.0.0.255); empty when the meter has no usable clock (refused,
     * not a date-time). Fails only when the association breaks.
     */
    default Mono<Instant> meterTime(Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association reads no clock"));
    }

    /** A profile's columns, capture period and entries as read now (columns cached per association by the client). */
    default Mono<ProfileShape> readProfileShape(ObisCode profile, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association reads no profiles"));
    }

    /** A profile's rows captured from {@code from} to {@code to}, both inclusive (selective access by range). */
    default Mono<ProfileRows> readProfileRange(ObisCode profile, Instant from, Instant to, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association reads no profiles"));
    }

    /** A profile's entries {@code fromEntry..toEntry}, 1-based, 0 = up to the last (selective access by entry). */
    default Mono<ProfileRows> readProfileEntries(ObisCode profile, long fromEntry, long toEntry, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association reads no profiles"));
    }

    /** Releases the association and closes the connection; never fails. */
    Mono<Void> release();

    /** Closes the connection at once. */
    void abort();

    /** Completes when the connection has closed, for whatever reason. */
    Mono<Void> onClose();

    boolean isActive();

    /**
     * Why the client closed the connection, when it did so because the meter broke one of its bounds (unsolicited
     * data, a reply too long or too deep); null otherwise.
     */
    default Throwable closeCause() {
        return null;
    }

    long bytesReceived();

    long bytesSent();
}
