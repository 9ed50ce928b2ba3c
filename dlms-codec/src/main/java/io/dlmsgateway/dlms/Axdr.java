package io.dlmsgateway.dlms;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A-XDR encoding of {@link DlmsValue}s (IEC 62056-6-2 {@code Data}, encoded as IEC 61334-6 says): the exact bytes a
 * SET's value or an ACTION's parameter go out as, and what a GET reply, an ACTION's return or a push notification's
 * body decode from. Gurux's own decoding turns values into Java objects that lose their type (an enum and an
 * unsigned both come back as a number); this keeps the type, so a value read can be written back as it was.
 *
 * <p>Decoding takes bytes from a meter and so trusts nothing: every length and element count is checked against the
 * bytes left before anything is allocated, and nesting is bounded by {@link #MAX_DEPTH}. The only exception it throws
 * for bad input is {@link IllegalArgumentException}, naming the offset and what is wrong.
 */
public final class Axdr {

    /** Deepest nesting of arrays and structures decoded; real push bodies and profile rows nest two or three deep. */
    public static final int MAX_DEPTH = 64;

    private Axdr() {
    }

    /** Decodes a whole array that must hold exactly one Data. */
    public static DlmsValue decode(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        DlmsValue value = decode(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the value, at offset " + in.position());
        }
        return value;
    }

    /**
     * Decodes one Data at the buffer's position and advances it past it.
     *
     * @throws IllegalArgumentException naming the offset and what is wrong (unknown tag, too deep, a length or count
     *                                  that claims more than is left); the buffer's position is then unspecified
     */
    public static DlmsValue decode(ByteBuffer in) {
        try {
            return decode(in, 0);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("value ends early: nothing left at offset " + in.position());
        }
    }

    private static DlmsValue decode(ByteBuffer in, int depth) {
        int at = in.position();
        int tag = in.get() & 0xFF;
        DlmsType type = DlmsType.ofTag(tag).orElseThrow(() -> new IllegalArgumentException("unknown data tag "
                + tag + " (0x" + Integer.toHexString(tag) + ") at offset " + at
                + (tag == 19 ? " (compact-array is not supported)" : "")));
        return switch (type) {
            case NULL_DATA -> DlmsValue.NULL;
            case ARRAY, STRUCTURE -> {
                if (depth >= MAX_DEPTH) {
                    throw new IllegalArgumentException("value nests more than " + MAX_DEPTH + " levels deep, at offset "
                            + at);
                }
                long count = length(in);
                // every element takes at least its tag byte
                if (count > in.remaining()) {
                    throw new IllegalArgumentException(type + " at offset " + at + " claims " + count
                            + " elements, only " + in.remaining() + " bytes left");
                }
                List<DlmsValue> elements = new ArrayList<>((int) count);
                for (long i = 0; i < count; i++) {
                    elements.add(decode(in, depth + 1));
                }
                yield new DlmsValue(type, elements);
            }
            case BOOLEAN -> new DlmsValue(type, in.get() != 0);
            case BIT_STRING -> {
                long bits = length(in);
                int bytes = (int) bytes(in, (bits + 7) / 8, type, at);
                StringBuilder s = new StringBuilder((int) bits);
                for (int i = 0; i < bits; i++) {
                    int b = in.get(in.position() + i / 8) & 0xFF;
                    s.append((b & (0x80 >>> (i % 8))) != 0 ? '1' : '0');
                }
                in.position(in.position() + bytes);
                yield new DlmsValue(type, s.toString());
            }
            case DOUBLE_LONG -> new DlmsValue(type, (long) in.getInt());
            case DOUBLE_LONG_UNSIGNED -> new DlmsValue(type, in.getInt() & 0xFFFF_FFFFL);
            case OCTET_STRING, VISIBLE_STRING, UTF8_STRING -> {
                byte[] octets = new byte[(int) bytes(in, length(in), type, at)];
                in.get(octets);
                yield new DlmsValue(type, type == DlmsType.OCTET_STRING ? octets
                        : new String(octets, type == DlmsType.UTF8_STRING ? StandardCharsets.UTF_8
                                : StandardCharsets.ISO_8859_1));
            }
            case BCD -> new DlmsValue(type, new byte[] {in.get()});
            case INTEGER -> new DlmsValue(type, (long) in.get());
            case LONG -> new DlmsValue(type, (long) in.getShort());
            case UNSIGNED, ENUM -> new DlmsValue(type, (long) (in.get() & 0xFF));
            case LONG_UNSIGNED -> new DlmsValue(type, (long) (in.getShort() & 0xFFFF));
            case LONG64 -> new DlmsValue(type, in.getLong());
            case LONG64_UNSIGNED -> {
                long v = in.getLong();
                if (v < 0) {
                    throw new IllegalArgumentException("long64-unsigned at offset " + at + " is above "
                            + Long.MAX_VALUE + ", which this gateway does not represent");
                }
                yield new DlmsValue(type, v);
            }
            case FLOAT32 -> new DlmsValue(type, (double) in.getFloat());
            case FLOAT64 -> new DlmsValue(type, in.getDouble());
            case DATE_TIME, DATE, TIME -> {
                byte[] octets = new byte[type == DlmsType.DATE_TIME ? 12 : type == DlmsType.DATE ? 5 : 4];
                in.get(octets);
                yield new DlmsValue(type, octets);
            }
        };
    }

    /** An A-XDR length: one byte below 0x80, else 0x8N and N big-endian bytes (at most 4 taken here). */
    private static long length(ByteBuffer in) {
        int at = in.position();
        int first = in.get() & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7F;
        if (n == 0 || n > 4) {
            throw new IllegalArgumentException("length of " + n + " bytes at offset " + at
                    + " (1 to 4 are taken)");
        }
        long length = 0;
        for (int i = 0; i < n; i++) {
            length = length << 8 | (in.get() & 0xFF);
        }
        return length;
    }

    private static long bytes(ByteBuffer in, long needed, DlmsType type, int at) {
        if (needed > in.remaining()) {
            throw new IllegalArgumentException(type + " at offset " + at + " claims " + needed + " bytes, only "
                    + in.remaining() + " left");
        }
        return needed;
    }

    /** Encodes one Data with its tag, as a SET value or an ACTION parameter goes on the wire. */
    public static byte[] encode(DlmsValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        encode(value, out);
        return out.toByteArray();
    }

    /** Encodes one Data with its tag onto {@code out}. */
    public static void encode(DlmsValue value, ByteArrayOutputStream out) {
        DlmsType type = value.type();
        out.write(type.tag());
        Object v = value.value();
        switch (type) {
            case NULL_DATA -> {
            }
            case ARRAY, STRUCTURE -> {
                List<DlmsValue> elements = value.elements();
                length(elements.size(), out);
                for (DlmsValue e : elements) {
                    encode(e, out);
                }
            }
            case BOOLEAN -> out.write((Boolean) v ? 1 : 0);
            case BIT_STRING -> {
                String bits = (String) v;
                length(bits.length(), out);
                byte[] packed = new byte[(bits.length() + 7) / 8];
                for (int i = 0; i < bits.length(); i++) {
                    if (bits.charAt(i) == '1') {
                        packed[i / 8] |= (byte) (0x80 >>> (i % 8));
                    }
                }
                out.writeBytes(packed);
            }
            case OCTET_STRING, VISIBLE_STRING, UTF8_STRING -> {
                byte[] octets = v instanceof byte[] b ? b : ((String) v).getBytes(
                        type == DlmsType.UTF8_STRING ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
                length(octets.length, out);
                out.writeBytes(octets);
            }
            case BCD, DATE_TIME, DATE, TIME -> out.writeBytes((byte[]) v);
            case INTEGER, UNSIGNED, ENUM -> out.write((int) (long) (Long) v);
            case LONG, LONG_UNSIGNED -> bigEndian((Long) v, 2, out);
            case DOUBLE_LONG, DOUBLE_LONG_UNSIGNED -> bigEndian((Long) v, 4, out);
            case LONG64, LONG64_UNSIGNED -> bigEndian((Long) v, 8, out);
            case FLOAT32 -> bigEndian(Float.floatToIntBits((float) (double) (Double) v), 4, out);
            case FLOAT64 -> bigEndian(Double.doubleToLongBits((Double) v), 8, out);
        }
    }

    private static void length(int length, ByteArrayOutputStream out) {
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xFF) {
            out.write(0x81);
            out.write(length);
        } else if (length <= 0xFFFF) {
            out.write(0x82);
            bigEndian(length, 2, out);
        } else {
            out.write(0x84);
            bigEndian(length, 4, out);
        }
    }

    private static void bigEndian(long v, int bytes, ByteArrayOutputStream out) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
    }
}
