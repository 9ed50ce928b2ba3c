package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsAccessException;
import io.dlmsgateway.dlms.client.DlmsConnection;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ProfileRows;
import io.dlmsgateway.dlms.client.ProfileShape;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Connects one meter over a {@link DlmsConnection} on the event loop the session was given, so that the meter's
 * socket, its timers and its session state all live on one thread.
 *
 * <p>The bootstrap is that event loop's, shared by every meter on it ({@link #bootstrapFor}): a connect clones it,
 * so it is only read, and one per meter would cost about 500 bytes each (its option and attribute maps, its
 * channel factory's reflective constructor).
 */
public final class DlmsMeterConnector implements MeterConnector {

    private static final Measurement CLOCK = new Measurement("clock", ObisCode.parse("0.0.1.0.0.255"), 8, 2);

    private final Meter meter;
    private final Bootstrap bootstrap;
    // resolved once when the host is an IP literal; a host name is looked up before every attempt, off the loop
    private final InetSocketAddress literalAddress;
    private final OpenAssociations openAssociations;

    /**
     * @param bootstrap the bootstrap of the event loop this meter's socket and timers live on, from
     *                  {@link #bootstrapFor}
     */
    public DlmsMeterConnector(Meter meter, Bootstrap bootstrap, OpenAssociations openAssociations) {
        this.meter = meter;
        this.openAssociations = openAssociations;
        this.bootstrap = bootstrap;
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(meter.host());
        InetSocketAddress resolved = null;
        if (literal != null) {
            try {
                resolved = new InetSocketAddress(InetAddress.getByAddress(meter.host(), literal), meter.port());
            } catch (java.net.UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        this.literalAddress = resolved;
    }

    /** The client bootstrap of meter sockets on {@code eventLoop}, to share between the meters it carries. */
    public static Bootstrap bootstrapFor(EventLoop eventLoop) {
        return SocketTransport.clientBootstrap(eventLoop);
    }

    @Override
    public Mono<MeterAssociation> associate() {
        Mono<InetSocketAddress> address = literalAddress != null ? Mono.just(literalAddress)
                : Mono.fromCallable(() -> new InetSocketAddress(meter.host(), meter.port()))
                        .subscribeOn(Schedulers.boundedElastic());
        return address.flatMap(this::open);
    }

    private Mono<MeterAssociation> open(InetSocketAddress address) {
        return FutureMono.of(() -> DlmsConnection.open(bootstrap, address, meter.client(), meter.name()),
                        DlmsConnection::close)
                .map(connection -> (MeterAssociation) new DlmsAssociation(connection))
                .doOnNext(openAssociations::add);
    }

    private final class DlmsAssociation implements MeterAssociation {

        private final DlmsConnection connection;
        // one future and one listener on the channel for both the fleet's bookkeeping and the session's onClose
        private final CompletableFuture<Void> closed;

        DlmsAssociation(DlmsConnection connection) {
            this.connection = connection;
            this.closed = connection.closeFuture();
            closed.whenComplete((v, e) -> openAssociations.remove(this));
        }

        @Override
        public Mono<ReadResult> read(List<Measurement> measurements, Priority priority) {
            return FutureMono.cancellable(() -> connection.read(measurements, priority));
        }

        @Override
        public Mono<Instant> meterTime(Priority priority) {
            // The client renders a clock's date-time as ISO-8601 with the offset the deviation means by the standard's
            // sign (UTC = local + deviation); a meter of the other sign (DeviationSign.INVERTED) means the opposite
            // offset for the same local time. Anything else (the bytes in hex, a date-time with fields not specified)
            // says the meter has no usable clock. (Issue 11's readClock, with the settings applied, can replace this.)
            boolean inverted = meter.client().deviationSign() == DeviationSign.INVERTED;
            return FutureMono.cancellable(() -> connection.read(CLOCK, priority))
                    .flatMap(value -> {
                        try {
                            OffsetDateTime time = OffsetDateTime.parse(String.valueOf(value.value()));
                            return Mono.just(inverted ? time.toLocalDateTime().toInstant(
                                    ZoneOffset.ofTotalSeconds(-time.getOffset().getTotalSeconds()))
                                    : time.toInstant());
                        } catch (DateTimeParseException e) {
                            return Mono.empty();
                        }
                    })
                    .onErrorResume(DlmsAccessException.class, e -> Mono.empty());
        }

        @Override
        public Mono<ProfileShape> readProfileShape(ObisCode profile, Priority priority) {
            return FutureMono.cancellable(() -> connection.readProfileShape(profile, priority));
        }

        @Override
        public Mono<ProfileRows> readProfileRange(ObisCode profile, Instant from, Instant to, Priority priority) {
            return FutureMono.cancellable(() -> connection.readProfileRange(profile, from, to, priority));
        }

        @Override
        public Mono<ProfileRows> readProfileEntries(ObisCode profile, long fromEntry, long toEntry,
                Priority priority) {
            return FutureMono.cancellable(() -> connection.readProfileEntries(profile, fromEntry, toEntry, priority));
        }

        @Override
        public Mono<Void> release() {
            return FutureMono.of(connection::release);
        }

        @Override
        public void abort() {
            connection.close();
        }

        @Override
        public Mono<Void> onClose() {
            return FutureMono.of(() -> closed);
        }

        @Override
        public boolean isActive() {
            return connection.isActive();
        }

        @Override
        public Throwable closeCause() {
            return connection.closeCause();
        }

        @Override
        public long bytesReceived() {
            return connection.bytesReceived();
        }

        @Override
        public long bytesSent() {
            return connection.bytesSent();
        }
    }
}
