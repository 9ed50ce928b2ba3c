package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.frame.FramingCounters;
import io.dlmsgateway.dlms.frame.HdlcFrame;
import io.dlmsgateway.dlms.frame.HdlcFrameDecoder;
import io.dlmsgateway.dlms.frame.WrapperFrameDecoder;
import io.dlmsgateway.fleet.internal.PushConnectionHandler;
import io.dlmsgateway.fleet.internal.PushCounters;
import io.dlmsgateway.fleet.internal.PushQueue;
import io.dlmsgateway.fleet.internal.PushSources;
import io.dlmsgateway.fleet.internal.PushWarnings;
import io.dlmsgateway.resources.GatewayResources;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Listens on one TCP port for meter-initiated connections and decodes what the meters push: DataNotification and
 * EventNotificationRequest, plain or general-glo-ciphered, over WRAPPER or HDLC. Thousands of connections share the
 * event loops of the {@link GatewayResources} it is given; a peer that sends garbage, floods, stalls or is not known
 * is logged with its address, counted and closed without touching the others.
 *
 * <pre>{@code
 * PushListener listener = PushListener.bind(PushListenerOptions.of("0.0.0.0", 4059), sources, resources).block();
 * listener.notifications().subscribe(n -> System.out.println(n.device() + " " + n.body()));
 * }</pre>
 *
 * <p>Which device a notification came from is decided per notification, in this order: the system title of a
 * ciphered notification ({@link PushMatch.Kind#SYSTEM_TITLE}), the WRAPPER source wPort or HDLC source address, the
 * peer's IP address, the logical device name the body carries first. A ciphered notification is deciphered with the
 * keys of the source its system title names, else of the source its link address or peer address names, else of the
 * source the connection's previous notification matched.
 */
public final class PushListener {

    /** How often the rejections counted instead of logged are summed up in one WARN line per reason. */
    static final Duration WARNING_PERIOD = Duration.ofMinutes(1);
    private static final int WRAPPER_HEADER = 8;

    private final PushListenerOptions options;
    private final Channel server;
    private final ChannelGroup connections;
    private final PushQueue<PushNotification> queue;
    private final PushCounters counters;
    private final PushWarnings warnings;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PushListener(PushListenerOptions options, Channel server, ChannelGroup connections,
            PushQueue<PushNotification> queue, PushCounters counters, PushWarnings warnings) {
        this.options = options;
        this.server = server;
        this.connections = connections;
        this.queue = queue;
        this.counters = counters;
        this.warnings = warnings;
    }

    /**
     * Binds the port and starts accepting.
     *
     * @param sources the meters accepted; a notification no source matches is counted and its connection closed
     * @return the listener once bound; an error when the port cannot be bound or two sources match the same thing
     */
    public static Mono<PushListener> bind(PushListenerOptions options, List<PushSource> sources,
            GatewayResources resources) {
        return Mono.defer(() -> {
            PushSources index = new PushSources(sources);
            PushQueue<PushNotification> queue = new PushQueue<>(options.bufferSize());
            PushCounters counters = new PushCounters();
            PushWarnings warnings = new PushWarnings(WARNING_PERIOD);
            ChannelGroup connections = new DefaultChannelGroup("push", resources.nextEventLoop());
            ChannelHandler byteCounter = new ByteCounter(counters);
            int maxApdu = options.framing() == Framing.WRAPPER
                    ? Math.min(WrapperFrameDecoder.DEFAULT_MAX_APDU_LENGTH, options.maxFrameBytes() - WRAPPER_HEADER)
                    : options.maxFrameBytes();
            long idleMillis = options.idleTimeout().toMillis();
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(resources.eventLoops(), resources.eventLoops())
                    .channel(SocketTransport.serverSocketChannel(resources.eventLoops()))
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            counters.opened();
                            ch.closeFuture().addListener(f -> counters.closed());
                            if (counters.openNow() > options.maxConnections()) {
                                counters.refusedOne();
                                warnings.rejected("too many connections", ch.remoteAddress(),
                                        options.maxConnections() + " open already");
                                ch.close();
                                return;
                            }
                            connections.add(ch);
                            FramingCounters hdlc = options.framing() == Framing.HDLC ? new FramingCounters() : null;
                            ch.pipeline().addLast(new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                    .addLast(byteCounter)
                                    .addLast(options.framing() == Framing.WRAPPER ? new WrapperFrameDecoder(maxApdu)
                                            : new HdlcFrameDecoder(hdlc, Math.min(HdlcFrame.MAX_FRAME_LENGTH,
                                                    Math.max(16, options.maxFrameBytes()))))
                                    .addLast(new PushConnectionHandler(options.framing(), maxApdu, index, queue,
                                            counters, warnings, hdlc, Clock.systemUTC()));
                        }
                    });
            ChannelFuture bound = bootstrap.bind(options.host(), options.port());
            return Mono.<PushListener>create(sink -> bound.addListener(f -> {
                if (f.isSuccess()) {
                    warnings.start(bound.channel().eventLoop());
                    sink.success(new PushListener(options, bound.channel(), connections, queue, counters, warnings));
                } else {
                    sink.error(new java.io.IOException("push listener cannot listen on " + options.host() + ":"
                            + options.port() + ": " + f.cause().getMessage(), f.cause()));
                }
            }));
        });
    }

    /**
     * Every notification decoded and matched, in arrival order per connection. One subscriber; while it does not keep
     * up, up to {@link PushListenerOptions#bufferSize()} wait and then the sockets stop being read. Completes when the
     * listener is closed.
     */
    public Flux<PushNotification> notifications() {
        return queue.flux();
    }

    /** The address bound (the port chosen when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The options it listens with. */
    public PushListenerOptions options() {
        return options;
    }

    /** The counters now. */
    public PushStatistics statistics() {
        return counters.snapshot();
    }

    /** Stops accepting, closes every connection, completes {@link #notifications()} after what was decoded. */
    public Mono<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return Mono.empty();
        }
        return Mono.create(sink -> server.close().addListener(s -> connections.close().addListener(c -> {
            warnings.stop();
            queue.complete();
            sink.success();
        })));
    }

    /** Counts every byte read, before the frame decoder consumes them. */
    @ChannelHandler.Sharable
    private static final class ByteCounter extends ChannelInboundHandlerAdapter {
        private final PushCounters counters;

        ByteCounter(PushCounters counters) {
            this.counters = counters;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                counters.bytesRead(b.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            counters.acceptedOne();
            ctx.fireChannelActive();
        }
    }
}
