package io.dlmsgateway.dlms.interop;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The small subset of BER (ITU-T X.690) the ACSE APDUs of DLMS need: single-byte identifiers (tag numbers below 31),
 * definite lengths in short and long form, OBJECT IDENTIFIER contents. Written from X.690 for the independent client.
 */
final class Ber {

    private Ber() {
    }

    /** One TLV: identifier octet, contents. */
    record Tlv(int tag, byte[] value) {
        boolean constructed() {
            return (tag & 0x20) != 0;
        }

        @Override
        public String toString() {
            return String.format("%02X", tag) + "[" + Hex.of(value) + "]";
        }
    }

    static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xFF) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        }
    }

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 4);
        out.write(tag);
        writeLength(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Parses a sequence of TLVs that must exactly fill {@code data[offset, offset+length)}. */
    static List<Tlv> parseAll(byte[] data, int offset, int length) {
        List<Tlv> out = new ArrayList<>();
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            int tag = data[pos++] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                throw new DlmsProtocolException(String.format("multi-byte BER tag %02X not expected at offset %d: %s",
                        tag, pos - 1, Hex.of(data)));
            }
            if (pos >= end) {
                throw new DlmsProtocolException("BER TLV without length at offset " + pos + ": " + Hex.of(data));
            }
            int first = data[pos++] & 0xFF;
            int len;
            if (first < 0x80) {
                len = first;
            } else {
                int n = first & 0x7F;
                if (n == 0 || n > 2) {
                    throw new DlmsProtocolException(String.format(
                            "unsupported BER length form %02X at offset %d: %s", first, pos - 1, Hex.of(data)));
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    if (pos >= end) {
                        throw new DlmsProtocolException("truncated BER length: " + Hex.of(data));
                    }
                    len = (len << 8) | (data[pos++] & 0xFF);
                }
            }
            if (pos + len > end) {
                throw new DlmsProtocolException(String.format(
                        "BER TLV %02X of length %d overruns its container (ends at %d, container at %d): %s", tag,
                        len, pos + len, end, Hex.of(data)));
            }
            out.add(new Tlv(tag, Arrays.copyOfRange(data, pos, pos + len)));
            pos += len;
        }
        return out;
    }

    static List<Tlv> parseAll(byte[] data) {
        return parseAll(data, 0, data.length);
    }

    /** The single TLV that must make up all of {@code data}. */
    static Tlv parseSingle(byte[] data, String what) {
        List<Tlv> all = parseAll(data);
        if (all.size() != 1) {
            throw new DlmsProtocolException("expected exactly one BER TLV in " + what + ", found " + all.size()
                    + ": " + Hex.of(data));
        }
        return all.get(0);
    }

    /** Encodes OBJECT IDENTIFIER contents (X.690 8.19). */
    static byte[] oid(long... arcs) {
        if (arcs.length < 2) {
            throw new IllegalArgumentException("an OID has at least two arcs");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeBase128(out, arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            writeBase128(out, arcs[i]);
        }
        return out.toByteArray();
    }

    private static void writeBase128(ByteArrayOutputStream out, long value) {
        int groups = 1;
        for (long v = value >>> 7; v != 0; v >>>= 7) {
            groups++;
        }
        for (int g = groups - 1; g >= 0; g--) {
            int b = (int) ((value >>> (7 * g)) & 0x7F);
            out.write(g == 0 ? b : b | 0x80);
        }
    }

    /** Decodes OBJECT IDENTIFIER contents to dotted text. */
    static String oidToString(byte[] contents) {
        StringBuilder sb = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte b : contents) {
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                if (first) {
                    long a = Math.min(value / 40, 2);
                    sb.append(a).append('.').append(value - a * 40);
                    first = false;
                } else {
                    sb.append('.').append(value);
                }
                value = 0;
            }
        }
        return sb.toString();
    }

    /** An INTEGER's contents as a long (two's complement, big-endian). */
    static long integer(byte[] contents) {
        if (contents.length == 0 || contents.length > 8) {
            throw new DlmsProtocolException("bad BER INTEGER length " + contents.length);
        }
        long v = contents[0]; // sign-extended
        for (int i = 1; i < contents.length; i++) {
            v = (v << 8) | (contents[i] & 0xFF);
        }
        return v;
    }
}
