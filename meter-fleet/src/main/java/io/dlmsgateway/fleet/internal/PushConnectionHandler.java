package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.client.Notification;
import io.dlmsgateway.dlms.client.NotificationDecoder;
import io.dlmsgateway.dlms.client.NotificationException;
import io.dlmsgateway.dlms.frame.FramingCounters;
import io.dlmsgateway.fleet.PushMatch;
import io.dlmsgateway.fleet.PushNotification;
import io.dlmsgateway.fleet.PushSource;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * One push connection, after its frame decoder: takes whole WRAPPER frames or HDLC frames (reassembling segmented UI
 * frames), decodes each APDU, finds the device it came from and hands the notification to the {@link PushQueue}. Any
 * frame that is not a notification it can decode, from a sender it knows, closes this connection (and only this one),
 * counted and logged by reason. Lives on the connection's event loop; nothing here blocks.
 */
public final class PushConnectionHandler extends ChannelInboundHandlerAdapter {

    /** LLC headers before an APDU in an HDLC information field: meter to client (E6 E7 00), or E6 E6 00. */
    private static final int LLC_LENGTH = 3;
    private static final int HDLC_UI = 0x03;
    private static final int HDLC_POLL_FINAL = 0x10;
    private static final int HDLC_SEGMENTED = 0x08;

    private final Framing framing;
    private final int maxApduBytes;
    private final PushSources sources;
    private final PushQueue<PushNotification> queue;
    private final PushCounters counters;
    private final PushWarnings warnings;
    private final FramingCounters hdlcCounters;
    private final Clock clock;
    private InetSocketAddress peer;
    /** The source the last notification on this connection matched: its keys decipher what follows. */
    private PushSource matched;
    /** HDLC segments of an APDU so far, with the address of the frame that started it; null when none. */
    private ByteArrayOutputStream segments;
    private int segmentsSource = -1;
    private boolean closing;

    public PushConnectionHandler(Framing framing, int maxApduBytes, PushSources sources,
            PushQueue<PushNotification> queue, PushCounters counters, PushWarnings warnings,
            FramingCounters hdlcCounters, Clock clock) {
        this.framing = framing;
        this.maxApduBytes = maxApduBytes;
        this.sources = sources;
        this.queue = queue;
        this.counters = counters;
        this.warnings = warnings;
        this.hdlcCounters = hdlcCounters;
        this.clock = clock;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peer = (InetSocketAddress) ctx.channel().remoteAddress();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (closing) {
                return;
            }
            if (framing == Framing.WRAPPER) {
                int sourceWPort = frame.getUnsignedShort(frame.readerIndex() + 2);
                byte[] apdu = new byte[frame.readableBytes() - 8];
                frame.getBytes(frame.readerIndex() + 8, apdu);
                apdu(ctx, apdu, sourceWPort);
            } else {
                hdlcFrame(ctx, frame);
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // the HDLC decoder skips garbage and drops broken frames without failing: on a push connection, both mean
        // a peer that does not speak HDLC as it should
        if (hdlcCounters != null && !closing && (hdlcCounters.droppedFrames() > 0 || hdlcCounters.skippedBytes() > 0)) {
            reject(ctx, counters.undecodable, "undecodable", "not HDLC: " + hdlcCounters.skippedBytes()
                    + " bytes outside frames, " + hdlcCounters.droppedFrames() + " broken frames");
        }
        ctx.fireChannelReadComplete();
    }

    private void hdlcFrame(ChannelHandlerContext ctx, ByteBuf frame) {
        int start = frame.readerIndex(); // opening flag
        int format = frame.getUnsignedByte(start + 1);
        int length = (format & 0x07) << 8 | frame.getUnsignedByte(start + 2);
        int at = start + 3;
        at = skipAddress(frame, at); // destination (the client)
        int source = 0;
        for (int i = 0; i < 4; i++) {
            int b = frame.getUnsignedByte(at++);
            source = source << 7 | b >>> 1;
            if ((b & 1) != 0) {
                break;
            }
        }
        int control = frame.getUnsignedByte(at++);
        if ((control & ~HDLC_POLL_FINAL) != HDLC_UI) {
            reject(ctx, counters.undecodable, "undecodable", String.format("HDLC control 0x%02X is no UI frame",
                    control));
            return;
        }
        int fcs = start + 1 + length - 2;
        int info = at + 2; // after the HCS
        if (info >= fcs) {
            return; // a UI frame without information: nothing pushed
        }
        if (segments != null && source != segmentsSource) {
            reject(ctx, counters.undecodable, "undecodable", "HDLC segment from " + source + " inside an APDU from "
                    + segmentsSource);
            return;
        }
        if (segments == null) {
            segments = new ByteArrayOutputStream(Math.min(maxApduBytes, 256));
            segmentsSource = source;
        }
        if (segments.size() + (fcs - info) > maxApduBytes + LLC_LENGTH) {
            reject(ctx, counters.oversize, "oversize", "HDLC segments exceed " + maxApduBytes + " bytes");
            return;
        }
        byte[] part = new byte[fcs - info];
        frame.getBytes(info, part);
        segments.writeBytes(part);
        if ((format & HDLC_SEGMENTED) != 0) {
            return;
        }
        byte[] information = segments.toByteArray();
        segments = null;
        if (information.length <= LLC_LENGTH || (information[0] & 0xFF) != 0xE6
                || ((information[1] & 0xFF) != 0xE7 && (information[1] & 0xFF) != 0xE6) || information[2] != 0) {
            reject(ctx, counters.undecodable, "undecodable", "HDLC information field without LLC header E6 E7 00");
            return;
        }
        byte[] apdu = new byte[information.length - LLC_LENGTH];
        System.arraycopy(information, LLC_LENGTH, apdu, 0, apdu.length);
        apdu(ctx, apdu, source);
    }

    private static int skipAddress(ByteBuf frame, int at) {
        for (int i = 0; i < 4; i++) {
            if ((frame.getUnsignedByte(at++) & 1) != 0) {
                break;
            }
        }
        return at;
    }

    /**
     * @param linkAddress the WRAPPER source wPort or the HDLC source address
     */
    private void apdu(ChannelHandlerContext ctx, byte[] apdu, int linkAddress) {
        PushMatch.Kind linkKind = framing == Framing.WRAPPER ? PushMatch.Kind.WPORT : PushMatch.Kind.HDLC_ADDRESS;
        Optional<PushSource> byLink = sources.find(linkKind, Integer.toString(linkAddress));
        Optional<PushSource> byPeer = sources.find(PushMatch.Kind.SOURCE_ADDRESS, peer.getAddress().getHostAddress());
        Notification n;
        try {
            n = NotificationDecoder.decode(apdu, title -> sources.bySystemTitle(title).or(() -> byLink)
                    .or(() -> byPeer).or(() -> Optional.ofNullable(matched)).map(PushSource::client));
        } catch (NotificationException e) {
            if (e.reason() == NotificationException.Reason.UNKNOWN_SYSTEM_TITLE) {
                reject(ctx, counters.unknownSenders, "unknown sender", e.getMessage());
            } else {
                reject(ctx, counters.undecodable, "undecodable", e.getMessage());
            }
            return;
        }
        Optional<PushSource> source = n.systemTitle().flatMap(sources::bySystemTitle).or(() -> byLink)
                .or(() -> byPeer)
                .or(() -> PushSources.logicalDeviceName(n.body())
                        .flatMap(name -> sources.find(PushMatch.Kind.LOGICAL_DEVICE_NAME, name)));
        if (source.isEmpty()) {
            reject(ctx, counters.unknownSenders, "unknown sender", "no push source matches (" + linkKind + " "
                    + linkAddress + ", logical device name "
                    + PushSources.logicalDeviceName(n.body()).map(s -> "'" + s + "'").orElse("none")
                    + n.systemTitle().map(t -> ", system title " + java.util.HexFormat.of().formatHex(t)).orElse("")
                    + ")");
            return;
        }
        PushSource s = source.get();
        if (n.ciphered()) {
            // replay protection, as a meter applies it to its clients: a ciphered notification whose invocation
            // counter is not above the last accepted from this device is a copy (or a meter whose counter went back)
            long last = sources.acceptInvocationCounter(s.device(), n.invocationCounter());
            if (last >= 0) {
                reject(ctx, counters.replayed, "replayed", "invocation counter " + n.invocationCounter()
                        + " of '" + s.device() + "' is not above " + last + ", the last accepted");
                return;
            }
        }
        matched = s;
        Optional<Instant> time = n.dateTime().flatMap(dt -> dt.toInstant(s.client().deviationSign(),
                s.client().clockOffset()));
        counters.notifications.increment();
        queue.offer(new PushNotification(s.device(), peer, n.kind() == Notification.Kind.DATA_NOTIFICATION
                ? PushNotification.Kind.DATA_NOTIFICATION : PushNotification.Kind.EVENT_NOTIFICATION, n.invokeId(),
                n.dateTime(), time, n.attribute(), n.body(), n.ciphered(), clock.instant()), ctx.channel());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            reject(ctx, counters.idleClosed, "idle", "nothing received within the idle timeout");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
            reject(ctx, counters.oversize, "oversize", cause.getMessage());
        } else if (cause instanceof DecoderException) {
            reject(ctx, counters.undecodable, "undecodable", String.valueOf(cause.getMessage()));
        } else {
            // a reset by the peer and the like: nothing the meter's notifications can be blamed for
            if (!closing) {
                closing = true;
                ctx.close();
            }
        }
    }

    private void reject(ChannelHandlerContext ctx, java.util.concurrent.atomic.LongAdder counter, String reason,
            String detail) {
        if (closing) {
            return;
        }
        closing = true;
        counter.increment();
        warnings.rejected(reason, peer != null ? peer : ctx.channel().remoteAddress(), detail);
        ctx.close();
    }
}
