package io.dlmsgateway.dlms.client.internal;

import gurux.dlms.GXDLMSClient;
import gurux.dlms.GXDateTime;
import gurux.dlms.enums.DataType;
import java.math.BigDecimal;
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
            value = GXDLMSClient.changeType(bytes, DataType.DATETIME);
        }
        if (value instanceof GXDateTime dt && dt.getMeterCalendar() instanceof GregorianCalendar cal) {
            return cal.toZonedDateTime().toOffsetDateTime().toString();
        }
        return plain(raw);
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
        if (raw instanceof GXDateTime dt && dt.getMeterCalendar() instanceof GregorianCalendar cal) {
            return cal.toZonedDateTime().toOffsetDateTime().toString();
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
