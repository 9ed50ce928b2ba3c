package io.dlmsgateway.dlms;

import java.util.Locale;
import java.util.Optional;

/**
 * The A-XDR data types of IEC 62056-6-2 (the {@code Data} CHOICE), by the names the Blue Book gives them, as users
 * write them in a {@code set}, an {@code execute} or a configured RPC ({@code "long-unsigned"}, {@code "octet-string"}).
 */
public enum DlmsType {
    NULL_DATA(0, "null-data"),
    ARRAY(1, "array"),
    STRUCTURE(2, "structure"),
    BOOLEAN(3, "boolean"),
    BIT_STRING(4, "bit-string"),
    DOUBLE_LONG(5, "double-long"),
    DOUBLE_LONG_UNSIGNED(6, "double-long-unsigned"),
    OCTET_STRING(9, "octet-string"),
    VISIBLE_STRING(10, "visible-string"),
    UTF8_STRING(12, "utf8-string"),
    BCD(13, "bcd"),
    INTEGER(15, "integer"),
    LONG(16, "long"),
    UNSIGNED(17, "unsigned"),
    LONG_UNSIGNED(18, "long-unsigned"),
    LONG64(20, "long64"),
    LONG64_UNSIGNED(21, "long64-unsigned"),
    ENUM(22, "enum"),
    FLOAT32(23, "float32"),
    FLOAT64(24, "float64"),
    DATE_TIME(25, "date-time"),
    DATE(26, "date"),
    TIME(27, "time");

    private final int tag;
    private final String text;

    DlmsType(int tag, String text) {
        this.tag = tag;
        this.text = text;
    }

    /** The type's tag in A-XDR ({@code 0x12} for long-unsigned). */
    public int tag() {
        return tag;
    }

    /** The Blue Book's name: {@code long-unsigned}. */
    public String text() {
        return text;
    }

    /** True for the types whose value is a whole number ({@link DlmsValue} holds it as a {@code Long}). */
    public boolean isInteger() {
        return switch (this) {
            case DOUBLE_LONG, DOUBLE_LONG_UNSIGNED, INTEGER, LONG, UNSIGNED, LONG_UNSIGNED, LONG64, LONG64_UNSIGNED,
                    ENUM -> true;
            default -> false;
        };
    }

    /** The smallest value of an integer type (long64-unsigned: 0, its upper half needs a {@code BigInteger}). */
    public long min() {
        return switch (this) {
            case INTEGER -> Byte.MIN_VALUE;
            case LONG -> Short.MIN_VALUE;
            case DOUBLE_LONG -> Integer.MIN_VALUE;
            case LONG64 -> Long.MIN_VALUE;
            default -> 0;
        };
    }

    /** The largest value of an integer type (long64-unsigned: Long.MAX_VALUE here, see {@link DlmsValue}). */
    public long max() {
        return switch (this) {
            case INTEGER -> Byte.MAX_VALUE;
            case LONG -> Short.MAX_VALUE;
            case DOUBLE_LONG -> Integer.MAX_VALUE;
            case UNSIGNED, ENUM -> 0xFF;
            case LONG_UNSIGNED -> 0xFFFF;
            case DOUBLE_LONG_UNSIGNED -> 0xFFFF_FFFFL;
            case LONG64, LONG64_UNSIGNED -> Long.MAX_VALUE;
            default -> 0;
        };
    }

    /** The type of a Blue Book name, either case, {@code _} taken for {@code -}; empty when there is none. */
    public static Optional<DlmsType> of(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DlmsType t : values()) {
            if (t.text.equals(wanted)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The type of an A-XDR tag; empty for tags outside the Data CHOICE (and for the unused 7, 8, 11, 14, 19). */
    public static Optional<DlmsType> ofTag(int tag) {
        for (DlmsType t : values()) {
            if (t.tag == tag) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Every name, for messages: {@code null-data, array, ...}. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (DlmsType t : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(t.text);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
