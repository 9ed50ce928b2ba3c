package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXDLMSConnectionEventArgs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Serves one TCP connection of a simulated meter: hands each whole frame to the connection's Gurux server and writes
 * the reply back, after the meter's latency and subject to its fault. Runs on the channel's event loop only.
 */
final class MeterConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MeterConnectionHandler.class);

    private final SimulatedMeter meter;
    private final SimulatorOptions options;
    private final MeterAddressing addressing;
    private final GXDLMSConnectionEventArgs connectionInfo = new GXDLMSConnectionEventArgs();
    private SimulatedCosemServer server;

    MeterConnectionHandler(SimulatedMeter meter, SimulatorOptions options, MeterAddressing addressing) {
        this.meter = meter;
        this.options = options;
        this.addressing = addressing;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        meter.connectionOpened();
        LOG.debug("meter {}: connection from {}", meter.index(), ctx.channel().remoteAddress());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        meter.connectionClosed();
        if (server != null) {
            meter.invocationCounterUsed(server.getCiphering().getInvocationCounter());
            server = null; // the object model goes with the connection
        }
        LOG.debug("meter {}: connection from {} closed", meter.index(), ctx.channel().remoteAddress());
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        byte[] request;
        ByteBuf frame = (ByteBuf) msg;
        try {
            request = ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
        meter.requestReceived();
        switch (meter.fault()) {
            case CLOSE_CONNECTION -> {
                ctx.close();
                return;
            }
            case STOP_ANSWERING -> {
                return;
            }
            case SEND_GARBAGE -> {
                byte[] garbage = new byte[8 + ThreadLocalRandom.current().nextInt(57)];
                ThreadLocalRandom.current().nextBytes(garbage);
                reply(ctx, garbage);
                return;
            }
            case CLOSE_AFTER_ASSOCIATION -> {
                if (server != null && server.associationAccepted()) {
                    ctx.close();
                    return;
                }
            }
            default -> {
                // NONE, REJECT_ASSOCIATION (applied by the server when it validates the AARQ)
            }
        }
        if (server == null) {
            server = new SimulatedCosemServer(meter, options, addressing);
        }
        byte[] reply;
        try {
            reply = server.handleRequest(request, connectionInfo);
        } catch (Exception e) {
            LOG.debug("meter {}: request failed, closing: {}", meter.index(), e.toString());
            ctx.close();
            return;
        }
        meter.invocationCounterUsed(server.getCiphering().getInvocationCounter());
        boolean servesReading = server.takeRegisterValueRead();
        if (reply != null && reply.length > 0) {
            reply(ctx, reply, servesReading);
        }
    }

    private void reply(ChannelHandlerContext ctx, byte[] reply) {
        reply(ctx, reply, false);
    }

    private void reply(ChannelHandlerContext ctx, byte[] reply, boolean servesReading) {
        long delay = meter.latencyNanos();
        if (delay <= 0) {
            write(ctx, reply, servesReading);
        } else {
            ctx.executor().schedule(() -> write(ctx, reply, servesReading), delay, TimeUnit.NANOSECONDS);
        }
    }

    private void write(ChannelHandlerContext ctx, byte[] reply, boolean servesReading) {
        if (ctx.channel().isActive()) {
            ByteBuf out = ctx.alloc().buffer(reply.length);
            out.writeBytes(reply);
            ctx.writeAndFlush(out, ctx.voidPromise());
            if (servesReading) {
                // counted once handed to the socket: a reply to a connection already closed was never served
                meter.readingServed(options.clock().millis());
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("meter {}: inactivity timeout, closing", meter.index());
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("meter {}: {}, closing", meter.index(), cause.toString());
        ctx.close();
    }
}
