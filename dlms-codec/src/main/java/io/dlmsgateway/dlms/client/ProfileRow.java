package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.CosemDateTime;
import java.time.Instant;
import java.util.List;

/**
 * One row of a profile's buffer.
 *
 * @param time        the capture time in UTC: from the clock column, read through the settings'
 *                    {@link DlmsClientSettings#deviationSign()} (and {@link DlmsClientSettings#clockOffset()} when
 *                    the deviation is not specified); for a row whose clock is null or names no instant (compressed
 *                    profiles), the previous row's time plus the capture period, and then {@code timeDerived};
 *                    null when neither is possible (the first row of a reply without a clock, an asynchronous
 *                    profile's row without one)
 * @param timeDerived whether {@code time} was derived from the previous row rather than read
 * @param dateTime    the clock column as sent, null when the row's clock was null (or not a date-time)
 * @param values      one per column in column order (an unmodifiable list that may hold nulls): registers scaled
 *                    exactly as {@link MeasuredValue} values are ({@code BigDecimal}), the clock column as the ISO-8601
 *                    instant string of {@code time} (null without one), other values plain (numbers, hex octet
 *                    strings, strings, lists); null for a null-data value or a number that is not finite
 */
public record ProfileRow(Instant time, boolean timeDerived, CosemDateTime dateTime, List<Object> values) {

    /** Whether the meter flagged the row's clock invalid or doubtful (clock_status bits 0, 1 or 3). */
    public boolean clockUntrusted() {
        return dateTime != null && !dateTime.trusted();
    }
}
