package io.dlmsgateway.dlms.client;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXDLMSException;
import gurux.dlms.GXReplyData;
import gurux.dlms.enums.Conformance;
import gurux.dlms.enums.DataType;
import gurux.dlms.enums.ObjectType;
import gurux.dlms.objects.GXDLMSObject;
import gurux.dlms.secure.GXDLMSSecureClient;
import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Axdr;
import io.dlmsgateway.dlms.CosemAttribute;
import io.dlmsgateway.dlms.CosemMethod;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.CosemUnit;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.internal.CosemValues;
import io.dlmsgateway.dlms.client.internal.DlmsClientHandler;
import io.dlmsgateway.dlms.client.internal.ExchangeScheduler;
import io.dlmsgateway.dlms.client.internal.ExchangeScheduler.Exchanges;
import io.dlmsgateway.dlms.client.internal.GuruxClients;
import io.dlmsgateway.dlms.client.internal.GuruxRequests;
import io.dlmsgateway.dlms.client.internal.ProfileBuffers;
import io.dlmsgateway.dlms.frame.HdlcFrameDecoder;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open association with one meter over one Netty channel: non-blocking, every operation a
 * {@link CompletableFuture}.
 *
 * <p>Operations (a read, a release) run on the channel's event loop as chains of <em>exchanges</em>: one request and
 * all of its continuation (HDLC segments, GET data blocks). Nothing else goes on the wire inside an exchange, but
 * operations interleave between exchanges, by {@link Priority}: an {@link Priority#ON_DEMAND} operation's next
 * exchange goes before any {@link Priority#SCHEDULED} one's, and operations of equal priority take turns, one exchange
 * each. So an on-demand read issued during a long poll waits for at most the poll's exchange in flight. The
 * association runs first and alone; {@link #release()} runs after everything submitted before it.
 *
 * <p>Cancelling an operation's future ({@code future.cancel(false)}) drops its next exchange if that has not started;
 * an exchange already on the wire is let to finish (cutting it short would desynchronise the association) and the
 * operation gets no further one. The association stays usable for the other operations. The futures of
 * {@link #read(Measurement)} and {@link #readAttribute} are the operations' own, so cancelling them works too.
 *
 * <p>Futures complete on the event loop: callbacks must not block.
 *
 * <p>A register's scaler_unit is read once per association, together with the first read of its value, and cached.
 * Several attributes are read with GET-with-list (ten per request) when the meter negotiated multiple references;
 * a meter that then refuses it, or fails one item of a list, is read with single GETs instead. Attributes the meter
 * refuses come back as {@link Refusal} values, not exceptions.
 *
 * <pre>{@code
 * DlmsConnection.open(group, new InetSocketAddress("10.0.0.7", 4059), DlmsClientSettings.builder().build(), "meter-7")
 *     .thenCompose(c -> c.read(List.copyOf(MeasurementCatalog.standard())).whenComplete((r, e) -> c.release()))
 *     .thenAccept(result -> result.values().forEach(System.out::println));
 * }</pre>
 */
public final class DlmsConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DlmsConnection.class);

    /** Gurux and most meters handle at most ten attributes in one GET-with-list. */
    private static final int GET_WITH_LIST_CHUNK = 10;
    private static final int SCALER_UNIT_ATTRIBUTE = 3;
    private static final int CLASS_PROFILE_GENERIC = 7;
    private static final int PROFILE_BUFFER = 2;
    private static final int PROFILE_CAPTURE_OBJECTS = 3;
    private static final int PROFILE_CAPTURE_PERIOD = 4;
    private static final int PROFILE_ENTRIES_IN_USE = 7;
    private static final int PROFILE_ENTRIES = 8;
    private static final int DATA_CLASS = 1;
    private static final ObisCode CLOCK = io.dlmsgateway.dlms.MeasurementCatalog.CLOCK;
    /** Clock (class 8) method 6, shift_time(long seconds). */
    private static final int SHIFT_TIME = 6;
    /** The gateway's own time, which the meters' clocks are compared with. */
    private static final java.time.Clock wallClock = java.time.Clock.systemUTC();

    /**
     * Most measurements one {@link #read(List)} may ask for. A meter has a few hundred objects at most; a read of
     * more is a mistake or an attack, refused before it reaches the event loop.
     */
    public static final int MAX_MEASUREMENTS_PER_READ = 1024;
    /** Scalers meters use stay far inside this; beyond it a value is refused as implausible. */
    public static final int MAX_SCALER = 20;
    /**
     * What one attribute of a measurement may take in a reply, on the wire: a register value is a few bytes, a
     * string a few dozen. Bounds a read of measurements far below {@link DlmsClientSettings#maxReplyBytes()}.
     */
    private static final int REPLY_BYTES_PER_ATTRIBUTE = 1024;
    /**
     * Netty reads up to 16 buffers from one socket per event-loop turn by default; one is enough for a meter and
     * keeps one fast sender from holding the loop while other meters wait.
     */
    private static final int MESSAGES_PER_READ = 1;
    /**
     * The receive buffer sizing of every meter socket, shared: each channel would otherwise make an allocator of its
     * own (40 bytes per meter); what adapts per channel is the handle each makes from it.
     */
    private static final RecvByteBufAllocator RECEIVE_ALLOCATOR =
            new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(MESSAGES_PER_READ);

    private final Channel channel;
    private final DlmsClientHandler handler;
    private final ExchangeScheduler scheduler;
    private final GXDLMSClient client;
    private final DlmsClientSettings settings;
    private final String meter;

    // touched on the event loop only
    private final ScalerUnits scalerUnits = new ScalerUnits();
    private boolean getWithListRefused;
    /** Shapes of the profiles read on this association; null until the first (most associations read none). */
    private Map<ObisCode, ProfileShape> profileShapes;

    private DlmsConnection(Channel channel, DlmsClientHandler handler, DlmsClientSettings settings, String meter) {
        this.channel = channel;
        this.handler = handler;
        this.scheduler = new ExchangeScheduler(channel, handler, meter);
        this.client = handler.client();
        this.settings = settings;
        this.meter = meter;
    }

    /**
     * Connects on the given group, with the socket type that runs on it (epoll or NIO, see {@link SocketTransport}),
     * and associates. The future fails with a {@link DlmsException} that says what went wrong: connection refused
     * or timed out, association rejected and why.
     */
    public static CompletableFuture<DlmsConnection> open(EventLoopGroup group, InetSocketAddress address,
            DlmsClientSettings settings, String meter) {
        return open(SocketTransport.clientBootstrap(group), address, settings, meter);
    }

    /**
     * Connects with a copy of the given bootstrap (its group, channel type and options; its handler is replaced) and
     * associates. Lets a host application bring its own channel type and options.
     */
    public static CompletableFuture<DlmsConnection> open(Bootstrap bootstrap, InetSocketAddress address,
            DlmsClientSettings settings, String meter) {
        if (settings.authentication() == Authentication.HIGH_GMAC && settings.invocationCounterObject().isPresent()) {
            return readFrameCounter(bootstrap, address, settings, meter)
                    .thenCompose(counter -> connectAndAssociate(bootstrap, address,
                            settings.toBuilder().invocationCounter(counter).build(), meter));
        }
        return connectAndAssociate(bootstrap, address, settings, meter);
    }

    /**
     * Associates as the public client (16, no security, same framing and server address), reads the frame-counter
     * object, releases, and gives the counter the ciphered association is to start from: the last one the meter
     * accepted plus one (Gurux's reader does the same), or the configured one when that is higher.
     */
    private static CompletableFuture<Long> readFrameCounter(Bootstrap bootstrap, InetSocketAddress address,
            DlmsClientSettings settings, String meter) {
        io.dlmsgateway.dlms.ObisCode object = settings.invocationCounterObject().orElseThrow();
        DlmsClientSettings publicClient = settings.toBuilder().authentication(Authentication.NONE)
                .clientAddress(DlmsClientSettings.PUBLIC_CLIENT_ADDRESS).invocationCounterObject(null).build();
        return connectAndAssociate(bootstrap, address, publicClient, meter)
                .thenCompose(c -> c.readAttribute(object, DATA_CLASS, 2, Priority.ON_DEMAND)
                        .whenComplete((v, e) -> c.release()))
                .thenApply(value -> {
                    if (!(value instanceof Number n) || n.longValue() < 0 || n.longValue() >= 0xFFFFFFFFL) {
                        throw new DlmsProtocolException(meter, "frame counter " + object + " is not a counter "
                                + "below 4294967295: " + value, null, false);
                    }
                    long next = n.longValue() + 1;
                    log.debug("[{}] frame counter {} = {}; association starts at {}", meter, object, n,
                            Math.max(next, settings.invocationCounter()));
                    return Math.max(next, settings.invocationCounter());
                });
    }

    private static CompletableFuture<DlmsConnection> connectAndAssociate(Bootstrap bootstrap,
            InetSocketAddress address, DlmsClientSettings settings, String meter) {
        CompletableFuture<DlmsConnection> result = new CompletableFuture<>();
        DlmsClientHandler handler = newHandler(settings, meter);
        // the connect timeout is ours (ConnectDeadline), not Netty's: Netty keeps its timeout task on the channel for the
        // channel's whole life once cancelled, ~80 bytes per meter
        Bootstrap b = bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0);
        if (b.config().options().containsKey(ChannelOption.RCVBUF_ALLOCATOR)) {
            b.option(ChannelOption.MAX_MESSAGES_PER_READ, MESSAGES_PER_READ); // the host's allocator, one read each
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_ALLOCATOR);
        }
        b.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("framing", settings.framing() == Framing.HDLC
                        ? new HdlcFrameDecoder()
                        : new WrapperFrameDecoder(wrapperApduLimit(settings.maxPduSize())));
                ch.pipeline().addLast("dlms", handler);
            }
        });
        ChannelFuture connect;
        try {
            connect = b.connect(address);
        } catch (RuntimeException e) {
            result.completeExceptionally(new DlmsConnectionException(meter, "cannot connect to " + address + ": "
                    + e.getMessage(), e));
            return result;
        }
        ConnectDeadline deadline = ConnectDeadline.start(connect, address, settings.connectTimeout().toMillis());
        connect.addListener((ChannelFuture f) -> {
            deadline.cancel();
            if (!f.isSuccess()) {
                result.completeExceptionally(connectFailure(meter, address, settings, deadline.failure(f.cause())));
                return;
            }
            DlmsConnection connection = new DlmsConnection(f.channel(), handler, settings, meter);
            connection.associate().whenComplete((v, e) -> {
                if (e != null) {
                    f.channel().close();
                    result.completeExceptionally(unwrap(e));
                } else {
                    result.complete(connection);
                }
            });
        });
        return result;
    }

    /**
     * The connect timeout, as Netty's CONNECT_TIMEOUT_MILLIS would do it (close the channel, fail the connect with a
     * {@link ConnectTimeoutException} of the same text), but held by the connect alone: once the connect is settled
     * the task is cancelled and nothing keeps it, where Netty's stays on the channel until it closes.
     */
    private static final class ConnectDeadline implements Runnable {
        private static final ConnectDeadline NONE = new ConnectDeadline(null, null, 0);

        private final ChannelFuture connect;
        private final InetSocketAddress address;
        private final long timeoutMillis;
        private ScheduledFuture<?> task;
        // set and read on the channel's event loop
        private boolean expired;

        private ConnectDeadline(ChannelFuture connect, InetSocketAddress address, long timeoutMillis) {
            this.connect = connect;
            this.address = address;
            this.timeoutMillis = timeoutMillis;
        }

        static ConnectDeadline start(ChannelFuture connect, InetSocketAddress address, long timeoutMillis) {
            // a connect settled already (a registration that failed) needs none; the channel has its event loop
            // once registration began, which Bootstrap.connect does before returning
            if (timeoutMillis <= 0 || connect.isDone()) {
                return NONE;
            }
            ConnectDeadline deadline = new ConnectDeadline(connect, address, timeoutMillis);
            deadline.task = connect.channel().eventLoop().schedule(deadline, timeoutMillis, TimeUnit.MILLISECONDS);
            return deadline;
        }

        @Override
        public void run() {
            if (!connect.isDone()) {
                expired = true;
                connect.channel().close(); // fails the connect, which the listener reports as a timeout
            }
        }

        void cancel() {
            if (task != null) {
                task.cancel(false);
            }
        }

        /** What the connect failed of: the timeout when it expired, else Netty's cause. */
        Throwable failure(Throwable cause) {
            return expired
                    ? new ConnectTimeoutException("connection timed out after " + timeoutMillis + " ms: " + address)
                    : cause;
        }
    }

    /**
     * Test hook: a connection on a channel that already carries a frame decoder, with this client's handler added
     * and no association made (the Gurux client keeps its defaults). Lets tests and fuzzers feed replies to a live
     * connection on an {@code EmbeddedChannel}.
     */
    static DlmsConnection unassociated(Channel channel, DlmsClientSettings settings, String meter) {
        DlmsClientHandler handler = newHandler(settings, meter);
        channel.pipeline().addLast("dlms", handler);
        return new DlmsConnection(channel, handler, settings, meter);
    }

    /** The Gurux client for these settings and the handler that runs its exchanges. */
    private static DlmsClientHandler newHandler(DlmsClientSettings settings, String meter) {
        GXDLMSClient client = GuruxClients.create(settings.framing(), settings.clientAddress(),
                GuruxClients.serverAddress(settings.framing(), settings.logicalAddress(), settings.physicalAddress()),
                settings.authentication(), settings.password(), settings.blockCipherKey(),
                settings.authenticationKey(), settings.clientSystemTitle(), settings.invocationCounter(),
                settings.maxPduSize());
        return new DlmsClientHandler(client, meter, settings.requestTimeout(), settings.exchangeTimeout(),
                settings.maxReplyBytes(), settings.framing() == Framing.HDLC);
    }

    /** Name of the meter, as it appears in every error. */
    public String meter() {
        return meter;
    }

    public DlmsClientSettings settings() {
        return settings;
    }

    /** True while the TCP connection is open. */
    public boolean isActive() {
        return channel.isActive();
    }

    /** Completes when the connection closes, for whatever reason. */
    public CompletableFuture<Void> closeFuture() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.closeFuture().addListener(f -> closed.complete(null));
        return closed;
    }

    /**
     * Runs {@code action} once the connection has closed, for whatever reason: on its event loop, or at once when it
     * has closed already. For a holder that keeps the connection for its whole life: a listener on the channel costs
     * it one small object, where {@link #closeFuture()} and a callback on it cost about 100 bytes per connection.
     */
    public void whenClosed(Runnable action) {
        channel.closeFuture().addListener(f -> action.run());
    }

    /** True once the connection has closed and the actions of {@link #whenClosed} are due. */
    public boolean isClosed() {
        return channel.closeFuture().isDone();
    }

    /** Whether the meter accepted GET-with-list in the AARE and has not refused it since. */
    public boolean usesGetWithList() {
        return client.getNegotiatedConformance().contains(Conformance.MULTIPLE_REFERENCES) && !getWithListRefused;
    }

    /** The conformance block the meter agreed to, by Gurux's names. */
    public Set<String> negotiatedConformance() {
        Set<String> names = new LinkedHashSet<>();
        for (Conformance c : client.getNegotiatedConformance()) {
            names.add(c.name());
        }
        return names;
    }

    /** The largest APDU the meter accepts from us, as negotiated. */
    public int negotiatedMaxPduSize() {
        return client.getMaxReceivePDUSize();
    }

    /**
     * The next invocation counter of this association (HIGH_GMAC). A meter refuses a counter it has already seen,
     * so a new association must start from here.
     */
    public long invocationCounter() {
        return client instanceof GXDLMSSecureClient secure ? secure.getCiphering().getInvocationCounter()
                : settings.invocationCounter();
    }

    /**
     * From now on no ciphered APDU with an invocation counter at or above {@code exclusiveEnd} is sent: the operation
     * fails with a {@link DlmsConnectionException} and the connection closes instead (HIGH_GMAC; a meter refuses a
     * counter it has seen, so whoever keeps counters durably reserves them ahead and sets the end of the reservation
     * here). Unlimited unless set. Any thread.
     */
    public void invocationCounterLimit(long exclusiveEnd) {
        handler.invocationCounterLimit(exclusiveEnd);
    }

    /**
     * Why the connection was closed, when this client closed it because the meter broke a bound
     * ({@link DlmsProtocolViolationException}: unsolicited data, a reply too long or too deep, an exchange past its
     * deadline); null otherwise. Call it once the connection is closed, on any thread.
     */
    public DlmsException closeCause() {
        return handler.closeCause();
    }

    /** Bytes this connection received from and sent to the meter. */
    public long bytesReceived() {
        return handler.bytesReceived();
    }

    public long bytesSent() {
        return handler.bytesSent();
    }

    /**
     * Reads the given measurements as a {@link Priority#SCHEDULED} operation. Attributes the meter refuses come back
     * in {@link ReadResult#refusals()}; the future fails only when the association breaks (timeout, connection lost,
     * malformed reply).
     */
    public CompletableFuture<ReadResult> read(List<Measurement> measurements) {
        return read(measurements, Priority.SCHEDULED);
    }

    /**
     * Reads the given measurements with the given priority; otherwise as {@link #read(List)}. An
     * {@link Priority#ON_DEMAND} read waits at most for the exchange in flight.
     */
    public CompletableFuture<ReadResult> read(List<Measurement> measurements, Priority priority) {
        if (measurements.size() > MAX_MEASUREMENTS_PER_READ) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("[" + meter + "] read of "
                    + measurements.size() + " measurements refused: at most " + MAX_MEASUREMENTS_PER_READ
                    + " per read (DlmsConnection.MAX_MEASUREMENTS_PER_READ)"));
        }
        List<Measurement> asked = List.copyOf(measurements);
        return scheduler.submit(priority, "read of " + asked.size() + " measurements", false,
                x -> readOnLoop(x, asked));
    }

    /**
     * Reads one measurement ({@link Priority#SCHEDULED}); fails with {@link DlmsAccessException} when the meter
     * refuses it.
     */
    public CompletableFuture<MeasuredValue> read(Measurement measurement) {
        return read(measurement, Priority.SCHEDULED);
    }

    /** Reads one measurement with the given priority; fails with {@link DlmsAccessException} when refused. */
    public CompletableFuture<MeasuredValue> read(Measurement measurement, Priority priority) {
        List<Measurement> asked = List.of(measurement);
        return scheduler.submit(priority, "read of " + measurement.name(), false,
                x -> readOnLoop(x, asked).thenApply(r -> {
                    if (!r.refusals().isEmpty()) {
                        throw r.refusals().get(0).toException(meter);
                    }
                    return r.values().get(0);
                }));
    }

    /**
     * Reads any attribute of any object ({@link Priority#SCHEDULED}) and returns it as plain Java values (numbers,
     * strings, lists), unscaled. Replies longer than the negotiated PDU arrive by block transfer. Fails with
     * {@link DlmsAccessException} when the meter refuses the attribute.
     */
    public CompletableFuture<Object> readAttribute(ObisCode obis, int classId, int attributeIndex) {
        return readAttribute(obis, classId, attributeIndex, Priority.SCHEDULED);
    }

    /** {@link #readAttribute(ObisCode, int, int)} with the given priority. */
    public CompletableFuture<Object> readAttribute(ObisCode obis, int classId, int attributeIndex,
            Priority priority) {
        AttributeRef ref = new AttributeRef(obis, classId, attributeIndex);
        return scheduler.submit(priority, "read of " + ref, false, x -> readSingly(x, List.of(ref),
                Integer.MAX_VALUE).thenApply(out -> {
            Outcome o = out.get(0);
            if (o.error != 0) {
                throw new DlmsAccessException(meter, obis, classId, attributeIndex, o.error);
            }
            return classId == Measurement.CLASS_CLOCK && attributeIndex == 2 ? CosemValues.dateTime(o.value)
                    : CosemValues.plain(o.value);
        }));
    }

    // ---- typed GET, SET and ACTION -----------------------------------------------------------------------------

    /**
     * Reads any attribute of any object, with or without selective access, as the meter typed it: the reply's
     * A-XDR is decoded by {@link Axdr}, so an enum stays an enum and a long-unsigned a long-unsigned, unlike
     * {@link #readAttribute}. Replies longer than the negotiated PDU arrive by block transfer, up to
     * {@link DlmsClientSettings#maxReplyBytes()}. Fails with {@link DlmsAccessException} (service GET) carrying the
     * data-access-result when the meter refuses, with {@link DlmsProtocolException} (not connection-lost) when the
     * value is no well-formed A-XDR; the association stays usable in both cases.
     *
     * @param access selective access (e.g. selector 2, by entry, on a profile's buffer), or null for none
     */
    public CompletableFuture<DlmsValue> get(CosemAttribute attribute, SelectiveAccess access, Priority priority) {
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(priority, "priority");
        ObjectType type;
        byte[] selection;
        try {
            type = guruxType(attribute.classId());
            selection = access == null ? null : selection(access);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String what = "GET " + attribute.obis() + " class " + attribute.classId() + " attribute " + attribute.index()
                + (access == null ? "" : " selector " + access.selector());
        return scheduler.submit(priority, what, false, x -> x.exchange(() -> guruxCall(what,
                        () -> selection == null
                                ? client.read(attribute.obis().toString(), type, attribute.index())
                                : GuruxRequests.readWithSelection(client, attribute.obis().toString(), type,
                                        attribute.index(), selection)),
                what, Integer.MAX_VALUE).thenApply(replies -> {
                    GXReplyData reply = replies.get(replies.size() - 1);
                    if (reply.getError() != 0) {
                        throw new DlmsAccessException(meter, "GET", attribute.obis(), attribute.classId(),
                                attribute.index(), reply.getError());
                    }
                    return decodeValue(what, replyData(reply));
                }));
    }

    /**
     * Writes one attribute: {@code value} goes out as {@link Axdr#encode} encodes it, byte for byte (Gurux only frames
     * and, for HIGH_GMAC, ciphers it). A value too long for one APDU goes by block transfer when the meter agreed to
     * it for SET, and is refused with {@link IllegalArgumentException} before anything is sent otherwise. Fails with
     * {@link DlmsAccessException} (service SET) carrying the data-access-result when the meter refuses
     * ({@code read-write-denied}, {@code object-undefined}, {@code type-unmatched}, ...); the association stays
     * usable.
     */
    public CompletableFuture<Void> set(CosemAttribute attribute, DlmsValue value, Priority priority) {
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(priority, "priority");
        ObjectType type;
        byte[] encoded;
        try {
            type = guruxType(attribute.classId());
            encoded = Axdr.encode(value);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String what = "SET " + attribute.obis() + " class " + attribute.classId() + " attribute " + attribute.index();
        return scheduler.submit(priority, what, false, x -> {
            fitsOrBlocks(what, encoded.length, Conformance.BLOCK_TRANSFER_WITH_SET_OR_WRITE);
            // Gurux adds no tag of its own in front of a byte[] given as STRUCTURE (GXCommon.setData): the value
            // goes out exactly as encoded, whatever its type
            return x.exchange(() -> guruxCall(what, () -> client.write(attribute.obis().toString(), encoded,
                    DataType.STRUCTURE, type, attribute.index())), what).thenAccept(replies -> {
                        int error = replies.get(replies.size() - 1).getError();
                        if (error != 0) {
                            throw new DlmsAccessException(meter, "SET", attribute.obis(), attribute.classId(),
                                    attribute.index(), error);
                        }
                    });
        });
    }

    /**
     * Invokes one method, with {@code parameter} encoded by {@link Axdr#encode} as the method-invocation-parameters
     * (null: none), and gives what the method returned, empty when it returned nothing. Fails with
     * {@link DlmsAccessException} (service ACTION) carrying the action-result when the meter refuses, named as
     * IEC 62056-5-3 names action-results ({@link DlmsAccessException#resultName()}); the association stays usable.
     * A parameter too long for one APDU goes by block transfer when the meter agreed to it for ACTION.
     */
    public CompletableFuture<Optional<DlmsValue>> invoke(CosemMethod method, DlmsValue parameter,
            Priority priority) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(priority, "priority");
        ObjectType type;
        byte[] encoded;
        try {
            type = guruxType(method.classId());
            encoded = parameter == null ? null : Axdr.encode(parameter);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String what = "ACTION " + method.obis() + " class " + method.classId() + " method " + method.index();
        return scheduler.submit(priority, what, false, x -> {
            if (encoded != null) {
                fitsOrBlocks(what, encoded.length, Conformance.BLOCK_TRANSFER_WITH_ACTION);
            }
            // no parameter: Gurux marks the parameters absent and then writes one null-data octet after the request,
            // which meters (Gurux's server among them) ignore; with one, the pre-encoded bytes go out as they are
            return x.exchange(() -> guruxCall(what, () -> encoded == null
                    ? client.method(method.obis().toString(), type, method.index(), null, DataType.NONE)
                    : client.method(method.obis().toString(), type, method.index(), encoded, DataType.STRUCTURE)),
                    what, Integer.MAX_VALUE).thenApply(replies -> {
                        GXReplyData reply = replies.get(replies.size() - 1);
                        if (reply.getError() != 0) {
                            throw new DlmsAccessException(meter, "ACTION", method.obis(), method.classId(),
                                    method.index(), reply.getError());
                        }
                        byte[] returned = replyData(reply);
                        return returned.length == 0 ? Optional.<DlmsValue>empty()
                                : Optional.of(decodeValue(what, returned));
                    });
        });
    }

    /** Gurux's type of a COSEM class, which its request builders need; classes it does not know are refused. */
    private static ObjectType guruxType(int classId) {
        ObjectType type = ObjectType.forValue(classId);
        if (type == null || type == ObjectType.NONE) {
            throw new IllegalArgumentException("COSEM class " + classId + " is not supported");
        }
        return type;
    }

    /** The access-selection as Gurux puts it after the descriptor's flag: the selector, then its parameters. */
    private static byte[] selection(SelectiveAccess access) {
        byte[] parameters = Axdr.encode(access.parameters());
        byte[] out = new byte[1 + parameters.length];
        out[0] = (byte) access.selector();
        System.arraycopy(parameters, 0, out, 1, parameters.length);
        return out;
    }

    /**
     * Refuses a value that needs more than one APDU when the meter did not agree to block transfer for it. Gurux would
     * split it all the same and the meter refuse the first block; this says why before anything is sent. Counted
     * generously (descriptor, header, ciphering), so a value close to the limit is refused rather than split.
     */
    private void fitsOrBlocks(String what, int valueBytes, Conformance blocks) {
        int overhead = 16 + (client instanceof GXDLMSSecureClient ? 32 : 0);
        int limit = client.getMaxReceivePDUSize();
        if (valueBytes + overhead > limit && !client.getNegotiatedConformance().contains(blocks)) {
            throw new IllegalArgumentException("[" + meter + "] " + what + ": a value of " + valueBytes
                    + " bytes does not fit the meter's PDU of " + limit + " bytes, and the meter did not agree to "
                    + "block transfer for it (" + blocks + ")");
        }
    }

    /**
     * The A-XDR bytes of a complete GET or ACTION reply's value. Gurux has moved them to the start of its buffer
     * (GXDLMS.getDataFromBlock, once per block) and put the position back to 0 after reading them; a reply without a
     * value leaves the position at the end, or the buffer empty.
     */
    private static byte[] replyData(GXReplyData reply) {
        GXByteBuffer data = reply.getData();
        if (data.size() == 0 || data.position() == data.size()) {
            return new byte[0];
        }
        return Arrays.copyOfRange(data.getData(), 0, data.size());
    }

    private DlmsValue decodeValue(String what, byte[] data) {
        try {
            return Axdr.decode(data);
        } catch (IllegalArgumentException e) {
            throw new DlmsProtocolException(meter, "reply to " + what + " is no well-formed value: "
                    + e.getMessage(), e, false);
        }
    }

    // ---- profiles -------------------------------------------------------------------------------------------------

    /**
     * Reads what a Profile Generic (class 7) looks like: its capture objects (attribute 3) with the scaler_units of the
     * registers among them, read once per association and cached, and as read now its capture period (4), entries in
     * use (7) and profile entries (8). Fails with {@link DlmsAccessException} when the meter refuses attribute 3 or 4
     * or a captured register's scaler_unit (7 and 8 refused come as -1), with {@link DlmsProtocolException} when a
     * reply is not what the standard says or a scaler lies outside ±{@value #MAX_SCALER}; the association stays usable
     * in both cases.
     */
    public CompletableFuture<ProfileShape> readProfileShape(ObisCode profile, Priority priority) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(priority, "priority");
        return scheduler.submit(priority, "read of profile " + profile + " shape", false,
                x -> readShapeOnLoop(x, profile));
    }

    /**
     * Reads the rows of a profile captured from {@code from} to {@code to}, both inclusive, all columns: selective
     * access by range (selector 1) on the buffer (attribute 2), restricted on the profile's clock column. The bounds go
     * out as date-times at {@link DlmsClientSettings#clockOffset()} with the deviation signed as
     * {@link DlmsClientSettings#deviationSign()} says. Reads the shape first when this association has not (in the same
     * operation). The reply may take many GET data blocks, up to {@link DlmsClientSettings#maxReplyBytes()}.
     *
     * <p>A meter that refuses selective access by range (a data-access-result, an exception-response) fails the future
     * with {@link DlmsAccessException}, and the association stays usable: read by entry instead. A profile without a
     * clock column, or whose clock column is another object than the clock {@code 0.0.1.0.0.255} (the one a range
     * request here can name), fails with {@link DlmsProtocolException} (not connection-lost): read it by entry. A reply that is not an array of
     * structures of the column count fails with {@link DlmsProtocolException} naming the meter and the profile.
     */
    public CompletableFuture<ProfileRows> readProfileRange(ObisCode profile, Instant from, Instant to,
            Priority priority) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(priority, "priority");
        if (from.isAfter(to)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("[" + meter + "] profile " + profile
                    + ": range from " + from + " is after " + to));
        }
        CosemDateTime fromSent = CosemDateTime.of(from, settings.clockOffset(), settings.deviationSign(), 0);
        CosemDateTime toSent = CosemDateTime.of(to, settings.clockOffset(), settings.deviationSign(), 0);
        String what = "GET " + profile + " buffer from " + from + " to " + to;
        return scheduler.submit(priority, "read of profile " + profile + " from " + from + " to " + to, false,
                x -> shapeOnLoop(x, profile).thenCompose(shape -> {
                    if (shape.clockColumn() < 0) {
                        throw new DlmsProtocolException(meter, "profile " + profile
                                + " has no clock column to read a range on; read it by entry", null, false);
                    }
                    if (!shape.clock().source().obis().equals(MeasurementCatalog.CLOCK)) {
                        // Gurux's range request always names the clock 0.0.1.0.0.255 as restricting object
                        throw new DlmsProtocolException(meter, "profile " + profile + " keeps its time in "
                                + shape.clock().source() + ", not in the clock " + MeasurementCatalog.CLOCK
                                + " a range request can name; read it by entry", null, false);
                    }
                    return readRowsOnLoop(x, shape, what, () -> client.readRowsByRange(
                            ProfileBuffers.requestObject(shape), ProfileBuffers.toGurux(fromSent),
                            ProfileBuffers.toGurux(toSent)));
                }));
    }

    /**
     * Reads rows {@code fromEntry} to {@code toEntry} of a profile, 1-based and inclusive, all columns: selective
     * access by entry (selector 2) on the buffer; {@code toEntry} 0 reads up to the last row. Entry 1 is the oldest
     * row the buffer holds. Otherwise as {@link #readProfileRange}.
     */
    public CompletableFuture<ProfileRows> readProfileEntries(ObisCode profile, long fromEntry, long toEntry,
            Priority priority) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(priority, "priority");
        // Gurux takes the entries as Java ints; a buffer of more than 2^31 rows does not exist
        if (fromEntry < 1 || fromEntry > Integer.MAX_VALUE || toEntry < 0 || toEntry > Integer.MAX_VALUE
                || toEntry != 0 && toEntry < fromEntry) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("[" + meter + "] profile " + profile
                    + ": entries " + fromEntry + ".." + toEntry + " are not 1 <= from <= to (or to = 0, the last)"));
        }
        int index = (int) fromEntry;
        int count = toEntry == 0 ? 0 : (int) (toEntry - fromEntry + 1);
        String what = "GET " + profile + " buffer entries " + fromEntry + ".." + (toEntry == 0 ? "last" : toEntry);
        return scheduler.submit(priority, "read of profile " + profile + " entries " + fromEntry + ".."
                        + (toEntry == 0 ? "last" : toEntry), false,
                x -> shapeOnLoop(x, profile).thenCompose(shape -> readRowsOnLoop(x, shape, what,
                        () -> client.readRowsByEntry(ProfileBuffers.requestObject(shape), index, count))));
    }

    /** The cached shape of the profile, or one read now. */
    private CompletableFuture<ProfileShape> shapeOnLoop(Exchanges x, ObisCode profile) {
        ProfileShape cached = profileShapes == null ? null : profileShapes.get(profile);
        return cached != null ? CompletableFuture.completedFuture(cached) : readShapeOnLoop(x, profile);
    }

    private CompletableFuture<ProfileShape> readShapeOnLoop(Exchanges x, ObisCode profile) {
        ProfileShape cached = profileShapes == null ? null : profileShapes.get(profile);
        CompletableFuture<List<ProfileColumn>> known;
        if (cached != null) {
            known = CompletableFuture.completedFuture(cached.columns());
        } else {
            // capture objects may be many (a billing profile of 60 registers): the whole reply bound, not a register's
            AttributeRef captures = new AttributeRef(profile, CLASS_PROFILE_GENERIC, PROFILE_CAPTURE_OBJECTS);
            known = readSingly(x, List.of(captures), Integer.MAX_VALUE).thenApply(out -> {
                Outcome o = out.get(0);
                if (o.error != 0) {
                    throw new DlmsAccessException(meter, profile, CLASS_PROFILE_GENERIC, PROFILE_CAPTURE_OBJECTS,
                            o.error);
                }
                List<ProfileColumn> columns = new ArrayList<>();
                for (CaptureObject c : ProfileBuffers.captureObjects(meter, profile, o.value)) {
                    columns.add(new ProfileColumn(c, ProfileBuffers.isScaled(c), 0, ""));
                }
                return columns;
            });
        }
        return known.thenCompose(columns -> {
            List<AttributeRef> refs = new ArrayList<>(3 + columns.size());
            refs.add(new AttributeRef(profile, CLASS_PROFILE_GENERIC, PROFILE_CAPTURE_PERIOD));
            refs.add(new AttributeRef(profile, CLASS_PROFILE_GENERIC, PROFILE_ENTRIES_IN_USE));
            refs.add(new AttributeRef(profile, CLASS_PROFILE_GENERIC, PROFILE_ENTRIES));
            Set<ObisCode> scalersAsked = new HashSet<>();
            if (cached == null) {
                for (ProfileColumn column : columns) {
                    CaptureObject c = column.source();
                    if (column.scaled() && !scalerUnits.contains(c.obis()) && scalersAsked.add(c.obis())) {
                        refs.add(new AttributeRef(c.obis(), c.classId(), ProfileBuffers.scalerUnitAttribute(c)));
                    }
                }
            }
            int replyLimit = (int) Math.min(Integer.MAX_VALUE,
                    (long) REPLY_BYTES_PER_ATTRIBUTE * GET_WITH_LIST_CHUNK + settings.maxPduSize() + 1024);
            return readAttributes(x, refs, replyLimit).thenApply(out -> {
                if (out.get(0).error != 0) {
                    throw new DlmsAccessException(meter, profile, CLASS_PROFILE_GENERIC, PROFILE_CAPTURE_PERIOD,
                            out.get(0).error);
                }
                long period = unsigned(profile, "capture_period", out.get(0).value);
                long inUse = out.get(1).error != 0 ? -1 : unsigned(profile, "entries_in_use", out.get(1).value);
                long entries = out.get(2).error != 0 ? -1 : unsigned(profile, "profile_entries", out.get(2).value);
                for (int i = 3; i < refs.size(); i++) {
                    AttributeRef ref = refs.get(i);
                    if (out.get(i).error != 0) {
                        throw new DlmsAccessException(meter, ref.obis, ref.classId, ref.attributeIndex,
                                out.get(i).error);
                    }
                    scalerUnits.put(meter, ref.obis, out.get(i).value);
                }
                List<ProfileColumn> resolved = cached != null ? columns : withScalers(profile, columns);
                ProfileShape shape = new ProfileShape(profile, resolved, period, ProfileBuffers.clockColumn(resolved),
                        inUse, entries);
                if (profileShapes == null) {
                    profileShapes = new HashMap<>(4);
                }
                profileShapes.put(profile, shape);
                return shape;
            });
        });
    }

    private List<ProfileColumn> withScalers(ObisCode profile, List<ProfileColumn> columns) {
        List<ProfileColumn> out = new ArrayList<>(columns.size());
        for (ProfileColumn column : columns) {
            if (!column.scaled()) {
                out.add(column);
                continue;
            }
            int su = scalerUnits.get(column.source().obis());
            int scaler = ScalerUnits.scaler(su);
            if (Math.abs(scaler) > MAX_SCALER) {
                throw new DlmsProtocolException(meter, "profile " + profile + ": scaler " + scaler + " of "
                        + column.source().obis() + " outside -" + MAX_SCALER + ".." + MAX_SCALER, null, false);
            }
            out.add(new ProfileColumn(column.source(), true, scaler, CosemUnit.symbol(ScalerUnits.unit(su))));
        }
        return out;
    }

    private long unsigned(ObisCode profile, String attribute, Object value) {
        Long v = CosemValues.exactLong(value);
        if (v != null && v >= 0) {
            return v;
        }
        throw new DlmsProtocolException(meter, "profile " + profile + ": " + attribute
                + " is not an unsigned number: " + value, null, false);
    }

    /** One GET of the buffer with selective access, its reply decoded into rows by the shape. */
    private CompletableFuture<ProfileRows> readRowsOnLoop(Exchanges x, ProfileShape shape, String what,
            GuruxCall<byte[][]> request) {
        ObisCode profile = shape.profile();
        return x.exchange(() -> guruxCall(what, request), what, Integer.MAX_VALUE)
                .exceptionally(e -> {
                    Throwable cause = unwrap(e);
                    if (cause instanceof DlmsProtocolException p && !p.isConnectionLost()) {
                        // an exception-response or confirmed-service-error to a well-formed request: a refusal of
                        // this access, as older meters refuse selective access by range
                        throw new DlmsAccessException(meter, profile, CLASS_PROFILE_GENERIC, PROFILE_BUFFER,
                                DataAccessResults.OTHER_REASON, p);
                    }
                    throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
                })
                .thenApply(replies -> {
                    GXReplyData reply = replies.get(replies.size() - 1);
                    if (reply.getError() != 0) {
                        throw new DlmsAccessException(meter, profile, CLASS_PROFILE_GENERIC, PROFILE_BUFFER,
                                reply.getError());
                    }
                    return new ProfileRows(shape, ProfileBuffers.rows(meter, shape, reply.getValue(),
                            settings.deviationSign(), settings.clockOffset()));
                });
    }

    // ---- clock ---------------------------------------------------------------------------------------------------

    /**
     * Reads the meter's clock (0.0.1.0.0.255 attribute 2) and notes the gateway's time when the request left and the
     * reply came. The date-time is read with the settings' {@link DlmsClientSettings#deviationSign()} and, where it gives no
     * deviation, {@link DlmsClientSettings#clockOffset()}. Fails
     * with {@link DlmsAccessException} when the meter refuses the read, with {@link DlmsProtocolException} when the
     * value is no 12-octet date-time.
     */
    public CompletableFuture<ClockReading> readClock(Priority priority) {
        String what = "GET " + CLOCK + "/2";
        return scheduler.submit(priority, "read of the clock", false, x -> {
            long[] sent = new long[1];
            return x.exchange(() -> {
                sent[0] = wallClock.millis();
                return guruxCall(what, () -> client.read(CLOCK.toString(), ObjectType.CLOCK, 2));
            }, what, REPLY_BYTES_PER_ATTRIBUTE + 1024).thenApply(replies -> {
                Instant received = wallClock.instant();
                GXReplyData reply = replies.get(replies.size() - 1);
                if (reply.getError() != 0) {
                    throw new DlmsAccessException(meter, CLOCK, Measurement.CLASS_CLOCK, 2, reply.getError());
                }
                CosemDateTime time = dateTimeOf(reply.getValue());
                return new ClockReading(time, time.toInstant(settings.deviationSign(), settings.clockOffset()),
                        Instant.ofEpochMilli(sent[0]), received);
            });
        });
    }

    /**
     * Sets the meter's clock to {@code time} (SET attribute 2: the date-time at
     * {@link DlmsClientSettings#clockOffset()}, its deviation signed as {@link DlmsClientSettings#deviationSign()} says,
     * status 0). Fails with
     * {@link DlmsAccessException} carrying the data-access-result when the meter refuses.
     */
    public CompletableFuture<Void> setClock(Instant time, Priority priority) {
        byte[] octets = CosemDateTime.of(time, settings.clockOffset(), settings.deviationSign(), 0).encode();
        String what = "SET " + CLOCK + "/2";
        return scheduler.submit(priority, "setting the clock", false, x -> x.exchange(
                () -> guruxCall(what, () -> client.write(CLOCK.toString(), octets, DataType.OCTET_STRING,
                        ObjectType.CLOCK, 2)), what).thenAccept(replies -> {
                            int error = replies.get(replies.size() - 1).getError();
                            if (error != 0) {
                                throw new DlmsAccessException(meter, "SET", CLOCK, Measurement.CLASS_CLOCK, 2, error);
                            }
                        }));
    }

    /** Largest step of the clock's shift_time method, in seconds either way (IEC 62056-6-2). */
    public static final int MAX_SHIFT_SECONDS = 900;

    /**
     * Moves the meter's clock by {@code seconds} (-900..900) with the clock's shift_time method (method 6, long).
     * Fails with {@link DlmsAccessException} carrying the action-result when the meter refuses.
     */
    public CompletableFuture<Void> shiftClock(int seconds, Priority priority) {
        if (Math.abs(seconds) > MAX_SHIFT_SECONDS) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("shift_time takes -"
                    + MAX_SHIFT_SECONDS + ".." + MAX_SHIFT_SECONDS + " seconds, not " + seconds));
        }
        String what = "ACTION " + CLOCK + " shift_time(" + seconds + ")";
        return scheduler.submit(priority, "shifting the clock", false, x -> x.exchange(
                () -> guruxCall(what, () -> client.method(CLOCK.toString(), ObjectType.CLOCK, SHIFT_TIME, seconds,
                        DataType.INT32)), what).thenAccept(replies -> {
                            int error = replies.get(replies.size() - 1).getError();
                            if (error != 0) {
                                throw new DlmsAccessException(meter, "ACTION", CLOCK, Measurement.CLASS_CLOCK,
                                        SHIFT_TIME, error);
                            }
                        }));
    }

    private CosemDateTime dateTimeOf(Object value) {
        if (value instanceof byte[] octets && octets.length == CosemDateTime.LENGTH) {
            return CosemDateTime.decode(octets);
        }
        throw new DlmsProtocolException(meter, "clock " + CLOCK + " is not a 12-octet date-time: "
                + CosemValues.plain(value), null, false);
    }

    /**
     * Releases the association (RLRQ; then DISC on HDLC) and closes the connection, after every operation submitted
     * before; operations submitted after it fail. Meters that refuse the release, as many do on HDLC, are closed all
     * the same; the future never fails.
     */
    public CompletableFuture<Void> release() {
        CompletableFuture<Void> released = scheduler.submit(Priority.SCHEDULED, "release", true, x -> {
            CompletableFuture<Void> done = x.exchange(() -> guruxCall("RLRQ", client::releaseRequest), "RLRQ")
                    .handle((r, e) -> null);
            if (settings.framing() == Framing.HDLC) {
                done = done.thenCompose(v -> channel.isActive()
                        ? x.exchangeOne(() -> guruxCall("DISC", client::disconnectRequest), "DISC")
                                .handle((r, e) -> null)
                        : CompletableFuture.<Void>completedFuture(null));
            }
            return done.whenComplete((v, e) -> channel.close());
        });
        return released.handle((v, e) -> null);
    }

    /** Closes the connection at once, without releasing; outstanding operations fail. */
    @Override
    public void close() {
        channel.close();
    }

    // ---- association -------------------------------------------------------------------------------------------

    private CompletableFuture<Void> associate() {
        return scheduler.submit(Priority.SCHEDULED, "association", true, x -> {
            CompletableFuture<Void> step = CompletableFuture.completedFuture(null);
            if (settings.framing() == Framing.HDLC) {
                step = x.exchangeOne(() -> guruxCall("SNRM", client::snrmRequest), "SNRM").thenAccept(reply -> {
                    if (reply.getError() != 0) {
                        throw new AssociationRejectedException(meter, "HDLC connection refused (SNRM answered "
                                + gurux.dlms.enums.ErrorCode.forValue(reply.getError()) + ")", null, null);
                    }
                    guruxCall("UA", () -> {
                        client.parseUAResponse(reply.getData());
                        return null;
                    });
                });
            }
            step = step.thenCompose(v -> x.exchange(() -> guruxCall("AARQ", client::aarqRequest), "AARQ"))
                    .thenAccept(replies -> {
                        GXReplyData reply = replies.get(replies.size() - 1);
                        guruxCall("AARE", () -> {
                            client.parseAareResponse(reply.getData());
                            return null;
                        });
                    });
            if (settings.authentication() == Authentication.HIGH_GMAC) {
                step = step.thenCompose(v -> x.exchange(
                                () -> guruxCall("HLS", client::getApplicationAssociationRequest),
                                "HLS reply to challenge"))
                        .thenAccept(replies -> {
                            GXReplyData reply = replies.get(replies.size() - 1);
                            if (reply.getError() != 0) {
                                throw new AssociationRejectedException(meter, "HLS authentication failed",
                                        "reply_to_HLS_authentication refused with data-access-result "
                                                + reply.getError(), null);
                            }
                            try {
                                client.parseApplicationAssociationResponse(reply.getData());
                            } catch (Exception e) {
                                throw new AssociationRejectedException(meter, "HLS authentication failed",
                                        "the meter's answer to our challenge does not verify (wrong keys?)", e);
                            }
                        });
            }
            return step.thenRun(() -> {
                GuruxClients.compactAfterAssociation(client);
                log.debug("[{}] associated; conformance {}, max PDU {}", meter, client.getNegotiatedConformance(),
                        client.getMaxReceivePDUSize());
            });
        });
    }

    // ---- reading -----------------------------------------------------------------------------------------------

    private CompletableFuture<ReadResult> readOnLoop(Exchanges x, List<Measurement> asked) {
        List<AttributeRef> refs = new ArrayList<>(asked.size() + 8);
        // a set, not a list: with a list this loop was quadratic in the codes asked, on the event loop
        Set<ObisCode> scalersAsked = new HashSet<>();
        for (Measurement m : asked) {
            if (m.isScaled() && !scalerUnits.contains(m.obis()) && scalersAsked.add(m.obis())) {
                refs.add(new AttributeRef(m.obis(), m.classId(), SCALER_UNIT_ATTRIBUTE));
            }
        }
        int firstValue = refs.size();
        for (Measurement m : asked) {
            refs.add(new AttributeRef(m.obis(), m.classId(), m.attributeIndex()));
        }
        int replyLimit = (int) Math.min(Integer.MAX_VALUE,
                (long) REPLY_BYTES_PER_ATTRIBUTE * GET_WITH_LIST_CHUNK + settings.maxPduSize() + 1024);
        return readAttributes(x, refs, replyLimit).thenApply(outcomes -> {
            Map<ObisCode, Integer> scalerRefusals = new HashMap<>();
            for (int i = 0; i < firstValue; i++) {
                AttributeRef ref = refs.get(i);
                Outcome o = outcomes.get(i);
                if (o.error != 0) {
                    scalerRefusals.put(ref.obis, o.error);
                } else {
                    scalerUnits.put(meter, ref.obis, o.value);
                }
            }
            List<MeasuredValue> values = new ArrayList<>(asked.size());
            List<Refusal> refusals = new ArrayList<>();
            for (int i = 0; i < asked.size(); i++) {
                Measurement m = asked.get(i);
                Outcome o = outcomes.get(firstValue + i);
                if (o.error != 0) {
                    refusals.add(new Refusal(m, o.error));
                } else if (m.isScaled()) {
                    int su = scalerUnits.get(m.obis());
                    if (su == ScalerUnits.ABSENT) {
                        // a scaler_unit refused in this read; one read concurrently by another operation is cached
                        refusals.add(new Refusal(m, SCALER_UNIT_ATTRIBUTE,
                                scalerRefusals.getOrDefault(m.obis(), DataAccessResults.OTHER_REASON)));
                    } else {
                        int scaler = ScalerUnits.scaler(su);
                        String implausible = Math.abs(scaler) > MAX_SCALER
                                ? "scaler " + scaler + " outside -" + MAX_SCALER + ".." + MAX_SCALER
                                : notFinite(o.value);
                        if (implausible != null) {
                            refusals.add(Refusal.implausible(m, implausible));
                        } else {
                            values.add(new MeasuredValue(m, CosemValues.scale(o.value, scaler),
                                    CosemUnit.symbol(ScalerUnits.unit(su))));
                        }
                    }
                } else if (m.classId() == Measurement.CLASS_CLOCK && m.attributeIndex() == 2) {
                    values.add(new MeasuredValue(m, CosemValues.dateTime(o.value), ""));
                } else if (notFinite(o.value) != null) {
                    refusals.add(Refusal.implausible(m, notFinite(o.value)));
                } else {
                    values.add(new MeasuredValue(m, CosemValues.plain(o.value), ""));
                }
            }
            return new ReadResult(values, refusals);
        });
    }

    /** Why a value is no number to publish (NaN, an infinity), or null when it is fine. */
    private static String notFinite(Object value) {
        if ((value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue())) {
            return "value " + value + " is not a finite number";
        }
        return null;
    }

    private CompletableFuture<List<Outcome>> readAttributes(Exchanges x, List<AttributeRef> refs, int replyLimit) {
        if (refs.size() == 1 || !usesGetWithList()) {
            return readSingly(x, refs, replyLimit);
        }
        List<Outcome> out = new ArrayList<>(refs.size());
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < refs.size(); from += GET_WITH_LIST_CHUNK) {
            List<AttributeRef> chunk = refs.subList(from, Math.min(refs.size(), from + GET_WITH_LIST_CHUNK));
            chain = chain.thenCompose(v -> readChunk(x, chunk, replyLimit)).thenAccept(out::addAll);
        }
        return chain.thenApply(v -> out);
    }

    private CompletableFuture<List<Outcome>> readChunk(Exchanges x, List<AttributeRef> chunk, int replyLimit) {
        if (chunk.size() == 1 || getWithListRefused) {
            return readSingly(x, chunk, replyLimit);
        }
        String what = "GET-with-list of " + chunk.size() + " attributes";
        return x.exchange(() -> {
                    List<Map.Entry<GXDLMSObject, Integer>> entries = new ArrayList<>(chunk.size());
                    for (AttributeRef ref : chunk) {
                        entries.add(new AbstractMap.SimpleEntry<>(ref.toGuruxObject(), ref.attributeIndex));
                    }
                    return guruxCall(what, () -> client.readList(entries));
                }, what, replyLimit)
                .thenCompose(replies -> {
                    List<Object> values = new ArrayList<>(chunk.size());
                    boolean anyError = false;
                    for (GXReplyData reply : replies) {
                        anyError |= reply.getError() != 0;
                        if (reply.getValue() instanceof List<?> list) {
                            values.addAll(list);
                        }
                    }
                    if (!anyError && values.size() == chunk.size()) {
                        List<Outcome> out = new ArrayList<>(chunk.size());
                        for (Object value : values) {
                            out.add(new Outcome(value, 0));
                        }
                        return CompletableFuture.completedFuture(out);
                    }
                    // Gurux drops failed items from a list reply, so which one failed is unknown: ask one by one.
                    return readSingly(x, chunk, replyLimit);
                })
                .exceptionallyCompose(e -> {
                    Throwable cause = unwrap(e);
                    if (cause instanceof DlmsProtocolException p && !p.isConnectionLost()) {
                        log.info("[{}] meter refuses GET-with-list ({}); reading attributes one by one", meter,
                                p.getMessage());
                        getWithListRefused = true;
                        return readSingly(x, chunk, replyLimit);
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    private CompletableFuture<List<Outcome>> readSingly(Exchanges x, List<AttributeRef> refs, int replyLimit) {
        List<Outcome> out = new ArrayList<>(refs.size());
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (AttributeRef ref : refs) {
            chain = chain.thenCompose(v -> {
                String what = "GET " + ref;
                return x.exchange(() -> guruxCall(what, () -> client.read(ref.obis.toString(), ref.objectType(),
                        ref.attributeIndex)), what, replyLimit);
            }).thenAccept(replies -> {
                GXReplyData reply = replies.get(replies.size() - 1);
                out.add(new Outcome(reply.getError() == 0 ? reply.getValue() : null, reply.getError()));
            });
        }
        return chain.thenApply(v -> out);
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /** Test hook: tells {@code listener} of every operation and exchange of this association, on the event loop. */
    void exchangeListener(Consumer<ExchangeScheduler.Event> listener) {
        scheduler.listener(listener);
    }

    @FunctionalInterface
    private interface GuruxCall<T> {
        T call() throws Exception;
    }

    /** Calls Gurux, turning its exceptions into ours: AARE rejections keep their result and diagnostic. */
    private <T> T guruxCall(String what, GuruxCall<T> call) {
        try {
            return call.call();
        } catch (DlmsException e) {
            throw e;
        } catch (GXDLMSException e) {
            if (e.getResult() != null && e.getResult() != gurux.dlms.enums.AssociationResult.ACCEPTED) {
                // Gurux puts result and diagnostic texts on separate lines; a log line must stay one line
                String diagnostic = e.getMessage() == null ? null
                        : e.getMessage().strip().replaceAll("\\s*\\R+\\s*", "; ");
                throw new AssociationRejectedException(meter, String.valueOf(e.getResult()), diagnostic, e);
            }
            throw new DlmsProtocolException(meter, what + " failed: " + e.getMessage(), e, true);
        } catch (Exception e) {
            throw new DlmsProtocolException(meter, what + " failed: " + e, e, true);
        }
    }

    /**
     * A meter must keep its APDUs within the PDU size we proposed; ciphering adds a few bytes around it. Anything
     * longer is a broken or hostile peer, refused before a byte of it is buffered.
     */
    private static int wrapperApduLimit(int maxPduSize) {
        return Math.min(WrapperFrameDecoder.DEFAULT_MAX_APDU_LENGTH, maxPduSize + 64);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static DlmsException connectFailure(String meter, InetSocketAddress address, DlmsClientSettings s,
            Throwable cause) {
        String target = address.getHostString() + ":" + address.getPort();
        if (cause instanceof ConnectTimeoutException) {
            return new DlmsConnectionException(meter, "no TCP connection to " + target + " within "
                    + s.connectTimeout().toMillis() + " ms", cause);
        }
        if (cause instanceof ConnectException) {
            return new DlmsConnectionException(meter, "connection refused by " + target
                    + " (nothing listens on that port)", cause);
        }
        if (address.isUnresolved() || cause instanceof java.net.UnknownHostException
                || cause instanceof java.nio.channels.UnresolvedAddressException) {
            return new DlmsConnectionException(meter, "cannot connect to " + target + ": the host name "
                    + address.getHostString() + " does not resolve (check the name and this machine's DNS)", cause);
        }
        return new DlmsConnectionException(meter, "cannot connect to " + target + ": " + cause.getMessage(), cause);
    }

    private record AttributeRef(ObisCode obis, int classId, int attributeIndex) {
        ObjectType objectType() {
            ObjectType type = ObjectType.forValue(classId);
            if (type == null) {
                throw new IllegalArgumentException("COSEM class " + classId + " is not supported");
            }
            return type;
        }

        GXDLMSObject toGuruxObject() {
            GXDLMSObject object = GXDLMSClient.createObject(objectType());
            object.setLogicalName(obis.toString());
            return object;
        }

        @Override
        public String toString() {
            return obis + " class " + classId + " attribute " + attributeIndex;
        }
    }

    private record Outcome(Object value, int error) {
    }

    /**
     * The scaler_unit of every register read on this association, kept for as long as it lasts: a meter's few
     * registers, so two small arrays searched in turn (the measurements' own {@link ObisCode}s, so usually found by
     * identity) instead of a {@code HashMap} of records, which took ~350 bytes per meter for four registers. Each
     * entry packs the int8 scaler and the enum unit into one int.
     */
    private static final class ScalerUnits {

        static final int ABSENT = Integer.MIN_VALUE;
        private static final ObisCode[] NONE = new ObisCode[0];

        private ObisCode[] registers = NONE;
        private int[] scalerUnits;
        private int size;

        static int scaler(int scalerUnit) {
            return (byte) (scalerUnit >> 8);
        }

        static int unit(int scalerUnit) {
            return scalerUnit & 0xFF;
        }

        boolean contains(ObisCode obis) {
            return indexOf(obis) >= 0;
        }

        /** The packed scaler_unit of the register, or {@link #ABSENT}. */
        int get(ObisCode obis) {
            int i = indexOf(obis);
            return i < 0 ? ABSENT : scalerUnits[i];
        }

        /** Parses and keeps a scaler_unit {int8 scaler, enum unit}; fails on anything else. */
        void put(String meter, ObisCode obis, Object value) {
            // exactLong, not byteValue(): Gurux's GXUInt64 throws when narrowed, and a meter may send any type
            Long s = value instanceof List<?> list && list.size() == 2 ? CosemValues.exactLong(list.get(0)) : null;
            Long u = s != null ? CosemValues.exactLong(((List<?>) value).get(1)) : null;
            if (s == null || u == null) {
                throw new DlmsProtocolException(meter, "scaler_unit of " + obis + " is not {int8, enum}: " + value,
                        null, false);
            }
            int packed = (s.byteValue() & 0xFF) << 8 | (u.intValue() & 0xFF);
            int i = indexOf(obis);
            if (i < 0) {
                if (size == registers.length) {
                    int capacity = Math.max(4, size * 2);
                    registers = Arrays.copyOf(registers, capacity);
                    scalerUnits = scalerUnits == null ? new int[capacity] : Arrays.copyOf(scalerUnits, capacity);
                }
                i = size++;
                registers[i] = obis;
            }
            scalerUnits[i] = packed;
        }

        private int indexOf(ObisCode obis) {
            for (int i = 0; i < size; i++) {
                if (registers[i] == obis) {
                    return i;
                }
            }
            for (int i = 0; i < size; i++) {
                if (registers[i].equals(obis)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
