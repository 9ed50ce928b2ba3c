package io.dlmsgateway.dlms.interop;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * A decoded COSEM {@code Data} value (IEC 62056-6-2 / Green Book "Data" CHOICE).
 *
 * <p>Java representation of {@link #value()} by tag: null-data null; boolean Boolean; integers Long (unsigned
 * long64 as BigInteger); enum Integer; float32 Float; float64 Double; octet-string and date/time types byte[];
 * visible-string and utf8-string String; bit-string {@link BitString}; array and structure {@code List<DlmsData>};
 * bcd Integer.
 */
record DlmsData(int tag, Object value) {

    static final int NULL_DATA = 0;
    static final int ARRAY = 1;
    static final int STRUCTURE = 2;
    static final int BOOLEAN = 3;
    static final int BIT_STRING = 4;
    static final int DOUBLE_LONG = 5;
    static final int DOUBLE_LONG_UNSIGNED = 6;
    static final int OCTET_STRING = 9;
    static final int VISIBLE_STRING = 10;
    static final int UTF8_STRING = 12;
    static final int BCD = 13;
    static final int INTEGER = 15;
    static final int LONG = 16;
    static final int UNSIGNED = 17;
    static final int LONG_UNSIGNED = 18;
    static final int COMPACT_ARRAY = 19;
    static final int LONG64 = 20;
    static final int LONG64_UNSIGNED = 21;
    static final int ENUM = 22;
    static final int FLOAT32 = 23;
    static final int FLOAT64 = 24;
    static final int DATE_TIME = 25;
    static final int DATE = 26;
    static final int TIME = 27;

    /** A bit-string: its length in bits and the bytes holding them, first bit in the MSB of the first byte. */
    record BitString(int bits, byte[] bytes) {
        boolean get(int index) {
            return (bytes[index / 8] & (0x80 >> (index % 8))) != 0;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(bits);
            for (int i = 0; i < bits; i++) {
                sb.append(get(i) ? '1' : '0');
            }
            return sb.toString();
        }
    }

    static String typeName(int tag) {
        return switch (tag) {
            case NULL_DATA -> "null-data";
            case ARRAY -> "array";
            case STRUCTURE -> "structure";
            case BOOLEAN -> "boolean";
            case BIT_STRING -> "bit-string";
            case DOUBLE_LONG -> "double-long";
            case DOUBLE_LONG_UNSIGNED -> "double-long-unsigned";
            case OCTET_STRING -> "octet-string";
            case VISIBLE_STRING -> "visible-string";
            case UTF8_STRING -> "utf8-string";
            case BCD -> "bcd";
            case INTEGER -> "integer";
            case LONG -> "long";
            case UNSIGNED -> "unsigned";
            case LONG_UNSIGNED -> "long-unsigned";
            case COMPACT_ARRAY -> "compact-array";
            case LONG64 -> "long64";
            case LONG64_UNSIGNED -> "long64-unsigned";
            case ENUM -> "enum";
            case FLOAT32 -> "float32";
            case FLOAT64 -> "float64";
            case DATE_TIME -> "date-time";
            case DATE -> "date";
            case TIME -> "time";
            default -> "tag-" + tag;
        };
    }

    String typeName() {
        return typeName(tag);
    }

    boolean isNumeric() {
        return value instanceof Long || value instanceof BigInteger || value instanceof Float || value instanceof Double
                || (tag == ENUM || tag == BCD) && value instanceof Integer;
    }

    /** The exact numeric value of an integer, enum or float type. */
    BigDecimal toBigDecimal() {
        if (value instanceof Long l) {
            return BigDecimal.valueOf(l);
        }
        if (value instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (value instanceof Integer i) {
            return BigDecimal.valueOf(i);
        }
        if (value instanceof Float f) {
            return new BigDecimal(Float.toString(f));
        }
        if (value instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        throw new DlmsProtocolException("not a numeric value: " + this);
    }

    long toLong() {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof BigInteger b) {
            return b.longValueExact();
        }
        throw new DlmsProtocolException("not an integer value: " + this);
    }

    @SuppressWarnings("unchecked")
    List<DlmsData> elements() {
        if (tag != ARRAY && tag != STRUCTURE) {
            throw new DlmsProtocolException("not an array or structure: " + this);
        }
        return (List<DlmsData>) value;
    }

    @Override
    public String toString() {
        String v;
        if (value instanceof byte[] b) {
            v = Hex.of(b);
        } else {
            v = String.valueOf(value);
        }
        return typeName() + "(" + v + ")";
    }
}
