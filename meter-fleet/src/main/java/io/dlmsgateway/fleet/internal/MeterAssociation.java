package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.dlms.client.DlmsProtocolException;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ProfileRows;
import io.dlmsgateway.dlms.client.ProfileShape;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.dlms.client.SelectiveAccess;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;

/** An open association with one meter, as a session sees it. */
public interface MeterAssociation {

    /**
     * Reads the measurements; fails only when the association breaks. Cancelling the Mono cancels the operation in
     * the client (dequeued, or stopped after the exchange on the wire).
     */
    Mono<ReadResult> read(List<Measurement> measurements, Priority priority);

    /**
     * The same read as {@link #read}, started now, as the client's own future: the register poll reads every meter
     * every few seconds, and a future costs it one callback instead of a Reactor chain assembled per poll.
     * Cancelling the future cancels the operation in the client, as cancelling the Mono does.
     */
    default CompletableFuture<ReadResult> readFuture(List<Measurement> measurements, Priority priority) {
        return read(measurements, priority).toFuture();
    }

    /**
     * The meter's clock now, as {@link #readClock} reads it (the device's deviation sign and offset applied); empty
     * when the meter has no usable clock (the read refused, or no date-time that names an instant). Fails only when
     * the association breaks.
     */
    default Mono<Instant> meterTime(Priority priority) {
        return readClock(priority)
                .flatMap(reading -> Mono.justOrEmpty(reading.meterTime()))
                .onErrorResume(e -> e instanceof DlmsAccessException
                        || e instanceof DlmsProtocolException p && !p.isConnectionLost(), e -> Mono.empty());
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

    /** Reads the meter's clock, with the gateway's time around the exchange. */
    default Mono<ClockReading> readClock(Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association cannot read a clock"));
    }

    /** Sets the meter's clock; fails with a DlmsAccessException when the meter refuses. */
    default Mono<Void> setClock(Instant time, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association cannot set a clock"));
    }

    /** Shifts the meter's clock by -900..900 s; fails with a DlmsAccessException when the meter refuses. */
    default Mono<Void> shiftClock(int seconds, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association cannot shift a clock"));
    }

    /** Reads any attribute as the meter typed it; fails with a DlmsAccessException when the meter refuses. */
    default Mono<DlmsValue> get(CosemAttribute attribute, SelectiveAccess access, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association cannot read attributes"));
    }

    /** Writes an attribute; fails with a DlmsAccessException (SET) when the meter refuses. */
    default Mono<Void> set(CosemAttribute attribute, DlmsValue value, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association cannot write attributes"));
    }

    /**
     * Invokes a method (null: no parameter) and completes with its return data, empty when it returned none; fails
     * with a DlmsAccessException (ACTION) when the meter refuses.
     */
    default Mono<DlmsValue> invoke(CosemMethod method, DlmsValue parameter, Priority priority) {
        return Mono.error(new UnsupportedOperationException("this association cannot invoke methods"));
    }

    /** Releases the association and closes the connection; never fails. */
    Mono<Void> release();

    /** Closes the connection at once. */
    void abort();

    /** Completes when the connection has closed, for whatever reason. */
    Mono<Void> onClose();

    /**
     * Runs {@code action} once the connection has closed, for whatever reason, on the thread that closed it (at once
     * if it has): the session's watch on its association, without a subscription kept for as long as it lasts.
     * Called once per association, by its session.
     */
    default void whenClosed(Runnable action) {
        onClose().subscribe(null, error -> action.run(), action);
    }

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
