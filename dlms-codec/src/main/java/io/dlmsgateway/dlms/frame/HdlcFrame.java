package io.dlmsgateway.dlms.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One IEC 62056-46 HDLC frame to send; {@link HdlcFrameEncoder} adds flags, frame format, encoded addresses, HCS and
 * FCS. Owns its information field buffer (reference counted like any {@link io.netty.buffer.ByteBufHolder}).
 *
 * <p>Addresses are plain numbers as Gurux handles them, not yet in HDLC's extension-bit encoding: a client SAP
 * such as 16, or a server address built by {@code GXDLMSClient.getServerAddress(logical, physical)}. HDLC puts the
 * destination first, so a request from the gateway has destination = server address, source = client address.
 * The encoder uses the shortest encoding: 1 byte up to 0x7F, 2 bytes up to 0x3FFF, 4 bytes up to 0x0FFFFFFF.
 */
public final class HdlcFrame extends DefaultByteBufHolder {

    /** Largest value of the 11-bit frame length field, i.e. the largest frame excluding its two flags. */
    public static final int MAX_FRAME_LENGTH = 0x7FF;

    private static final int MAX_ADDRESS = 0x0FFFFFFF;

    private final int destinationAddress;
    private final int sourceAddress;
    private final int control;
    private final boolean segmented;

    /**
     * @param destinationAddress receiver's address, 0..0x0FFFFFFF
     * @param sourceAddress      sender's address, 0..0x0FFFFFFF
     * @param control            control byte (I, RR, SNRM, UA, DISC ... with sequence numbers and poll/final bit)
     * @param segmented          sets the format's segmentation bit: more frames of the same APDU follow
     * @param information        information field, may be empty; ownership passes to this frame
     * @throws IllegalArgumentException if a value is out of range or the frame would not fit the 11-bit length
     */
    public HdlcFrame(int destinationAddress, int sourceAddress, int control, boolean segmented, ByteBuf information) {
        super(information);
        this.destinationAddress = checkAddress(destinationAddress, "destinationAddress");
        this.sourceAddress = checkAddress(sourceAddress, "sourceAddress");
        if (control < 0 || control > 0xFF) {
            throw new IllegalArgumentException("control out of range 0..255: " + control);
        }
        this.control = control;
        this.segmented = segmented;
        if (lengthField() > MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("frame of " + lengthField() + " bytes exceeds the 11-bit length field");
        }
    }

    /** A frame without information field, such as SNRM, UA, RR or DISC. */
    public HdlcFrame(int destinationAddress, int sourceAddress, int control) {
        this(destinationAddress, sourceAddress, control, false, Unpooled.EMPTY_BUFFER);
    }

    private static int checkAddress(int address, String name) {
        if (address < 0 || address > MAX_ADDRESS) {
            throw new IllegalArgumentException(name + " out of range 0..0x0FFFFFFF: " + address);
        }
        return address;
    }

    public int destinationAddress() {
        return destinationAddress;
    }

    public int sourceAddress() {
        return sourceAddress;
    }

    public int control() {
        return control;
    }

    public boolean isSegmented() {
        return segmented;
    }

    /** The information field; same as {@link #content()}. */
    public ByteBuf information() {
        return content();
    }

    /** Number of bytes an address occupies in HDLC's encoding. */
    static int encodedAddressLength(int address) {
        if (address <= 0x7F) {
            return 1;
        }
        return address <= 0x3FFF ? 2 : 4;
    }

    /** The frame length field: everything between the flags. */
    int lengthField() {
        int header = 2 + encodedAddressLength(destinationAddress) + encodedAddressLength(sourceAddress) + 1;
        int info = content().readableBytes();
        // HCS only precedes a non-empty information field; the FCS is always there
        return header + (info > 0 ? 2 + info : 0) + 2;
    }

    @Override
    public HdlcFrame replace(ByteBuf content) {
        return new HdlcFrame(destinationAddress, sourceAddress, control, segmented, content);
    }

    @Override
    public HdlcFrame copy() {
        return (HdlcFrame) super.copy();
    }

    @Override
    public HdlcFrame duplicate() {
        return (HdlcFrame) super.duplicate();
    }

    @Override
    public HdlcFrame retainedDuplicate() {
        return (HdlcFrame) super.retainedDuplicate();
    }

    @Override
    public HdlcFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public HdlcFrame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public HdlcFrame touch() {
        super.touch();
        return this;
    }

    @Override
    public HdlcFrame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "HdlcFrame{destination=" + destinationAddress + ", source=" + sourceAddress
                + ", control=0x" + Integer.toHexString(control) + ", segmented=" + segmented
                + ", informationLength=" + (refCnt() > 0 ? content().readableBytes() : -1) + '}';
    }
}
