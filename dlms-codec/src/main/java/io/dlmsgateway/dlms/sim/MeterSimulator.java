package io.dlmsgateway.dlms.sim;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.frame.FramingCounters;
import io.dlmsgateway.dlms.frame.HdlcFrameDecoder;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many simulated DLMS/COSEM meters in one process, each listening on its own TCP port and speaking logical-name
 * referencing over WRAPPER or HDLC, as a real meter behind a TCP modem would.
 *
 * <pre>{@code
 * try (MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder()
 *         .basePort(0).meterCount(3).framing(Framing.HDLC).build())) {
 *     InetSocketAddress meter0 = sim.addresses().get(0);
 *     int serverAddress = sim.addressing().serverAddress(0);
 *     sim.meter(1).fault(MeterFault.STOP_ANSWERING);
 * }
 * }</pre>
 *
 * <p>All meters share one accepting thread and a few serving threads. Each meter serves the registers of
 * {@link io.dlmsgateway.dlms.MeasurementCatalog#standard()} with the values of {@link SimulatedMeasurements}, a clock,
 * its association and logical device name. See {@link MeterAddressing} for the addresses and secrets.
 */
public final class MeterSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeterSimulator.class);
    private static final AttributeKey<SimulatedMeter> METER = AttributeKey.valueOf(MeterSimulator.class, "meter");
    /** Ciphered APDUs carry a tag, a length, the security header and the GMAC tag around the plain APDU. */
    private static final int MAX_CIPHERING_OVERHEAD = 64;

    private final SimulatorOptions options;
    private final MeterAddressing addressing;
    private final List<SimulatedMeter> meters;
    private volatile List<InetSocketAddress> addresses = List.of();
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final boolean ownsGroups;
    private final ChannelGroup channels;
    /** Shared by every meter's HDLC decoder: dropped frames and skipped bytes, simulator-wide. */
    private final FramingCounters framingCounters = new FramingCounters();
    private volatile boolean closed;
    private final List<MeterPushes> pushing = new java.util.concurrent.CopyOnWriteArrayList<>();

    private MeterSimulator(SimulatorOptions options, List<SimulatedMeter> meters, EventLoopGroup acceptGroup,
            EventLoopGroup ioGroup, boolean ownsGroups, ChannelGroup channels, MeterAddressing addressing) {
        this.options = options;
        this.meters = meters;
        this.acceptGroup = acceptGroup;
        this.ioGroup = ioGroup;
        this.ownsGroups = ownsGroups;
        this.channels = channels;
        this.addressing = addressing;
    }

    /**
     * Starts the meters and returns once every one listens. Blocks the caller while binding, so do not call it from
     * an event loop.
     *
     * @throws IOException when a port cannot be bound (in use, or the process is out of file descriptors); nothing is
     *                     left running then
     */
    public static MeterSimulator start(SimulatorOptions options) throws IOException {
        MeterAddressing addressing = new MeterAddressing(options);
        boolean owns = options.eventLoopGroup() == null;
        EventLoopGroup acceptGroup = owns
                ? SocketTransport.newEventLoopGroup(1, new DefaultThreadFactory("dlms-sim-accept", true))
                : options.eventLoopGroup();
        EventLoopGroup ioGroup = owns
                ? SocketTransport.newEventLoopGroup(options.workerThreads(),
                        new DefaultThreadFactory("dlms-sim-io", true))
                : options.eventLoopGroup();
        ChannelGroup channels = new DefaultChannelGroup("dlms-sim", GlobalEventExecutor.INSTANCE);
        List<SimulatedMeter> meters = new ArrayList<>(options.meterCount());
        for (int i = 0; i < options.meterCount(); i++) {
            meters.add(new SimulatedMeter(i, options.latency(), options.clock(), options.clockOffset()));
        }
        MeterSimulator sim = new MeterSimulator(options, Collections.unmodifiableList(meters), acceptGroup, ioGroup,
                owns, channels, addressing);
        try {
            sim.bindAll();
            return sim;
        } catch (IOException | RuntimeException e) {
            sim.close();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sim.close();
            throw new IOException("interrupted while binding the meters' ports", e);
        }
    }

    private void bindAll() throws IOException, InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(SocketTransport.serverSocketChannel(ioGroup))
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        SimulatedMeter meter = ch.parent().attr(METER).get();
                        ChannelPipeline p = ch.pipeline();
                        long idle = options.inactivityTimeout().toMillis();
                        if (idle > 0) {
                            p.addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
                        }
                        // Gurux's server drops whatever follows the first complete frame of a buffer: hand it
                        // one whole frame at a time
                        p.addLast(options.framing() == Framing.WRAPPER
                                ? new WrapperFrameDecoder(options.maxPduSize() + MAX_CIPHERING_OVERHEAD)
                                : new HdlcFrameDecoder(framingCounters));
                        p.addLast(new MeterConnectionHandler(meter, options, addressing));
                    }
                });
        // bind in slices so thousands of pending futures do not pile up at once
        List<ChannelFuture> pending = new ArrayList<>();
        List<InetSocketAddress> bound = new ArrayList<>(meters.size());
        final int slice = 512;
        for (int start = 0; start < meters.size(); start += slice) {
            pending.clear();
            int end = Math.min(meters.size(), start + slice);
            for (int i = start; i < end; i++) {
                int port = options.basePort() == 0 ? 0 : options.basePort() + i;
                pending.add(bootstrap.clone().attr(METER, meters.get(i)).bind(options.host(), port));
            }
            for (int i = start; i < end; i++) {
                ChannelFuture f = pending.get(i - start).await();
                if (!f.isSuccess()) {
                    throw bindFailure(i, options.basePort() == 0 ? 0 : options.basePort() + i, f.cause());
                }
                Channel ch = f.channel();
                channels.add(ch);
                InetSocketAddress a = (InetSocketAddress) ch.localAddress();
                meters.get(i).address(a);
                bound.add(a);
            }
        }
        addresses = Collections.unmodifiableList(bound);
        LOG.debug("{} simulated meters listening ({})", meters.size(), options.framing());
    }

    private IOException bindFailure(int meterIndex, int port, Throwable cause) {
        String detail = String.valueOf(cause.getMessage());
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("Too many open files")) {
                detail = "Too many open files: each meter needs one file descriptor to listen, plus one per "
                        + "connection; raise the limit (ulimit -n) above the meter count";
                break;
            }
        }
        return new IOException("cannot listen for meter " + meterIndex + " on " + options.host() + ":" + port
                + ": " + detail, cause);
    }

    /** The options it runs with. */
    public SimulatorOptions options() {
        return options;
    }

    /** How clients reach and associate with the meters. */
    public MeterAddressing addressing() {
        return addressing;
    }

    /** The address each meter listens on, by meter index (useful with ephemeral ports). */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /** Number of meters. */
    /** HDLC frames dropped for bad checksums and bytes skipped before a flag, over all meters. */
    public FramingCounters framingCounters() {
        return framingCounters;
    }

    public int meterCount() {
        return meters.size();
    }

    /** Meter {@code index}, 0-based, whose knobs (latency, fault) apply at run time. */
    public SimulatedMeter meter(int index) {
        return meters.get(index);
    }

    /**
     * Tells {@code listener} of every reply carrying register values any meter writes from now on; replaces the
     * previous listener ({@link ReadingServedListener#NONE} to stop).
     */
    public void onReadingServed(ReadingServedListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        meters.forEach(m -> m.servedListener(listener));
    }

    /**
     * Makes every meter connect to {@code push.target()} and push DataNotifications there (see {@link MeterPushes});
     * {@code sent} is told of each one written. Returns at once; close the result (or the simulator) to stop.
     */
    public MeterPushes startPushing(PushOptions push, NotificationSentListener sent) {
        java.util.Objects.requireNonNull(push, "push");
        java.util.Objects.requireNonNull(sent, "sent");
        MeterPushes pushes = new MeterPushes(push, options, addressing, meters, ioGroup, sent);
        pushing.add(pushes);
        return pushes;
    }

    /** All meters, by index. */
    public List<SimulatedMeter> meters() {
        return meters;
    }

    /**
     * Stops listening, closes every connection and, unless the event loops were handed in, shuts them down. Blocks
     * until done; idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pushing.forEach(MeterPushes::close);
        channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        if (ownsGroups) {
            var a = acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            var b = ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            a.awaitUninterruptibly(5, TimeUnit.SECONDS);
            b.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
