package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.ClockReading;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.client.DlmsConnection;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ProfileRows;
import io.dlmsgateway.dlms.client.ProfileShape;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.dlms.client.SelectiveAccess;
import io.dlmsgateway.fleet.InvocationCounterStore;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
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


    private static final AtomicReferenceFieldUpdater<DlmsAssociation, Runnable> CLOSE_WATCHER =
            AtomicReferenceFieldUpdater.newUpdater(DlmsAssociation.class, Runnable.class, "closeWatcher");

    private final Meter meter;
    /** The client this connector associates as: the meter's own, or its control client's. */
    private final DlmsClientSettings client;
    private final Bootstrap bootstrap;
    // a host name is looked up before every attempt, off the loop; an IP literal is turned into an address at each
    // attempt instead of kept: an address kept per meter (with its InetAddress) was ~100 bytes for every meter, while
    // an attempt comes once per association
    private final boolean literalHost;
    private final OpenAssociations openAssociations;
    /** HIGH_GMAC only: where each association's invocation counter starts and how far it is reserved. */
    private final InvocationCounterReservation counters;

    /**
     * @param bootstrap the bootstrap of the event loop this meter's socket and timers live on, from
     *                  {@link #bootstrapFor}
     */
    public DlmsMeterConnector(Meter meter, Bootstrap bootstrap, OpenAssociations openAssociations) {
        this(meter, bootstrap, openAssociations, InvocationCounterStore.inMemory());
    }

    /**
     * @param counterStore where HIGH_GMAC invocation counters are reserved (unused for other meters)
     */
    public DlmsMeterConnector(Meter meter, Bootstrap bootstrap, OpenAssociations openAssociations,
            InvocationCounterStore counterStore) {
        this(meter, meter.client(), bootstrap, openAssociations, counterStore);
    }

    /**
     * A connector that associates with the meter as {@code client} (a control client: its own client address, so its
     * own HIGH_GMAC invocation counters in the store).
     */
    public DlmsMeterConnector(Meter meter, DlmsClientSettings client, Bootstrap bootstrap,
            OpenAssociations openAssociations, InvocationCounterStore counterStore) {
        this.meter = meter;
        this.client = client;
        this.openAssociations = openAssociations;
        this.counters = client.authentication() != Authentication.HIGH_GMAC ? null
                : new InvocationCounterReservation(counterStore, meter.name(), client.clientAddress(),
                        client.invocationCounter());
        this.bootstrap = bootstrap;
        this.literalHost = NetUtil.createByteArrayFromIpAddressString(meter.host()) != null;
    }

    /** The meter's address when its host is an IP literal: made without a look-up, so on any thread. */
    private InetSocketAddress literalAddress() {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(meter.host());
        try {
            return new InetSocketAddress(InetAddress.getByAddress(meter.host(), literal), meter.port());
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The client bootstrap of meter sockets on {@code eventLoop}, to share between the meters it carries. */
    public static Bootstrap bootstrapFor(EventLoop eventLoop) {
        return SocketTransport.clientBootstrap(eventLoop);
    }

    @Override
    public Mono<MeterAssociation> associate() {
        Mono<InetSocketAddress> address = literalHost ? Mono.fromSupplier(this::literalAddress)
                : Mono.fromCallable(() -> new InetSocketAddress(meter.host(), meter.port()))
                        .subscribeOn(Schedulers.boundedElastic());
        return address.flatMap(this::open);
    }

    private Mono<MeterAssociation> open(InetSocketAddress address) {
        if (counters == null) {
            return open(address, client);
        }
        return counters.beforeAssociation()
                .flatMap(start -> open(address, client.toBuilder().invocationCounter(start).build()))
                .flatMap(association -> counters.associated(((DlmsAssociation) association).connection)
                        .thenReturn(association)
                        .onErrorResume(e -> {
                            association.abort();
                            return Mono.error(e);
                        }));
    }

    private Mono<MeterAssociation> open(InetSocketAddress address, DlmsClientSettings settings) {
        return FutureMono.of(() -> DlmsConnection.open(bootstrap, address, settings, meter.name()),
                        DlmsConnection::close)
                .map(connection -> (MeterAssociation) new DlmsAssociation(connection))
                .doOnNext(openAssociations::add);
    }

    private final class DlmsAssociation implements MeterAssociation, Runnable {

        private final DlmsConnection connection;
        // the session's close watcher, run by the one listener on the channel: a listener of its own would cost a
        // meter ~60 bytes
        private volatile Runnable closeWatcher;

        DlmsAssociation(DlmsConnection connection) {
            this.connection = connection;
            // one listener on the channel for both the fleet's bookkeeping and the session's watch, straight on the
            // channel: a CompletableFuture with a callback on it kept ~100 bytes per meter for the association's life
            connection.whenClosed(this);
        }

        /** On the connection's event loop, once it has closed: the association is its own listener, no lambda kept. */
        @Override
        public void run() {
            openAssociations.remove(this);
            if (counters != null) {
                counters.ended(connection);
            }
            runCloseWatcher();
        }

        /** Runs the watcher once, whichever comes second: its registration or the close. */
        private void runCloseWatcher() {
            Runnable watcher = CLOSE_WATCHER.getAndSet(this, null);
            if (watcher != null) {
                watcher.run();
            }
        }

        /** Before each operation: HIGH_GMAC counters reserved ahead in time. */
        private void beforeOperation() {
            if (counters != null) {
                counters.beforeOperation(connection);
            }
        }

        @Override
        public Mono<ReadResult> read(List<Measurement> measurements, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.read(measurements, priority);
            });
        }

        @Override
        public CompletableFuture<ReadResult> readFuture(List<Measurement> measurements, Priority priority) {
            beforeOperation();
            return connection.read(measurements, priority);
        }

        @Override
        public Mono<ClockReading> readClock(Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.readClock(priority);
            });
        }

        @Override
        public Mono<Void> setClock(Instant time, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.setClock(time, priority);
            });
        }

        @Override
        public Mono<Void> shiftClock(int seconds, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.shiftClock(seconds, priority);
            });
        }

        @Override
        public Mono<ProfileShape> readProfileShape(ObisCode profile, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.readProfileShape(profile, priority);
            });
        }

        @Override
        public Mono<ProfileRows> readProfileRange(ObisCode profile, Instant from, Instant to, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.readProfileRange(profile, from, to, priority);
            });
        }

        @Override
        public Mono<ProfileRows> readProfileEntries(ObisCode profile, long fromEntry, long toEntry,
                Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.readProfileEntries(profile, fromEntry, toEntry, priority);
            });
        }

        @Override
        public Mono<DlmsValue> get(CosemAttribute attribute, SelectiveAccess access, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.get(attribute, access, priority);
            });
        }

        @Override
        public Mono<Void> set(CosemAttribute attribute, DlmsValue value, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.set(attribute, value, priority);
            });
        }

        @Override
        public Mono<DlmsValue> invoke(CosemMethod method, DlmsValue parameter, Priority priority) {
            return FutureMono.cancellable(() -> {
                beforeOperation();
                return connection.invoke(method, parameter, priority);
            }).flatMap(Mono::justOrEmpty);
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
            // made when asked (a shutdown waiting for the release): kept by no association meanwhile
            return FutureMono.of(connection::closeFuture);
        }

        /** One watcher per association: its session's. */
        @Override
        public void whenClosed(Runnable action) {
            closeWatcher = action;
            if (connection.isClosed()) {
                runCloseWatcher();
            }
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
