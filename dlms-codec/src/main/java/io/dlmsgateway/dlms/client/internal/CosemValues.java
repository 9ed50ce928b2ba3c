package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXDateTime;
import gurux.dlms.enums.DataType;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.GregorianCalendar;
import java.util.HexFormat;
import java.util.List;

/** Turns what Gurux decoded from A-XDR into plain Java values a JSON mapper or a dashboard understands. */
public final class CosemValues {

    private CosemValues() {
    }

    /**
     * Applies a register's scaler: {@code raw x 10^scaler}, exactly, as a {@link BigDecimal}. A non-numeric value is
     * returned as it is.
     */
    public static Object scale(Object raw, int scaler) {
        BigDecimal decimal = toBigDecimal(raw);
        if (decimal == null) {
            return plain(raw);
        }
        BigDecimal scaled = decimal.scaleByPowerOfTen(scaler);
        // 5E+3 prints as 5000 this way, in JSON as in logs
        return scaled.scale() < 0 ? scaled.setScale(0) : scaled;
    }

    /** A clock's octet-string date-time as ISO-8601 with the meter's offset; hex when it is not a valid date. */
    public static Object dateTime(Object raw) {
        Object value = raw;
        if (raw instanceof byte[] bytes && bytes.length == 12) {
            try {
                value = GXDLMSClient.changeType(bytes, DataType.DATETIME);
            } catch (RuntimeException e) {
                return plain(raw); // no date Gurux can read: the bytes as they came
            }
        }
        if (value instanceof GXDateTime dt) {
            String iso = iso(dt);
            if (iso != null) {
                return iso;
            }
            // a deviation no zone can have (beyond ±18 h): the bytes as they came, not an exception
            return raw instanceof byte[] ? plain(raw) : text(dt);
        }
        return plain(raw);
    }

    /** Gurux's own rendering of a date-time it could not give an offset; never an exception. */
    private static String text(GXDateTime dt) {
        try {
            return dt.toString();
        } catch (RuntimeException e) {
            return "invalid date-time";
        }
    }

    /** ISO-8601 with the meter's offset, or null when the meter's deviation is no valid offset. */
    private static String iso(GXDateTime dt) {
        if (!(dt.getMeterCalendar() instanceof GregorianCalendar cal)) {
            return null;
        }
        try {
            return cal.toZonedDateTime().toOffsetDateTime().toString();
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** Gurux's unsigned and enum wrappers become Java numbers, octet strings hex, structures lists. */
    public static Object plain(Object raw) {
        if (raw == null) {
            return "";
        }
        if (raw instanceof Byte || raw instanceof Short || raw instanceof Integer || raw instanceof Long
                || raw instanceof Float || raw instanceof Double || raw instanceof BigDecimal
                || raw instanceof BigInteger) {
            return raw;
        }
        if (raw instanceof Number n) {
            // GXUInt8/16/32, GXEnum: fit in a long; GXUInt64 may not
            BigInteger big = new BigInteger(n.toString());
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        if (raw instanceof byte[] bytes) {
            return HexFormat.of().withUpperCase().formatHex(bytes);
        }
        if (raw instanceof GXDateTime dt) {
            String iso = iso(dt);
            return iso != null ? iso : text(dt);
        }
        if (raw instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(plain(o));
            }
            return out;
        }
        if (raw instanceof Boolean || raw instanceof String) {
            return raw;
        }
        return raw.toString();
    }

    /**
     * An integer value as a long, or null when it is no integer or does not fit: Gurux's {@code GXUInt64} throws
     * from {@code intValue()}, {@code longValue()} and {@code byteValue()} for values beyond a long or an int, so a
     * meter's number is never narrowed through them.
     */
    public static Long exactLong(Object raw) {
        if (raw instanceof Byte || raw instanceof Short || raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Float || raw instanceof Double || raw instanceof BigDecimal || !(raw instanceof Number)) {
            return null;
        }
        try {
            BigInteger big = new BigInteger(raw.toString());
            return big.bitLength() < 64 ? big.longValue() : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BigDecimal toBigDecimal(Object raw) {
        if (raw instanceof Float || raw instanceof Double) {
            double d = ((Number) raw).doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        if (raw instanceof BigDecimal b) {
            return b;
        }
        if (raw instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        return null;
    }
}
