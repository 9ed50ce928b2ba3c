package io.dlmsgateway.dlms;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * A COSEM date-time exactly as it travels: the octet-string of 12 (IEC 62056-6-2, 4.1.6.1), each field kept as sent,
 * "not specified" markers included, so that nothing the meter said is lost before it is interpreted.
 *
 * <p>Fields: year (uint16, {@code 0xFFFF} not specified), month (1..12, {@code 0xFD}/{@code 0xFE} daylight saving
 * end/begin, {@code 0xFF}), day of month (1..31, {@code 0xFD}/{@code 0xFE} second-last/last, {@code 0xFF}), day of
 * week (1..7 Monday first, {@code 0xFF}), hour, minute, second, hundredths ({@code 0xFF} each when not specified),
 * deviation (int16 minutes, {@code 0x8000} = {@link #DEVIATION_NOT_SPECIFIED}; its sign depends on the meter, see
 * {@link DeviationSign}) and clock status ({@code 0xFF} not specified; bit 0 invalid value, 1 doubtful value,
 * 2 different clock base, 3 invalid clock status, 7 daylight saving active).
 */
public record CosemDateTime(int year, int month, int dayOfMonth, int dayOfWeek, int hour, int minute, int second,
                            int hundredths, int deviation, int clockStatus) {

    /** The octet-string's length. */
    public static final int LENGTH = 12;
    /** A byte field that is not specified. */
    public static final int NOT_SPECIFIED = 0xFF;
    /** The year when not specified. */
    public static final int YEAR_NOT_SPECIFIED = 0xFFFF;
    /** The deviation when not specified ({@code 0x8000} as int16). */
    public static final int DEVIATION_NOT_SPECIFIED = Short.MIN_VALUE;

    public static final int STATUS_INVALID = 0x01;
    public static final int STATUS_DOUBTFUL = 0x02;
    public static final int STATUS_DIFFERENT_BASE = 0x04;
    public static final int STATUS_INVALID_STATUS = 0x08;
    public static final int STATUS_DAYLIGHT_SAVING = 0x80;

    /** Reads the 12 octets; fails with {@link IllegalArgumentException} on any other length. */
    public static CosemDateTime decode(byte[] octets) {
        if (octets == null || octets.length != LENGTH) {
            throw new IllegalArgumentException("a COSEM date-time has " + LENGTH + " octets, got "
                    + (octets == null ? "none" : octets.length));
        }
        return new CosemDateTime((octets[0] & 0xFF) << 8 | octets[1] & 0xFF, octets[2] & 0xFF, octets[3] & 0xFF,
                octets[4] & 0xFF, octets[5] & 0xFF, octets[6] & 0xFF, octets[7] & 0xFF, octets[8] & 0xFF,
                (short) ((octets[9] & 0xFF) << 8 | octets[10] & 0xFF), octets[11] & 0xFF);
    }

    /**
     * The date-time a meter keeping local time at {@code offset} from UTC shows at {@code instant}, with the
     * deviation signed as {@code sign} says and the given clock status; hundredths kept.
     */
    public static CosemDateTime of(Instant instant, ZoneOffset offset, DeviationSign sign, int clockStatus) {
        LocalDateTime local = LocalDateTime.ofInstant(instant, offset);
        return new CosemDateTime(local.getYear(), local.getMonthValue(), local.getDayOfMonth(),
                local.getDayOfWeek().getValue(), local.getHour(), local.getMinute(), local.getSecond(),
                local.getNano() / 10_000_000, sign.deviation(offset.getTotalSeconds() / 60), clockStatus);
    }

    /** The 12 octets. */
    public byte[] encode() {
        return new byte[]{(byte) (year >> 8), (byte) year, (byte) month, (byte) dayOfMonth, (byte) dayOfWeek,
                (byte) hour, (byte) minute, (byte) second, (byte) hundredths, (byte) (deviation >> 8),
                (byte) deviation, (byte) clockStatus};
    }

    /**
     * The instant this date-time names, or empty when it names none: a date or time field not specified (a
     * compressed profile's empty clock, a recurring date), a field out of range, or a deviation beyond ±18 h.
     * Hundredths that are not specified count as 0.
     *
     * @param sign           how this meter signs its deviation
     * @param whenUnspecified the offset of the meter's local time from UTC to assume when the deviation is not
     *                        specified (usually UTC, or the meter's configured zone)
     */
    public Optional<Instant> toInstant(DeviationSign sign, ZoneOffset whenUnspecified) {
        if (year == YEAR_NOT_SPECIFIED || month > 12 || dayOfMonth > 31 || hour == NOT_SPECIFIED
                || minute == NOT_SPECIFIED || second == NOT_SPECIFIED) {
            return Optional.empty();
        }
        try {
            ZoneOffset offset = deviation == DEVIATION_NOT_SPECIFIED ? whenUnspecified
                    : ZoneOffset.ofTotalSeconds(Math.multiplyExact(sign.offsetMinutes(deviation), 60));
            int nanos = hundredths == NOT_SPECIFIED || hundredths > 99 ? 0 : hundredths * 10_000_000;
            return Optional.of(LocalDateTime.of(year, month, dayOfMonth, hour, minute, second, nanos)
                    .toInstant(offset));
        } catch (DateTimeException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** Whether the clock status is specified at all ({@code 0xFF} is not). */
    public boolean statusSpecified() {
        return clockStatus != NOT_SPECIFIED;
    }

    /** The meter says this time is invalid (status bit 0), or that its status is (bit 3). */
    public boolean invalid() {
        return statusSpecified() && (clockStatus & (STATUS_INVALID | STATUS_INVALID_STATUS)) != 0;
    }

    /** The meter says this time is doubtful (status bit 1), e.g. after a power failure without a backup. */
    public boolean doubtful() {
        return statusSpecified() && (clockStatus & STATUS_DOUBTFUL) != 0;
    }

    /** Neither invalid nor doubtful by the meter's own status (a status not specified is trusted). */
    public boolean trusted() {
        return !invalid() && !doubtful();
    }

    /** The fields as sent, decimal ({@code 255} where not specified), for logs and the command line. */
    @Override
    public String toString() {
        return String.format("%d-%02d-%02d %02d:%02d:%02d.%02d deviation %s status 0x%02X", year, month, dayOfMonth,
                hour, minute, second, hundredths,
                deviation == DEVIATION_NOT_SPECIFIED ? "not specified" : Integer.toString(deviation), clockStatus);
    }
}
