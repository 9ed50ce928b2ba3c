package io.dlmsgateway.bench.target;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.client.DlmsConnection;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.fleet.FleetOptions;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Load target {@code floor}: what the sockets alone cost. The same request and reply bytes as the {@code fleet}
 * target, over the same number of TCP connections, on the same kind and number of Netty event loops (epoll on Linux
 * through {@link SocketTransport}, as many threads as {@link FleetOptions}' default), on the same grid with the same
 * 10 ms schedule resolution, but with no DLMS client, no Gurux, no Reactor, no spool and no MQTT on the poll path.
 *
 * <p>At start-up one real {@link DlmsConnection}, with the settings the fleet derives from the same
 * {@link Meter} (its {@code client()} settings), associates with meter 0 and polls it three times
 * while a handler at the front of its pipeline records every byte written and read. From that capture the target
 * takes the AARQ and the steady-state poll request (the second poll's GET-with-list of the four registers; the first
 * also asks for their scaler_unit, as the fleet's first poll does) and checks that the third poll sent the very same
 * bytes. Then that connection is closed and every meter gets a plain channel whose only handler replays the AARQ
 * once per connection and, at each slot, writes the captured request and counts the reply by the wrapper header's
 * length field ({@link WrapperReplyCounter}); the reply's first APDU byte tells an AARE ({@code 0x61}) from a
 * GET-Response ({@code 0xC4}), nothing is parsed.
 *
 * <p>WRAPPER only: over HDLC every I-frame carries the send and receive sequence numbers and a checksum over them,
 * so one pre-encoded request is not the bytes a real client sends at the next poll. Likewise with HIGH_GMAC (the
 * invocation counter changes every request); the bench's workload has no authentication.
 */
@Command(name = "floor-target", mixinStandardHelpOptions = true)
public final class FloorTarget implements LoadWorkload, Callable<Integer> {

    /** APDU tag of an AARE. */
    static final int AARE = 0x61;
    /** APDU tag of a GET-Response. */
    static final int GET_RESPONSE = 0xC4;
    /** As the fleet's default ({@code FleetOptions.DEFAULT_MAX_CONCURRENT_CONNECTS}). */
    private static final int MAX_CONCURRENT_CONNECTS = FleetOptions.DEFAULT_MAX_CONCURRENT_CONNECTS;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final long RECONNECT_DELAY_MILLIS = 1_000;
    private static final long CAPTURE_TIMEOUT_SECONDS = 30;

    @Mixin
    TargetOptions options;

    private final FleetOptions fleetOptions = FleetTarget.withResolutionProperty(FleetOptions.builder()).build();
    private final LongAdder failures = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder missed = new LongAdder();
    private final LongAdder unexpectedLength = new LongAdder();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger connecting = new AtomicInteger();
    private final Queue<RawMeter> waiting = new ConcurrentLinkedQueue<>();

    private volatile boolean stopping;
    private EventLoopGroup group;
    private Bootstrap bootstrap;
    private Capture capture;
    private ByteBuf aarq;
    private ByteBuf request;
    private ScheduleGrid grid;
    private PollRecorder recorder;
    private long resolutionMillis;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new FloorTarget()).setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (options.framing != Framing.WRAPPER) {
            System.err.println("[floor] WRAPPER only: over " + options.framing + " every frame carries sequence"
                    + " numbers, so a pre-encoded request is not what a real client sends");
            return 1;
        }
        return TargetLifecycle.run(options, this);
    }

    // ---- schedule arithmetic, as the fleet's MeterSession does it -------------------------------------------------

    /** When a poll due at {@code dueMillis} wakes: rounded up to the resolution, as {@code MeterSession} does. */
    static long wakeMillis(long dueMillis, long resolutionMillis) {
        return resolutionMillis <= 1 ? dueMillis
                : Math.floorDiv(dueMillis + resolutionMillis - 1, resolutionMillis) * resolutionMillis;
    }

    /**
     * The slot a poll starting at {@code nowMillis} serves: {@code dueMillis}, or, when a whole interval or more has
     * passed since, the latest slot not after now (the ones in between are missed, as in {@code MeterSession}).
     */
    static long slotServed(long dueMillis, long nowMillis, long periodMillis) {
        if (nowMillis - dueMillis >= periodMillis) {
            return dueMillis + (nowMillis - dueMillis) / periodMillis * periodMillis;
        }
        return dueMillis;
    }

    // ---- workload ---------------------------------------------------------------------------------------------

    @Override
    public void start(ScheduleGrid grid, PollRecorder recorder) throws Exception {
        this.grid = grid;
        this.recorder = recorder;
        this.resolutionMillis = fleetOptions.scheduleResolution().toMillis();
        List<Meter> devices = FleetTarget.devices(options);
        group = SocketTransport.newEventLoopGroup(fleetOptions.eventLoopThreads(),
                new DefaultThreadFactory("floor-meters", true));
        capture = Capture.take(group, devices.get(0));
        System.err.println("[floor] " + capture.describe());
        aarq = Unpooled.unreleasableBuffer(Unpooled.directBuffer(capture.aarq.length).writeBytes(capture.aarq));
        request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(capture.request.length)
                .writeBytes(capture.request));
        // the fleet's connector options: TCP_NODELAY, keep-alive, Netty's pooled allocator
        bootstrap = SocketTransport.clientBootstrap(group)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
        for (int i = 0; i < devices.size(); i++) {
            Meter d = devices.get(i);
            // meter i on the i-th event loop in turn, as MeterFleet hands them out with group.next()
            waiting.add(new RawMeter(i, new InetSocketAddress(d.host(), d.port()), group.next()));
        }
        connectSome();
    }

    /** Starts connects from the queue while fewer than the fleet's cap are under way. */
    private void connectSome() {
        while (!stopping) {
            int now = connecting.get();
            if (now >= MAX_CONCURRENT_CONNECTS) {
                return;
            }
            if (!connecting.compareAndSet(now, now + 1)) {
                continue;
            }
            RawMeter m = waiting.poll();
            if (m == null) {
                connecting.decrementAndGet();
                return;
            }
            m.connect();
        }
    }

    private void connectDone() {
        connecting.decrementAndGet();
        connectSome();
    }

    @Override
    public Counters counters() {
        return new Counters(failures.sum(), connectFailures.sum(), missed.sum(), 0);
    }

    @Override
    public int connected() {
        return connected.get();
    }

    @Override
    public String notes() {
        String notes = String.format(Locale.ROOT, "raw Netty channels (%d %s event-loop threads, connect cap"
                        + " %d, schedule resolution %d ms), no DLMS client, Gurux only at start-up; %s",
                fleetOptions.eventLoopThreads(), SocketTransport.name(group), MAX_CONCURRENT_CONNECTS,
                resolutionMillis, capture.describe());
        long odd = unexpectedLength.sum();
        if (odd > 0) {
            notes += "; " + odd + " replies of another length than the captured one";
        }
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider metrics) {
            notes += String.format(Locale.ROOT, "; Netty pooled direct memory %d MiB",
                    metrics.metric().usedDirectMemory() >> 20);
        }
        return notes;
    }

    @Override
    public void stop() {
        stopping = true;
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    // ---- one meter --------------------------------------------------------------------------------------------

    private enum State { CONNECTING, ASSOCIATING, IDLE, POLLING }

    /**
     * One meter's connection and schedule. Lives on one event loop (its connect, its channel and its timers), so
     * its fields need no synchronisation. Sharable because it is added to each new channel of the same meter after
     * a reconnect, never to two pipelines at once.
     */
    @ChannelHandler.Sharable
    private final class RawMeter extends ChannelInboundHandlerAdapter {

        private final int index;
        private final InetSocketAddress address;
        private final EventLoop loop;
        private final long period;
        private WrapperReplyCounter counter;
        private State state = State.CONNECTING;
        private long nextSlot;
        private long slot;
        private long startMillis;
        private long startNanos;

        RawMeter(int index, InetSocketAddress address, EventLoop loop) {
            this.index = index;
            this.address = address;
            this.loop = loop;
            this.period = grid.intervalMillis();
            this.nextSlot = grid.firstSlot(index);
        }

        void connect() {
            state = State.CONNECTING;
            counter = new WrapperReplyCounter();
            ChannelFuture f = bootstrap.clone(loop).handler(this).connect(address);
            f.addListener((ChannelFuture done) -> {
                if (!done.isSuccess()) {
                    connectFailures.increment();
                    connectDone();
                    retryLater();
                }
            });
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            state = State.ASSOCIATING;
            ctx.writeAndFlush(aarq.duplicate());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof ByteBuf in)) {
                    return;
                }
                int frames = counter.feed(in);
                if (frames == 0) {
                    return;
                }
                if (frames != 1 || counter.midFrame()) {
                    // one request, one reply: anything else means the stream is not what the capture said
                    protocolError(ctx);
                    return;
                }
                if (state == State.ASSOCIATING && counter.lastTag() == AARE) {
                    state = State.IDLE;
                    connected.incrementAndGet();
                    connectDone();
                    scheduleNext(ctx);
                } else if (state == State.POLLING && counter.lastTag() == GET_RESPONSE) {
                    long latency = System.nanoTime() - startNanos;
                    state = State.IDLE;
                    if (counter.lastApduLength() != capture.replyApduLength) {
                        unexpectedLength.increment();
                    }
                    recorder.pollDone(slot, startMillis, latency, capture.values);
                    scheduleNext(ctx);
                } else {
                    protocolError(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void protocolError(ChannelHandlerContext ctx) {
            if (state == State.POLLING) {
                failures.increment();
            }
            ctx.close();
        }

        private void scheduleNext(ChannelHandlerContext ctx) {
            long delay = wakeMillis(nextSlot, resolutionMillis) - System.currentTimeMillis();
            if (delay <= 0) {
                poll(ctx);
            } else {
                loop.schedule(() -> poll(ctx), delay, TimeUnit.MILLISECONDS);
            }
        }

        private void poll(ChannelHandlerContext ctx) {
            if (state != State.IDLE || !ctx.channel().isActive()) {
                return;
            }
            long now = System.currentTimeMillis();
            slot = slotServed(nextSlot, now, period);
            if (slot != nextSlot) {
                missed.add((slot - nextSlot) / period);
            }
            nextSlot = slot + period;
            state = State.POLLING;
            startMillis = now;
            startNanos = System.nanoTime();
            ctx.writeAndFlush(request.duplicate());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            switch (state) {
                case ASSOCIATING -> {
                    connectFailures.increment();
                    connectDone();
                }
                case POLLING -> {
                    failures.increment();
                    connected.decrementAndGet();
                }
                case IDLE -> connected.decrementAndGet();
                default -> {
                }
            }
            state = State.CONNECTING;
            retryLater();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private void retryLater() {
            if (stopping) {
                return;
            }
            loop.schedule(() -> {
                waiting.add(this);
                connectSome();
            }, RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    // ---- the start-up capture ---------------------------------------------------------------------------------

    /**
     * The bytes a real {@link DlmsConnection} exchanged with one meter: its AARQ, the steady-state poll request and
     * the lengths of their replies.
     */
    static final class Capture {

        final byte[] aarq;
        final byte[] request;
        final int aareApduLength;
        final int replyApduLength;
        final int values;

        Capture(byte[] aarq, byte[] request, int aareApduLength, int replyApduLength, int values) {
            this.aarq = aarq;
            this.request = request;
            this.aareApduLength = aareApduLength;
            this.replyApduLength = replyApduLength;
            this.values = values;
        }

        String describe() {
            return String.format(Locale.ROOT, "AARQ %d B (AARE %d B) and GET-with-list %d B (reply %d B, %d values)"
                            + " captured from a DlmsConnection to meter 0 at start-up; request %s",
                    aarq.length, WrapperReplyCounter.HEADER_LENGTH + aareApduLength, request.length,
                    WrapperReplyCounter.HEADER_LENGTH + replyApduLength, values, HexFormat.of().formatHex(request));
        }

        /**
         * Associates with the device over a real {@link DlmsConnection} on {@code group}, reads its measurements
         * three times, closes, and returns what went over the wire.
         */
        static Capture take(EventLoopGroup group, Meter device) throws Exception {
            Recorder recorder = new Recorder();
            ReflectiveChannelFactory<? extends SocketChannel> channels =
                    new ReflectiveChannelFactory<>(SocketTransport.socketChannel(group));
            Bootstrap b = new Bootstrap()
                    .group(group)
                    .channelFactory((io.netty.channel.ChannelFactory<SocketChannel>) () -> {
                        SocketChannel ch = channels.newChannel();
                        // first in the pipeline: sees the bytes as they leave and arrive, before any decoder
                        ch.pipeline().addFirst("capture", recorder);
                        return ch;
                    })
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
            DlmsConnection c = DlmsConnection.open(b, new InetSocketAddress(device.host(), device.port()),
                    device.client(), device.name())
                    .get(CAPTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            int values;
            List<byte[]> out;
            byte[] in;
            try {
                if (!c.usesGetWithList()) {
                    throw new IllegalStateException("meter 0 did not negotiate GET-with-list (MULTIPLE_REFERENCES)");
                }
                values = -1;
                for (int poll = 0; poll < 3; poll++) {
                    ReadResult r = c.read(device.measurements()).get(CAPTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (!r.refusals().isEmpty() || r.values().size() != device.measurements().size()) {
                        throw new IllegalStateException("capture poll " + poll + " of meter 0 read " + r.values()
                                + " with refusals " + r.refusals());
                    }
                    values = r.values().size();
                }
                out = recorder.written();
                in = recorder.read();
            } finally {
                c.close();
            }
            return of(out, in, values);
        }

        /** Picks the AARQ and the steady-state request out of a capture of an association and three polls. */
        static Capture of(List<byte[]> written, byte[] read, int values) {
            if (written.size() != 4) {
                throw new IllegalStateException("expected AARQ and three poll requests, captured " + written.size()
                        + " writes");
            }
            byte[] second = written.get(2);
            byte[] third = written.get(3);
            if (!Arrays.equals(second, third)) {
                throw new IllegalStateException("the poll request changes from poll to poll (" + hex(second)
                        + " then " + hex(third) + "): one pre-encoded request would not be what the fleet sends");
            }
            List<byte[]> replies = WrapperReplyCounter.frames(read);
            if (replies.size() != 4) {
                throw new IllegalStateException("expected AARE and three poll replies, captured " + replies.size()
                        + " frames");
            }
            if ((replies.get(0)[WrapperReplyCounter.HEADER_LENGTH] & 0xFF) != AARE
                    || (replies.get(2)[WrapperReplyCounter.HEADER_LENGTH] & 0xFF) != GET_RESPONSE) {
                throw new IllegalStateException("captured replies are not AARE and GET-Response: "
                        + hex(replies.get(0)) + ", " + hex(replies.get(2)));
            }
            return new Capture(written.get(0), second, replies.get(0).length - WrapperReplyCounter.HEADER_LENGTH,
                    replies.get(2).length - WrapperReplyCounter.HEADER_LENGTH, values);
        }

        private static String hex(byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
    }

    /** Records every byte written to and read from the channel it sits in, passing everything on unchanged. */
    static final class Recorder extends ChannelDuplexHandler {

        private final List<byte[]> written = new ArrayList<>();
        private final ByteArrayOutputStream read = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                synchronized (this) {
                    read.writeBytes(ByteBufUtil.getBytes(buf));
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf) {
                synchronized (this) {
                    written.add(ByteBufUtil.getBytes(buf));
                }
            }
            ctx.write(msg, promise);
        }

        synchronized List<byte[]> written() {
            return List.copyOf(written);
        }

        synchronized byte[] read() {
            return read.toByteArray();
        }
    }
}
