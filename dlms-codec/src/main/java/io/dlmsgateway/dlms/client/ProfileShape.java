package io.dlmsgateway.dlms.client;

import io.dlmsgateway.dlms.ObisCode;
import java.util.List;
import java.util.Objects;

/**
 * What a Profile Generic looks like on one meter, read by {@link DlmsConnection#readProfileShape}.
 *
 * @param profile              the profile's logical name
 * @param columns              its capture objects (attribute 3) in buffer order, with the captured registers'
 *                             scaler_units; cached for the association, since a meter changes them only when it is
 *                             reconfigured, which also clears the buffer
 * @param capturePeriodSeconds attribute 4: seconds between captures, 0 for an asynchronous profile (an event log)
 * @param clockColumn          index in {@code columns} of the first clock column (class 8 attribute 2), or -1
 * @param entriesInUse         attribute 7 as read with this shape; -1 when the meter refused it
 * @param profileEntries       attribute 8 as read with this shape (the buffer's capacity); -1 when refused
 */
public record ProfileShape(ObisCode profile, List<ProfileColumn> columns, long capturePeriodSeconds,
                           int clockColumn, long entriesInUse, long profileEntries) {

    public ProfileShape {
        Objects.requireNonNull(profile, "profile");
        columns = List.copyOf(columns);
    }

    /** The clock column, or null when the profile has none. */
    public ProfileColumn clock() {
        return clockColumn < 0 ? null : columns.get(clockColumn);
    }
}
