package io.dlmsgateway.dlms;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One A-XDR {@code Data} value with its type, as it goes to a meter (a SET's value, an ACTION's parameter) or comes
 * from one (a GET, an ACTION's return, a push notification's body).
 *
 * <p>How each type holds its value: {@code null-data} null; {@code boolean} Boolean; the integer types
 * ({@link DlmsType#isInteger()}) Long, in the type's range; float32/float64 Double; octet-string, bcd, date-time, date
 * and time {@code byte[]} (the octets as on the wire: a date-time is 12 of them, see {@link CosemDateTime});
 * visible-string and utf8-string String; bit-string a String of {@code 0} and {@code 1}; array and structure a
 * {@code List<DlmsValue>}. long64-unsigned values above {@code Long.MAX_VALUE} are not representable here and are
 * refused where they are made.
 *
 * @param type  the A-XDR type
 * @param value the value in the form above
 */
public record DlmsValue(DlmsType type, Object value) {

    public static final DlmsValue NULL = new DlmsValue(DlmsType.NULL_DATA, null);

    public DlmsValue {
        Objects.requireNonNull(type, "type");
        String problem = problem(type, value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (value instanceof byte[] octets) {
            value = octets.clone();
        } else if (value instanceof List<?> list) {
            value = List.copyOf(list);
        }
    }

    /** An integer of the given type, checked against its range. */
    public static DlmsValue integer(DlmsType type, long value) {
        return new DlmsValue(type, value);
    }

    public static DlmsValue octets(byte[] value) {
        return new DlmsValue(DlmsType.OCTET_STRING, value);
    }

    public static DlmsValue visible(String value) {
        return new DlmsValue(DlmsType.VISIBLE_STRING, value);
    }

    public static DlmsValue bool(boolean value) {
        return new DlmsValue(DlmsType.BOOLEAN, value);
    }

    public static DlmsValue structure(List<DlmsValue> elements) {
        return new DlmsValue(DlmsType.STRUCTURE, elements);
    }

    public static DlmsValue array(List<DlmsValue> elements) {
        return new DlmsValue(DlmsType.ARRAY, elements);
    }

    /** The value as a whole number; for the integer types. */
    public long longValue() {
        if (!(value instanceof Long l)) {
            throw new IllegalStateException(type + " is not a whole number");
        }
        return l;
    }

    /** The elements of an array or structure. */
    @SuppressWarnings("unchecked")
    public List<DlmsValue> elements() {
        if (!(value instanceof List<?>)) {
            throw new IllegalStateException(type + " has no elements");
        }
        return (List<DlmsValue>) value;
    }

    /** The octets of an octet-string, bcd, date-time, date or time (a copy). */
    public byte[] octets() {
        if (!(value instanceof byte[] b)) {
            throw new IllegalStateException(type + " holds no octets");
        }
        return b.clone();
    }

    /**
     * The octets of an octet-string as text when every one is printable ASCII (a logical device name, a serial
     * number, a customer note), so that people read {@code GRXSIM0000000001} rather than its hex; empty otherwise, and
     * for an empty octet-string.
     */
    public java.util.Optional<String> printableText() {
        if (type != DlmsType.OCTET_STRING || ((byte[]) value).length == 0) {
            return java.util.Optional.empty();
        }
        for (byte b : (byte[]) value) {
            if (b < 0x20 || b >= 0x7F) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of(new String((byte[]) value, java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static String problem(DlmsType type, Object value) {
        return switch (type) {
            case NULL_DATA -> value == null ? null : "null-data holds no value";
            case BOOLEAN -> value instanceof Boolean ? null : "boolean needs true or false";
            case FLOAT32, FLOAT64 -> value instanceof Double ? null : type + " needs a number";
            case OCTET_STRING, BCD, DATE_TIME, DATE, TIME -> {
                if (!(value instanceof byte[] b)) {
                    yield type + " needs octets";
                }
                int needed = type == DlmsType.DATE_TIME ? 12 : type == DlmsType.DATE ? 5 : type == DlmsType.TIME ? 4
                        : -1;
                yield needed < 0 || b.length == needed ? null : type + " needs " + needed + " octets, got " + b.length;
            }
            case VISIBLE_STRING, UTF8_STRING -> value instanceof String ? null : type + " needs a string";
            case BIT_STRING -> value instanceof String s && s.chars().allMatch(c -> c == '0' || c == '1') ? null
                    : "bit-string needs a string of 0 and 1";
            case ARRAY, STRUCTURE -> value instanceof List<?> l && l.stream().allMatch(DlmsValue.class::isInstance)
                    ? null : type + " needs a list of values";
            default -> {
                if (!(value instanceof Long l)) {
                    yield type + " needs a whole number";
                }
                yield l >= type.min() && l <= type.max() ? null
                        : type + " takes " + type.min() + ".." + type.max() + ", not " + l;
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DlmsValue other) || other.type != type) {
            return false;
        }
        return value instanceof byte[] b ? other.value instanceof byte[] ob && Arrays.equals(b, ob)
                : Objects.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + (value instanceof byte[] b ? Arrays.hashCode(b) : Objects.hashCode(value));
    }

    @Override
    public String toString() {
        return type + " " + (value instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(value));
    }
}
