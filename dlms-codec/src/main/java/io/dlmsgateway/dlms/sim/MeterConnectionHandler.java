package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXDLMSConnectionEventArgs;
import io.dlmsgateway.dlms.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
    private boolean flooding;
    private byte[] floodRequest;
    private long blockNumber;
    /** HDLC: the client's last frame was a segment, so this one continues its APDU. */
    private boolean hdlcContinuation;

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
            case NEVER_LAST_BLOCK -> {
                if (server != null && server.associationAccepted()) {
                    if (options.framing() != Framing.WRAPPER) {
                        ctx.close();
                    } else if (request.length > 10 && (request[8] & 0xFF) == 0xC0) {
                        reply(ctx, dataBlock(request, ++blockNumber));
                    }
                    return;
                }
            }
            case FLOOD_DATA_NOTIFICATION -> {
                if (server != null && server.associationAccepted() && !flooding) {
                    if (options.framing() != Framing.WRAPPER) {
                        ctx.close();
                        return;
                    }
                    flooding = true;
                    floodRequest = request;
                    ctx.executor().execute(() -> flood(ctx, request));
                }
            }
            default -> {
                // NONE, REJECT_ASSOCIATION (applied by the server when it validates the AARQ)
            }
        }
        if (server == null) {
            server = new SimulatedCosemServer(meter, options, addressing);
        }
        boolean continuation = hdlcContinuation;
        hdlcContinuation = options.framing() == Framing.HDLC && CipheredRequests.hdlcSegmented(request);
        // Replay protection, checked before Gurux acts on the request: a counter not above the last one this meter
        // accepted from that client is refused, in an AARQ by rejecting the association, in any other request by
        // dropping the connection (some real meters answer an exception-response instead; both fail the request).
        int client = CipheredRequests.clientAddress(request, options.framing());
        long counter = CipheredRequests.counter(request, options.framing(), continuation);
        boolean replayed = counter != CipheredRequests.NONE && !meter.counterFresh(client, counter);
        if (replayed) {
            LOG.debug("meter {}: client {} sent invocation counter {}, not above {}: refused", meter.index(), client,
                    counter, meter.lastAcceptedCounter(client));
            if (!CipheredRequests.isAarq(request, options.framing(), continuation)) {
                ctx.close();
                return;
            }
        }
        server.refuseNextAssociation(replayed);
        byte[] reply;
        try {
            reply = server.handleRequest(request, connectionInfo);
        } catch (Exception e) {
            LOG.debug("meter {}: request failed, closing: {}", meter.index(), e.toString());
            ctx.close();
            return;
        }
        if (counter != CipheredRequests.NONE && !replayed) {
            meter.counterAccepted(client, counter);
        }
        meter.invocationCounterUsed(server.getCiphering().getInvocationCounter());
        boolean servesReading = server.takeRegisterValueRead();
        if (reply != null && reply.length > 0) {
            reply(ctx, reply, servesReading);
        }
    }

    /** A GET-response-with-datablock, never the last, to the WRAPPER request {@code request}. */
    private static byte[] dataBlock(byte[] request, long number) {
        int raw = 512;
        ByteBuf apdu = Unpooled.buffer(8 + 12 + raw);
        apdu.writeShort(1).writeShort(getUnsignedShort(request, 4)).writeShort(getUnsignedShort(request, 2));
        apdu.writeShort(12 + raw);
        apdu.writeByte(0xC4).writeByte(2).writeByte(request[10]); // get-response-with-datablock, invoke-id
        apdu.writeByte(0).writeInt((int) number).writeByte(0);      // not the last block, its number, raw-data
        apdu.writeByte(0x82).writeShort(raw);
        for (int i = 0; i < raw; i++) {
            apdu.writeByte(0x11); // unsigned 17s: harmless data that never adds up to a value
        }
        byte[] out = ByteBufUtil.getBytes(apdu);
        apdu.release();
        return out;
    }

    private static int getUnsignedShort(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    /**
     * Writes DataNotification frames while the connection takes them (writable), 64 per turn of the loop so the
     * simulator's other meters keep theirs; resumes when the connection drains.
     */
    private void flood(ChannelHandlerContext ctx, byte[] request) {
        if (!ctx.channel().isActive() || meter.fault() != MeterFault.FLOOD_DATA_NOTIFICATION) {
            flooding = false;
            return;
        }
        for (int i = 0; i < 64 && ctx.channel().isWritable(); i++) {
            ByteBuf frame = ctx.alloc().buffer(8 + 10);
            frame.writeShort(1).writeShort(getUnsignedShort(request, 4)).writeShort(getUnsignedShort(request, 2));
            // data-notification: tag, long-invoke-id-and-priority, no date-time, body: long-unsigned
            frame.writeShort(9).writeByte(0x0F).writeInt(i).writeByte(0).writeByte(0x12).writeShort(230);
            ctx.write(frame, ctx.voidPromise());
        }
        ctx.flush();
        if (ctx.channel().isWritable()) {
            ctx.executor().execute(() -> flood(ctx, request));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (flooding && ctx.channel().isWritable()) {
            ctx.executor().execute(() -> flood(ctx, floodRequest));
        }
        super.channelWritabilityChanged(ctx);
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
