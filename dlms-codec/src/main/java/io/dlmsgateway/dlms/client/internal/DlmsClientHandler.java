package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXByteBuffer;
import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXDLMSConfirmedServiceError;
import gurux.dlms.GXDLMSExceptionResponse;
import gurux.dlms.GXReplyData;
import gurux.dlms.secure.GXDLMSSecureClient;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.dlms.client.DlmsException;
import io.dlmsgateway.dlms.client.DlmsProtocolException;
import io.dlmsgateway.dlms.client.DlmsProtocolViolationException;
import io.dlmsgateway.dlms.client.DlmsProtocolViolationException.Bound;
import io.dlmsgateway.dlms.client.DlmsTimeoutException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
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

    /**
     * Where Gurux puts a notification that arrives amid a reply. Such notifications are dropped, whole or in part,
     * after every frame, so nothing stays in it from one call to the next and one per thread serves every association
     * on it (an event loop parses one frame at a time): one per association was ~250 bytes for every meter.
     */
    private static final FastThreadLocal<GXReplyData> NOTIFY = new FastThreadLocal<>() {
        @Override
        protected GXReplyData initialValue() {
            return new GXReplyData();
        }
    };

    private final GXDLMSClient client;
    private final String meter;
    private final Duration requestTimeout;
    /** Nanoseconds, not a Duration: the settings make a new one per call, which every handler then kept. */
    private final long exchangeTimeoutNanos;
    private final int maxReplyBytes;
    private final ReplyInspector inspector;

    private ChannelHandlerContext ctx;
    private Exchange current;
    private long bytesReceived;
    private long bytesSent;
    private volatile DlmsException closeCause;

    /** A handler with the default reply bounds (1 MiB, ten request timeouts) and WRAPPER framing. */
    public DlmsClientHandler(GXDLMSClient client, String meter, Duration requestTimeout) {
        this(client, meter, requestTimeout, requestTimeout.multipliedBy(10), 1 << 20, false);
    }

    /**
     * @param exchangeTimeout deadline of a whole exchange, request to last block; GET-next does not extend it
     * @param maxReplyBytes   most bytes one exchange's reply may take on the wire, unless the exchange asks for less
     * @param hdlc            whether frames are HDLC (else WRAPPER), to find the APDUs in them
     */
    public DlmsClientHandler(GXDLMSClient client, String meter, Duration requestTimeout, Duration exchangeTimeout,
            int maxReplyBytes, boolean hdlc) {
        this.client = client;
        this.meter = meter;
        this.requestTimeout = requestTimeout;
        this.exchangeTimeoutNanos = exchangeTimeout.toNanos();
        this.maxReplyBytes = maxReplyBytes;
        this.inspector = new ReplyInspector(hdlc);
    }

    /** The bound-breaking failure that closed the connection, if that is what closed it; else null. */
    public DlmsException closeCause() {
        return closeCause;
    }

    /** The Gurux client of this association; use it on the event loop only. */
    private volatile long invocationCounterLimit = Long.MAX_VALUE;

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
        return exchange(packets, description, maxReplyBytes);
    }

    /**
     * As {@link #exchange(byte[][], String)}, with the reply (all packets' replies, segments and blocks together)
     * held to at most {@code replyLimit} bytes on the wire, and to {@code maxReplyBytes} in any case.
     */
    public CompletableFuture<List<GXReplyData>> exchange(byte[][] packets, String description, int replyLimit) {
        CompletableFuture<List<GXReplyData>> result = new CompletableFuture<>();
        if (current != null) {
            result.completeExceptionally(new IllegalStateException("exchange already in flight: "
                    + current.description));
            return result;
        }
        if (!ctx.channel().isActive()) {
            result.completeExceptionally(closeCause != null ? closeCause
                    : new DlmsConnectionException(meter, "connection closed before " + description, null));
            return result;
        }
        if (packets.length == 0) {
            result.complete(List.of());
            return result;
        }
        current = new Exchange(packets, description, result, Math.min(replyLimit, maxReplyBytes),
                System.nanoTime() + exchangeTimeoutNanos);
        sendNextPacket();
        return result;
    }

    private void sendNextPacket() {
        Exchange ex = current;
        GXReplyData reply = new GXReplyData();
        ex.replies.add(reply);
        inspector.start(ex.packets[ex.next]);
        write(ex.packets[ex.next++]);
    }

    /**
     * Ciphered APDUs with an invocation counter at or above this are not sent (HIGH_GMAC): the exchange fails and
     * the connection closes instead. Lets the owner of the counters (the fleet, which reserves them durably ahead)
     * guarantee that no counter goes on the wire before it is reserved. Any thread.
     */
    public void invocationCounterLimit(long exclusiveEnd) {
        this.invocationCounterLimit = exclusiveEnd;
    }

    private void write(byte[] bytes) {
        Exchange ex = current;
        // Gurux counts up while it builds a ciphered APDU: the one in hand used the counter below the current one
        if (client instanceof GXDLMSSecureClient secure
                && secure.getCiphering().getInvocationCounter() > invocationCounterLimit) {
            fail(new DlmsConnectionException(meter, "invocation counter "
                    + (secure.getCiphering().getInvocationCounter() - 1) + " is not reserved (the reservation ends at "
                    + invocationCounterLimit + "); " + ex.description + " not sent", null), true);
            return;
        }
        if (ex.timeout != null) {
            ex.timeout.cancel(false);
        }
        // one timer per packet, as before the deadline existed (thousands of meters keep the loop's timer queue
        // busy enough): due at the request timeout, or at the exchange's deadline when that comes first
        long wait = Math.min(requestTimeout.toNanos(), ex.deadlineNanos - System.nanoTime());
        ex.timeout = ctx.executor().schedule(this::onTimeout, Math.max(0, wait), TimeUnit.NANOSECONDS);
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
            if (msg instanceof ByteBuf frame && closeCause == null) {
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
        if (closeCause != null) {
            return; // closed for a violation: what the decoder still holds of the flood is dropped unread
        }
        Exchange ex = current;
        if (ex == null) {
            // Nothing asked: a late reply to a timed-out request would already have closed the channel, and this
            // client proposes no push on its associations, so these bytes are a broken or hostile meter's. Reading
            // on would let it fill buffers and the event loop at will.
            violation(Bound.UNSOLICITED_DATA, bytes.length + " bytes arrived while no request was outstanding");
            return;
        }
        ex.bytes += bytes.length;
        if (ex.bytes > ex.replyLimit) {
            violation(Bound.REPLY_BYTES, "reply to " + ex.description + " exceeds " + ex.replyLimit
                    + " bytes (" + (ex.replyLimit == maxReplyBytes ? "maxReplyBytes"
                            : "the most this read may need; maxReplyBytes " + maxReplyBytes) + ")");
            return;
        }
        ReplyInspector.Violation refused = inspector.onFrame(bytes);
        if (refused != null) {
            violation(refused.bound(), "reply to " + ex.description + ": " + refused.message());
            return;
        }
        // every frame comes whole from the frame decoder, so each gets a buffer of its own: nothing is appended to
        // (and copied with) what came before
        GXByteBuffer received = new GXByteBuffer(bytes);
        GXReplyData reply = ex.replies.get(ex.replies.size() - 1);
        GXReplyData notify = NOTIFY.get();
        notify.clear(); // in case a frame of another association made Gurux throw half-way through it
        boolean complete;
        try {
            complete = client.getData(received, reply, notify);
        } catch (GXDLMSExceptionResponse | GXDLMSConfirmedServiceError e) {
            // A well-formed refusal: the association holds, the caller decides (e.g. fall back from GET-with-list).
            fail(new DlmsProtocolException(meter, ex.description + " refused by the meter: " + e.getMessage(), e,
                    false), false);
            return;
        } catch (StackOverflowError e) {
            // only a ciphered reply gets here (plain ones were checked above): Gurux recursed once per level
            violation(Bound.NESTING_DEPTH, "reply to " + ex.description + " nests deeper than the decoder's stack");
            return;
        } catch (Exception e) {
            fail(new DlmsProtocolException(meter, "malformed reply to " + ex.description + ": " + e, e, true), true);
            return;
        }
        if (notify.getData().size() != 0) {
            // a notification amid a reply is not kept, whole or in part; its bytes count against the reply's bound
            log.debug("[{}] event notification ignored while waiting for {}", meter, ex.description);
        }
        notify.clear();
        if (!complete) {
            return; // a frame Gurux does not take as part of the reply; its bytes still count against the bound
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
        inspector.end();
        ex.result.complete(ex.replies);
    }

    /** The meter broke a bound: close its connection with a reason naming the meter and the bound. */
    private void violation(Bound bound, String what) {
        DlmsProtocolViolationException error = new DlmsProtocolViolationException(meter, bound, what);
        if (closeCause == null) {
            closeCause = error;
            log.debug("{}", error.getMessage());
        }
        fail(error, true);
    }

    private void onTimeout() {
        Exchange ex = current;
        if (ex == null) {
            return;
        }
        if (System.nanoTime() - ex.deadlineNanos >= 0) {
            violation(Bound.EXCHANGE_DEADLINE, ex.description + " still unfinished after "
                    + TimeUnit.NANOSECONDS.toMillis(exchangeTimeoutNanos) + " ms (exchange deadline; " + ex.bytes
                    + " bytes received)");
        } else {
            fail(new DlmsTimeoutException(meter, ex.description, requestTimeout), true);
        }
    }

    private void fail(DlmsException error, boolean closeChannel) {
        Exchange ex = current;
        current = null;
        inspector.end();
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
        final int replyLimit;
        /** System.nanoTime() by which the whole exchange must be done; GET-next does not move it. */
        final long deadlineNanos;
        int next;
        long bytes;
        ScheduledFuture<?> timeout;

        Exchange(byte[][] packets, String description, CompletableFuture<List<GXReplyData>> result,
                int replyLimit, long deadlineNanos) {
            this.packets = packets;
            this.description = description;
            this.result = result;
            this.replies = new ArrayList<>(packets.length);
            this.replyLimit = replyLimit;
            this.deadlineNanos = deadlineNanos;
        }

        void cancelTimeout() {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }
}
