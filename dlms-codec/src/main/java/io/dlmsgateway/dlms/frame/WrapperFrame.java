package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One IEC 62056-47 wrapper frame to send: source and destination wPorts and the APDU. {@link WrapperFrameEncoder}
 * adds the 8-byte header. Owns its APDU buffer (reference counted like any {@link io.netty.buffer.ByteBufHolder}).
 */
public final class WrapperFrame extends DefaultByteBufHolder {

    /** Largest APDU the 16-bit length field can describe. */
    public static final int MAX_APDU_LENGTH = 0xFFFF;

    private final int sourceWPort;
    private final int destinationWPort;

    /**
     * @param sourceWPort      sender's wPort (a client SAP such as 16 when the gateway sends), 0..65535
     * @param destinationWPort receiver's wPort (the meter's logical device, usually 1), 0..65535
     * @param apdu             the APDU; ownership passes to this frame
     * @throws IllegalArgumentException if a port is out of range or the APDU is longer than 65535 bytes
     */
    public WrapperFrame(int sourceWPort, int destinationWPort, ByteBuf apdu) {
        super(apdu);
        this.sourceWPort = checkPort(sourceWPort, "sourceWPort");
        this.destinationWPort = checkPort(destinationWPort, "destinationWPort");
        if (apdu.readableBytes() > MAX_APDU_LENGTH) {
            throw new IllegalArgumentException("APDU of " + apdu.readableBytes() + " bytes exceeds " + MAX_APDU_LENGTH);
        }
    }

    private static int checkPort(int port, String name) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException(name + " out of range 0..65535: " + port);
        }
        return port;
    }

    public int sourceWPort() {
        return sourceWPort;
    }

    public int destinationWPort() {
        return destinationWPort;
    }

    /** The APDU; same as {@link #content()}. */
    public ByteBuf apdu() {
        return content();
    }

    @Override
    public WrapperFrame replace(ByteBuf content) {
        return new WrapperFrame(sourceWPort, destinationWPort, content);
    }

    @Override
    public WrapperFrame copy() {
        return (WrapperFrame) super.copy();
    }

    @Override
    public WrapperFrame duplicate() {
        return (WrapperFrame) super.duplicate();
    }

    @Override
    public WrapperFrame retainedDuplicate() {
        return (WrapperFrame) super.retainedDuplicate();
    }

    @Override
    public WrapperFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public WrapperFrame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public WrapperFrame touch() {
        super.touch();
        return this;
    }

    @Override
    public WrapperFrame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "WrapperFrame{source=" + sourceWPort + ", destination=" + destinationWPort
                + ", apduLength=" + (refCnt() > 0 ? content().readableBytes() : -1) + '}';
    }
}
