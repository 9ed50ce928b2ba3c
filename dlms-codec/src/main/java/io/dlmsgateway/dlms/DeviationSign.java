package io.dlmsgateway.dlms;

/**
 * How a meter means the deviation of its date-times. The Blue Book defines it as the minutes from local time to
 * UTC (UTC = local + deviation, so Central European Time is -60), but many meters send the opposite sign (+60 for
 * CET), as Gurux's {@code UseUtc2NormalTime} setting acknowledges. It is a property of the meter's firmware, set per
 * device.
 */
public enum DeviationSign {

    /** As the Blue Book says: UTC = local time + deviation (CET is sent as -60). */
    STANDARD,

    /** The opposite, as many meters do: UTC = local time - deviation (CET is sent as +60). */
    INVERTED;

    /** The offset of local time from UTC, in minutes, that a deviation means (CET: +60). */
    public int offsetMinutes(int deviation) {
        return this == STANDARD ? -deviation : deviation;
    }

    /** The deviation to send for an offset of local time from UTC, in minutes. */
    public int deviation(int offsetMinutes) {
        return this == STANDARD ? -offsetMinutes : offsetMinutes;
    }
}
