package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.enums.Command;
import gurux.dlms.enums.DataType;
import gurux.dlms.enums.Security;
import gurux.dlms.internal.GXCommon;
import gurux.dlms.objects.enums.SecuritySuite;
import gurux.dlms.secure.AesGcmParameter;
import gurux.dlms.secure.GXCiphering;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.frame.HdlcFrame;
import io.dlmsgateway.dlms.frame.HdlcFrameEncoder;
import io.dlmsgateway.dlms.frame.WrapperFrame;
import io.dlmsgateway.dlms.frame.WrapperFrameEncoder;
import io.dlmsgateway.resources.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated meters pushing DataNotifications to one listener, as meters with a Push setup object
 * (0.0.25.9.0.255, class 40) whose push object list is {logical device name, clock, active energy, voltage L1} do.
 * Every meter keeps one TCP connection to the target, sends a notification as soon as it is connected and then every
 * interval, and reconnects with a doubling backoff (0.2 s up to 30 s, ±25 % jitter) when the connection drops or cannot
 * be made. Everything runs on the simulator's serving event loops. Made by {@link MeterSimulator#startPushing}.
 *
 * <p>On the wire: WRAPPER from wPort {@value MeterAddressing#SERVER_WPORT} (the meter's logical device) to wPort
 * {@value MeterAddressing#PUBLIC_CLIENT}; HDLC as UI frames (control 0x13) from the meter's server address to client
 * address {@value MeterAddressing#PUBLIC_CLIENT}, with the LLC header E6 E7 00, in segments above
 * {@link PushOptions#maxInformationLength()}. The body is encoded by Gurux ({@code GXCommon.setData}) and ciphered by
 * Gurux ({@code GXCiphering}), so a listener is checked against an implementation other than its own.
 */
public final class MeterPushes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeterPushes.class);
    private static final long FIRST_BACKOFF_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final int HDLC_UI = 0x13;
    private static final byte[] LLC_RESPONSE = {(byte) 0xE6, (byte) 0xE7, 0x00};

    private final PushOptions push;
    private final SimulatorOptions options;
    private final MeterAddressing addressing;
    private final NotificationSentListener listener;
    private final Bootstrap bootstrap;
    private final List<Pusher> pushers = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private volatile boolean closed;

    MeterPushes(PushOptions push, SimulatorOptions options, MeterAddressing addressing, List<SimulatedMeter> meters,
            EventLoopGroup group, NotificationSentListener listener) {
        this.push = push;
        this.options = options;
        this.addressing = addressing;
        this.listener = listener;
        this.bootstrap = SocketTransport.clientBootstrap(group)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        for (SimulatedMeter meter : meters) {
            pushers.add(new Pusher(meter));
        }
        pushers.forEach(Pusher::connect);
    }

    /** Notifications written so far, over all meters. */
    public long sent() {
        return sent.get();
    }

    /** Meters connected to the target right now. */
    public long connected() {
        return pushers.stream().filter(p -> p.channel != null && p.channel.isActive()).count();
    }

    /** Connections made so far (reconnections included). */
    public long connections() {
        return connects.get();
    }

    /** Stops pushing and closes every push connection. Does not wait. */
    @Override
    public void close() {
        closed = true;
        for (Pusher p : pushers) {
            Channel ch = p.channel;
            if (ch != null) {
                ch.close();
            }
        }
    }

    /**
     * One meter's push connection; touched only on its channel's event loop after {@link #connect}. Sharable because
     * each reconnection adds it to the new channel; there is one channel at a time (the next connect is scheduled
     * from the previous one's channelInactive).
     */
    @io.netty.channel.ChannelHandler.Sharable
    private final class Pusher extends ChannelInboundHandlerAdapter {
        final SimulatedMeter meter;
        volatile Channel channel;
        long notifications;
        long backoffMillis = FIRST_BACKOFF_MILLIS;
        ScheduledFuture<?> task;

        Pusher(SimulatedMeter meter) {
            this.meter = meter;
        }

        void connect() {
            if (closed) {
                return;
            }
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(options.framing() == Framing.WRAPPER ? new WrapperFrameEncoder()
                            : new HdlcFrameEncoder(), Pusher.this);
                }
            }).connect(push.target()).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    channel = f.channel();
                    if (closed) {
                        channel.close();
                    }
                } else {
                    LOG.debug("meter {} cannot connect to {}: {}", meter.index(), push.target(), f.cause().toString());
                    retryLater(f.channel());
                }
            });
        }

        private void retryLater(Channel ch) {
            if (closed) {
                return;
            }
            long delay = (long) (backoffMillis * (0.75 + 0.5 * ThreadLocalRandom.current().nextDouble()));
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
            ch.eventLoop().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connects.incrementAndGet();
            backoffMillis = FIRST_BACKOFF_MILLIS;
            if (push.count() == 0 || notifications < push.count()) {
                task = ctx.executor().scheduleAtFixedRate(() -> pushOne(ctx), 0, push.interval().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (task != null) {
                task.cancel(false);
            }
            retryLater(ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg); // a listener has nothing to say to a pushing meter
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("meter {} push connection failed: {}", meter.index(), cause.toString());
            ctx.close();
        }

        private void pushOne(ChannelHandlerContext ctx) {
            if (push.count() > 0 && notifications >= push.count()) {
                task.cancel(false);
                return;
            }
            if (!ctx.channel().isActive()) {
                return;
            }
            notifications++;
            SentNotification n = notification(meter, notifications);
            byte[] apdu = apdu(n);
            if (options.framing() == Framing.WRAPPER) {
                ctx.writeAndFlush(new WrapperFrame(MeterAddressing.SERVER_WPORT, MeterAddressing.PUBLIC_CLIENT,
                        Unpooled.wrappedBuffer(apdu))).addListener(done(n));
            } else {
                byte[] info = new byte[LLC_RESPONSE.length + apdu.length];
                System.arraycopy(LLC_RESPONSE, 0, info, 0, LLC_RESPONSE.length);
                System.arraycopy(apdu, 0, info, LLC_RESPONSE.length, apdu.length);
                int source = addressing.hdlcServerAddress(meter.index());
                int max = push.maxInformationLength();
                for (int at = 0; at < info.length; at += max) {
                    int end = Math.min(info.length, at + max);
                    HdlcFrame frame = new HdlcFrame(MeterAddressing.PUBLIC_CLIENT, source, HDLC_UI, end < info.length,
                            Unpooled.wrappedBuffer(info, at, end - at));
                    if (end < info.length) {
                        ctx.write(frame);
                    } else {
                        ctx.writeAndFlush(frame).addListener(done(n));
                    }
                }
            }
        }

        private ChannelFutureListener done(SentNotification n) {
            return f -> {
                if (f.isSuccess()) {
                    sent.incrementAndGet();
                    listener.notificationSent(n);
                }
            };
        }

        private SentNotification notification(SimulatedMeter meter, long number) {
            int index = meter.index();
            byte[] dateTime = CosemDateTime.of(meter.now(), options.utcOffset(), options.deviationSign(), 0).encode();
            long now = options.clock().millis();
            DlmsValue body = DlmsValue.structure(List.of(
                    DlmsValue.octets(String.format("GRXSIM%010d", index).getBytes(StandardCharsets.US_ASCII)),
                    DlmsValue.octets(dateTime),
                    DlmsValue.integer(DlmsType.DOUBLE_LONG_UNSIGNED,
                            SimulatedMeasurements.raw("active_energy", index, now)),
                    DlmsValue.integer(DlmsType.LONG_UNSIGNED, SimulatedMeasurements.raw("voltage_l1", index, now))));
            long counter = push.ciphered() ? meter.nextInvocationCounter() : -1;
            return new SentNotification(index, number & 0xFF_FFFF, dateTime, body, push.ciphered(), counter);
        }

        /** data-notification: tag, long-invoke-id-and-priority, date-time (length 12), body; ciphered by Gurux. */
        private byte[] apdu(SentNotification n) {
            GXByteBuffer b = new GXByteBuffer();
            b.setUInt8(0x0F);
            b.setUInt32(n.invokeId());
            b.setUInt8(CosemDateTime.LENGTH);
            b.set(n.dateTime());
            List<DlmsValue> e = n.body().elements();
            b.setUInt8(DataType.STRUCTURE.getValue());
            b.setUInt8(e.size());
            GXCommon.setData(null, b, DataType.OCTET_STRING, e.get(0).octets());
            GXCommon.setData(null, b, DataType.OCTET_STRING, e.get(1).octets());
            GXCommon.setData(null, b, DataType.UINT32, e.get(2).longValue());
            GXCommon.setData(null, b, DataType.UINT16, (int) e.get(3).longValue());
            byte[] plain = b.array();
            if (!n.ciphered()) {
                return plain;
            }
            try {
                return GXCiphering.encrypt(new AesGcmParameter(null, Command.GENERAL_GLO_CIPHERING,
                        Security.AUTHENTICATION_ENCRYPTION, SecuritySuite.SUITE_0, n.invocationCounter(),
                        addressing.serverSystemTitle(n.meterIndex()), options.blockCipherKey(),
                        options.authenticationKey()), plain);
            } catch (GeneralSecurityException e2) {
                throw new IllegalStateException("cannot cipher a notification", e2);
            }
        }
    }
}
