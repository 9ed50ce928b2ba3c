package io.dlmsgateway.dlms.interop;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * HDLC frame layer of IEC 62056-46 (frame format type 3 of ISO/IEC 13239), written from the standard for the
 * independent test client.
 *
 * <pre>
 *  7E | frame format (2) | dest addr (1..4) | src addr (1..4) | control | [HCS (2) | information] | FCS (2) | 7E
 * </pre>
 *
 * <p>The frame format field is {@code 1010 S LLLLLLLLLLL}: type 0xA, segmentation bit, 11-bit length counting every
 * byte between the flags. HCS (only present when there is an information field) covers format..control, FCS covers
 * format..end of information; both CRC-16/X.25, least significant byte first.
 */
final class Hdlc {

    static final int FLAG = 0x7E;

    /** SNRM with the poll bit. */
    static final int SNRM = 0x93;
    /** UA with the final bit. */
    static final int UA = 0x73;
    /** DISC with the poll bit. */
    static final int DISC = 0x53;
    /** DM with the final bit. */
    static final int DM = 0x1F;
    /** FRMR with the final bit. */
    static final int FRMR = 0x97;
    /** Poll/final bit of the control field. */
    static final int PF = 0x10;

    /** Default maximum information field length (IEC 62056-46, 6.4.4.4.3.2) when SNRM/UA carry no parameters. */
    static final int DEFAULT_MAX_INFO = 128;

    /** LLC header of requests (destination LSAP E6, source LSAP E6, quality 00). */
    static final byte[] LLC_REQUEST = {(byte) 0xE6, (byte) 0xE6, 0x00};
    /** LLC header of responses (destination LSAP E6, source LSAP E7, quality 00). */
    static final byte[] LLC_RESPONSE = {(byte) 0xE6, (byte) 0xE7, 0x00};

    private Hdlc() {
    }

    /** A one-byte HDLC address (client addresses are always one byte): {@code address << 1 | 1}. */
    static byte[] clientAddress(int address) {
        if (address < 0 || address > 0x7F) {
            throw new IllegalArgumentException("client HDLC address out of range 0..127: " + address);
        }
        return new byte[] {(byte) ((address << 1) | 1)};
    }

    /**
     * A server HDLC address: upper HDLC address = logical device address, lower = physical device address. One byte
     * when there is no lower address ({@code physical < 0}), two bytes when both fit in 7 bits, four bytes (14 bits
     * each) otherwise. Each byte carries 7 address bits shifted left; the last byte has its LSB set.
     */
    static byte[] serverAddress(int logical, int physical) {
        if (logical < 0 || logical > 0x3FFF || physical > 0x3FFF) {
            throw new IllegalArgumentException("server HDLC address out of range: logical " + logical + ", physical "
                    + physical);
        }
        if (physical < 0) {
            if (logical > 0x7F) {
                throw new IllegalArgumentException("one-byte server address needs logical <= 127: " + logical);
            }
            return new byte[] {(byte) ((logical << 1) | 1)};
        }
        if (logical <= 0x7F && physical <= 0x7F) {
            return new byte[] {(byte) (logical << 1), (byte) ((physical << 1) | 1)};
        }
        return new byte[] {
            (byte) (((logical >> 7) & 0x7F) << 1), (byte) ((logical & 0x7F) << 1),
            (byte) (((physical >> 7) & 0x7F) << 1), (byte) (((physical & 0x7F) << 1) | 1)};
    }

    /** I-frame control field: {@code N(R) P N(S) 0}. */
    static int iControl(int ns, int nr, boolean poll) {
        return ((nr & 7) << 5) | (poll ? PF : 0) | ((ns & 7) << 1);
    }

    /** RR control field with the poll bit: {@code N(R) P 0 0 0 1}. */
    static int rrControl(int nr) {
        return ((nr & 7) << 5) | PF | 0x01;
    }

    static boolean isIFrame(int control) {
        return (control & 0x01) == 0;
    }

    static boolean isRr(int control) {
        return (control & 0x0F) == 0x01;
    }

    static boolean isRnr(int control) {
        return (control & 0x0F) == 0x05;
    }

    /** Send sequence number N(S) of an I-frame. */
    static int ns(int control) {
        return (control >> 1) & 7;
    }

    /** Receive sequence number N(R) of an I- or S-frame. */
    static int nr(int control) {
        return (control >> 5) & 7;
    }

    /** Encodes a complete frame with opening and closing flag. */
    static byte[] encode(byte[] dest, byte[] src, int control, byte[] info, boolean segmented) {
        boolean hasInfo = info != null && info.length > 0;
        int length = 2 + dest.length + src.length + 1 + (hasInfo ? 2 + info.length : 0) + 2;
        if (length > 0x7FF) {
            throw new IllegalArgumentException("HDLC frame too long for the 11-bit length: " + length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 2);
        out.write(FLAG);
        out.write(0xA0 | (segmented ? 0x08 : 0) | (length >> 8));
        out.write(length & 0xFF);
        out.writeBytes(dest);
        out.writeBytes(src);
        out.write(control);
        if (hasInfo) {
            byte[] header = out.toByteArray();
            int hcs = Crc16X25.compute(header, 1, header.length - 1);
            out.write(hcs & 0xFF);
            out.write(hcs >> 8);
            out.writeBytes(info);
        }
        byte[] body = out.toByteArray();
        int fcs = Crc16X25.compute(body, 1, body.length - 1);
        out.write(fcs & 0xFF);
        out.write(fcs >> 8);
        out.write(FLAG);
        return out.toByteArray();
    }

    /** A decoded frame. */
    record Frame(boolean segmented, byte[] dest, byte[] src, int control, byte[] info) {

        boolean hasInfo() {
            return info.length > 0;
        }

        @Override
        public String toString() {
            return "Frame[segmented=" + segmented + ", dest=" + Hex.of(dest) + ", src=" + Hex.of(src) + ", control="
                    + String.format("%02X", control) + ", info=" + Hex.of(info) + "]";
        }
    }

    /**
     * Decodes the bytes between the flags (frame format through FCS), verifying the format type, the length, the
     * address extension bits, HCS and FCS.
     */
    static Frame decode(byte[] f) {
        if (f.length < 7) {
            throw new HdlcException("HDLC frame too short (" + f.length + " bytes): " + Hex.of(f));
        }
        if ((f[0] & 0xF0) != 0xA0) {
            throw new HdlcException("HDLC frame format type is not 0xA (frame format type 3): " + Hex.of(f));
        }
        boolean segmented = (f[0] & 0x08) != 0;
        int length = ((f[0] & 0x07) << 8) | (f[1] & 0xFF);
        if (length != f.length) {
            throw new HdlcException("HDLC length field says " + length + " but frame has " + f.length + " bytes: "
                    + Hex.of(f));
        }
        int pos = 2;
        int destEnd = addressEnd(f, pos, "destination");
        byte[] dest = Arrays.copyOfRange(f, pos, destEnd);
        int srcEnd = addressEnd(f, destEnd, "source");
        byte[] src = Arrays.copyOfRange(f, destEnd, srcEnd);
        pos = srcEnd;
        if (pos >= f.length - 2) {
            throw new HdlcException("HDLC frame has no control field: " + Hex.of(f));
        }
        int control = f[pos++] & 0xFF;
        int remaining = f.length - pos;
        byte[] info;
        if (remaining == 2) {
            info = new byte[0];
        } else {
            if (remaining < 4) {
                throw new HdlcException("HDLC frame has a truncated HCS/information field: " + Hex.of(f));
            }
            int hcs = (f[pos] & 0xFF) | ((f[pos + 1] & 0xFF) << 8);
            int expectedHcs = Crc16X25.compute(f, 0, pos);
            if (hcs != expectedHcs) {
                throw new HdlcException(String.format("HDLC HCS mismatch: frame has %04X, computed %04X: %s", hcs,
                        expectedHcs, Hex.of(f)));
            }
            pos += 2;
            info = Arrays.copyOfRange(f, pos, f.length - 2);
        }
        int fcs = (f[f.length - 2] & 0xFF) | ((f[f.length - 1] & 0xFF) << 8);
        int expectedFcs = Crc16X25.compute(f, 0, f.length - 2);
        if (fcs != expectedFcs) {
            throw new HdlcException(String.format("HDLC FCS mismatch: frame has %04X, computed %04X: %s", fcs,
                    expectedFcs, Hex.of(f)));
        }
        return new Frame(segmented, dest, src, control, info);
    }

    private static int addressEnd(byte[] f, int start, String which) {
        for (int i = start; i < Math.min(f.length, start + 4); i++) {
            if ((f[i] & 0x01) != 0) {
                int n = i - start + 1;
                if (n == 3) {
                    throw new HdlcException("HDLC " + which + " address has 3 bytes (only 1, 2 or 4 allowed): "
                            + Hex.of(f));
                }
                return i + 1;
            }
        }
        throw new HdlcException("HDLC " + which + " address has no terminating byte (LSB=1) within 4 bytes: "
                + Hex.of(f));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Negotiated link parameters from the UA information field (or the defaults). */
    record Parameters(int maxInfoTransmit, int maxInfoReceive, int windowTransmit, int windowReceive) {

        static Parameters defaults() {
            return new Parameters(DEFAULT_MAX_INFO, DEFAULT_MAX_INFO, 1, 1);
        }

        /**
         * Parses the parameter negotiation field of SNRM/UA (IEC 62056-46, 6.4.4.4.3.2): format identifier 0x81,
         * group identifier 0x80, group length, then parameters 05 (max info transmit), 06 (max info receive), 07
         * (window transmit), 08 (window receive), each {@code id, length, big-endian value}. Omitted parameters keep
         * their defaults.
         */
        static Parameters parse(byte[] info) {
            if (info.length == 0) {
                return defaults();
            }
            if (info.length < 3 || (info[0] & 0xFF) != 0x81 || (info[1] & 0xFF) != 0x80) {
                throw new HdlcException("HDLC parameter field does not start with 81 80: " + Hex.of(info));
            }
            int groupLength = info[2] & 0xFF;
            if (groupLength != info.length - 3) {
                throw new HdlcException("HDLC parameter group length " + groupLength + " but " + (info.length - 3)
                        + " bytes follow: " + Hex.of(info));
            }
            int[] values = {DEFAULT_MAX_INFO, DEFAULT_MAX_INFO, 1, 1};
            int pos = 3;
            while (pos < info.length) {
                if (pos + 2 > info.length) {
                    throw new HdlcException("truncated HDLC parameter: " + Hex.of(info));
                }
                int id = info[pos] & 0xFF;
                int len = info[pos + 1] & 0xFF;
                if (pos + 2 + len > info.length || len < 1 || len > 4) {
                    throw new HdlcException("bad HDLC parameter length " + len + " at " + pos + ": " + Hex.of(info));
                }
                long value = 0;
                for (int i = 0; i < len; i++) {
                    value = (value << 8) | (info[pos + 2 + i] & 0xFF);
                }
                if (id >= 5 && id <= 8) {
                    values[id - 5] = (int) value;
                } else {
                    throw new HdlcException("unknown HDLC parameter id " + id + ": " + Hex.of(info));
                }
                pos += 2 + len;
            }
            return new Parameters(values[0], values[1], values[2], values[3]);
        }
    }

    static final class HdlcException extends DlmsProtocolException {
        private static final long serialVersionUID = 1L;

        HdlcException(String message) {
            super(message);
        }
    }
}
