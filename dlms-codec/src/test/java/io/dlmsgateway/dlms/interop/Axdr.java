package io.dlmsgateway.dlms.interop;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A-XDR (IEC 61334-6) reading and writing as DLMS uses it, written from the standard for the independent test client.
 * Big-endian fixed-size integers; lengths in the "variable-length integer" form: one byte below 0x80, otherwise
 * {@code 0x80 | n} followed by n big-endian length bytes.
 */
final class Axdr {

    private Axdr() {
    }

    /** A cursor over received bytes; every read checks bounds and names what is missing. */
    static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this(buf, 0);
        }

        Reader(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        int position() {
            return pos;
        }

        int remaining() {
            return buf.length - pos;
        }

        byte[] buffer() {
            return buf;
        }

        private void need(int n, String what) {
            if (pos + n > buf.length) {
                throw new DlmsProtocolException("truncated APDU: need " + n + " byte(s) for " + what + " at offset "
                        + pos + " of " + buf.length + ": " + Hex.of(buf));
            }
        }

        int u8(String what) {
            need(1, what);
            return buf[pos++] & 0xFF;
        }

        int u16(String what) {
            need(2, what);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long u32(String what) {
            need(4, what);
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (buf[pos + i] & 0xFF);
            }
            pos += 4;
            return v;
        }

        long s64(String what) {
            need(8, what);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos + i] & 0xFF);
            }
            pos += 8;
            return v;
        }

        byte[] bytes(int n, String what) {
            if (n < 0) {
                throw new DlmsProtocolException("negative length for " + what);
            }
            need(n, what);
            byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return out;
        }

        /** A-XDR length / variable-length unsigned integer. */
        int length(String what) {
            int first = u8(what + " length");
            if (first < 0x80) {
                return first;
            }
            int n = first & 0x7F;
            if (n == 0 || n > 4) {
                throw new DlmsProtocolException("unsupported A-XDR length encoding " + String.format("%02X", first)
                        + " for " + what + " at offset " + (pos - 1) + ": " + Hex.of(buf));
            }
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | u8(what + " length");
            }
            if (v > Integer.MAX_VALUE) {
                throw new DlmsProtocolException("A-XDR length too large for " + what + ": " + v);
            }
            return (int) v;
        }

        void expectEnd(String what) {
            if (pos != buf.length) {
                throw new DlmsProtocolException(remaining() + " unexpected trailing byte(s) after " + what + ": "
                        + Hex.of(buf, pos, remaining()) + " in " + Hex.of(buf));
            }
        }
    }

    /** Decodes one {@code Data} value (tag + contents). */
    static DlmsData readData(Reader r) {
        int tag = r.u8("Data tag");
        return switch (tag) {
            case DlmsData.NULL_DATA -> new DlmsData(tag, null);
            case DlmsData.ARRAY, DlmsData.STRUCTURE -> {
                int n = r.length(DlmsData.typeName(tag));
                List<DlmsData> items = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    items.add(readData(r));
                }
                yield new DlmsData(tag, List.copyOf(items));
            }
            case DlmsData.BOOLEAN -> new DlmsData(tag, r.u8("boolean") != 0);
            case DlmsData.BIT_STRING -> {
                int bits = r.length("bit-string");
                yield new DlmsData(tag, new DlmsData.BitString(bits, r.bytes((bits + 7) / 8, "bit-string")));
            }
            case DlmsData.DOUBLE_LONG -> new DlmsData(tag, (long) (int) r.u32("double-long"));
            case DlmsData.DOUBLE_LONG_UNSIGNED -> new DlmsData(tag, r.u32("double-long-unsigned"));
            case DlmsData.OCTET_STRING -> new DlmsData(tag, r.bytes(r.length("octet-string"), "octet-string"));
            case DlmsData.VISIBLE_STRING -> new DlmsData(tag,
                    new String(r.bytes(r.length("visible-string"), "visible-string"), StandardCharsets.US_ASCII));
            case DlmsData.UTF8_STRING -> new DlmsData(tag,
                    new String(r.bytes(r.length("utf8-string"), "utf8-string"), StandardCharsets.UTF_8));
            case DlmsData.BCD -> new DlmsData(tag, (int) (byte) r.u8("bcd"));
            case DlmsData.INTEGER -> new DlmsData(tag, (long) (byte) r.u8("integer"));
            case DlmsData.LONG -> new DlmsData(tag, (long) (short) r.u16("long"));
            case DlmsData.UNSIGNED -> new DlmsData(tag, (long) r.u8("unsigned"));
            case DlmsData.LONG_UNSIGNED -> new DlmsData(tag, (long) r.u16("long-unsigned"));
            case DlmsData.LONG64 -> new DlmsData(tag, r.s64("long64"));
            case DlmsData.LONG64_UNSIGNED -> {
                long raw = r.s64("long64-unsigned");
                yield new DlmsData(tag, raw >= 0 ? (Object) raw : new BigInteger(Long.toUnsignedString(raw)));
            }
            case DlmsData.ENUM -> new DlmsData(tag, r.u8("enum"));
            case DlmsData.FLOAT32 -> new DlmsData(tag, Float.intBitsToFloat((int) r.u32("float32")));
            case DlmsData.FLOAT64 -> new DlmsData(tag, Double.longBitsToDouble(r.s64("float64")));
            case DlmsData.DATE_TIME -> new DlmsData(tag, r.bytes(12, "date-time"));
            case DlmsData.DATE -> new DlmsData(tag, r.bytes(5, "date"));
            case DlmsData.TIME -> new DlmsData(tag, r.bytes(4, "time"));
            default -> throw new DlmsProtocolException("unsupported or invalid Data tag " + tag + " at offset "
                    + (r.position() - 1) + ": " + Hex.of(r.buffer()));
        };
    }

    /** Decodes a buffer that must contain exactly one {@code Data} value. */
    static DlmsData decodeData(byte[] encoded) {
        Reader r = new Reader(encoded);
        DlmsData d = readData(r);
        r.expectEnd("Data");
        return d;
    }

    static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xFF) {
            out.write(0x81);
            out.write(length);
        } else if (length <= 0xFFFF) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x84);
            out.write(length >>> 24);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
    }
}
