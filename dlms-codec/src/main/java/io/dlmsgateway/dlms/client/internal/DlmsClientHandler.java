package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXDLMSConfirmedServiceError;
import gurux.dlms.GXDLMSExceptionResponse;
import gurux.dlms.GXReplyData;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.dlms.client.DlmsProtocolException;
import io.dlmsgateway.dlms.client.DlmsTimeoutException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries request/reply exchanges of one association over its channel, feeding every received frame to the
 * association's {@link GXDLMSClient}. It owns the parts of DLMS that are about getting one reply complete: HDLC
 * segments and data blocks are acknowledged with receiver-ready until Gurux reports the reply whole.
 *
 * <p>Everything here runs on the channel's event loop; the Gurux client is never touched from anywhere else. One
 * exchange is in flight at a time, as DLMS (without pipelining) requires; {@link ExchangeScheduler} decides which
 * exchange goes next, this handler only carries it.
 */
public final class DlmsClientHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(DlmsClientHandler.class);

    private final GXDLMSClient client;
    private final String meter;
    private final Duration requestTimeout;
    private final GXByteBuffer received = new GXByteBuffer();
    private final GXReplyData notify = new GXReplyData();

    private ChannelHandlerContext ctx;
    private Exchange current;
    private long bytesReceived;
    private long bytesSent;

    public DlmsClientHandler(GXDLMSClient client, String meter, Duration requestTimeout) {
        this.client = client;
        this.meter = meter;
        this.requestTimeout = requestTimeout;
    }

    /** The Gurux client of this association; use it on the event loop only. */
    public GXDLMSClient client() {
        return client;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Sends the packets of one request in turn, each followed by its complete reply, and completes with the replies
     * in the same order. Must be called on the event loop, with no other exchange in flight.
     *
     * @param description what the request is, for error messages ("GET 1.0.32.7.0.255/2")
     */
    public CompletableFuture<List<GXReplyData>> exchange(byte[][] packets, String description) {
        CompletableFuture<List<GXReplyData>> result = new CompletableFuture<>();
        if (current != null) {
            result.completeExceptionally(new IllegalStateException("exchange already in flight: "
                    + current.description));
            return result;
        }
        if (!ctx.channel().isActive()) {
            result.completeExceptionally(new DlmsConnectionException(meter, "connection closed before "
                    + description, null));
            return result;
        }
        if (packets.length == 0) {
            result.complete(List.of());
            return result;
        }
        current = new Exchange(packets, description, result);
        sendNextPacket();
        return result;
    }

    private void sendNextPacket() {
        Exchange ex = current;
        GXReplyData reply = new GXReplyData();
        ex.replies.add(reply);
        write(ex.packets[ex.next++]);
    }

    private void write(byte[] bytes) {
        Exchange ex = current;
        if (ex.timeout != null) {
            ex.timeout.cancel(false);
        }
        ex.timeout = ctx.executor().schedule(this::onTimeout, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        bytesSent += bytes.length;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(f -> {
            if (!f.isSuccess()) {
                fail(new DlmsConnectionException(meter, "cannot send " + ex.description, f.cause()), true);
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf frame) {
                bytesReceived += frame.readableBytes();
                byte[] bytes = new byte[frame.readableBytes()];
                frame.readBytes(bytes);
                onBytes(bytes);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onBytes(byte[] bytes) {
        if (current == null) {
            // Nothing asked: a late reply to a timed-out request would already have closed the channel, so this is
            // a push (event notification) or noise. Log it and keep the stream aligned.
            log.debug("[{}] unsolicited {} bytes ignored", meter, bytes.length);
            received.clear();
            return;
        }
        received.set(bytes);
        Exchange ex = current;
        GXReplyData reply = ex.replies.get(ex.replies.size() - 1);
        boolean complete;
        try {
            complete = client.getData(received, reply, notify);
        } catch (GXDLMSExceptionResponse | GXDLMSConfirmedServiceError e) {
            // A well-formed refusal: the association holds, the caller decides (e.g. fall back from GET-with-list).
            received.clear();
            fail(new DlmsProtocolException(meter, ex.description + " refused by the meter: " + e.getMessage(), e,
                    false), false);
            return;
        } catch (Exception e) {
            received.clear();
            fail(new DlmsProtocolException(meter, "malformed reply to " + ex.description + ": " + e, e, true), true);
            return;
        }
        if (notify.isComplete() && notify.getData().size() != 0) {
            log.debug("[{}] event notification ignored while waiting for {}", meter, ex.description);
            notify.clear();
        }
        if (!complete) {
            return; // wait for the rest of the frame
        }
        if (received.position() >= received.size()) {
            received.clear();
        }
        if (reply.isMoreData()) {
            if (!reply.isStreaming()) {
                try {
                    write(client.receiverReady(reply));
                } catch (Exception e) {
                    fail(new DlmsProtocolException(meter, "cannot continue " + ex.description + ": " + e, e, true),
                            true);
                }
            }
            return;
        }
        if (ex.next < ex.packets.length) {
            sendNextPacket();
            return;
        }
        current = null;
        ex.cancelTimeout();
        ex.result.complete(ex.replies);
    }

    private void onTimeout() {
        Exchange ex = current;
        if (ex != null) {
            fail(new DlmsTimeoutException(meter, ex.description, requestTimeout), true);
        }
    }

    private void fail(DlmsException error, boolean closeChannel) {
        Exchange ex = current;
        current = null;
        if (closeChannel) {
            // After a timeout or garbage the byte stream cannot be trusted: a late reply would be read as the
            // answer to the next request.
            ctx.close();
        }
        if (ex != null) {
            ex.cancelTimeout();
            ex.result.completeExceptionally(error);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new DlmsConnectionException(meter, "connection closed by the meter"
                + (current == null ? "" : " during " + current.description), null), false);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("[{}] channel failure: {}", meter, cause.toString());
        String what = current == null ? "" : " during " + current.description;
        fail(new DlmsProtocolException(meter, "connection failed" + what + ": " + cause.getMessage(), cause, true),
                true);
    }

    private static final class Exchange {
        final byte[][] packets;
        final String description;
        final CompletableFuture<List<GXReplyData>> result;
        final List<GXReplyData> replies;
        int next;
        ScheduledFuture<?> timeout;

        Exchange(byte[][] packets, String description, CompletableFuture<List<GXReplyData>> result) {
            this.packets = packets;
            this.description = description;
            this.result = result;
            this.replies = new ArrayList<>(packets.length);
        }

        void cancelTimeout() {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }
}
