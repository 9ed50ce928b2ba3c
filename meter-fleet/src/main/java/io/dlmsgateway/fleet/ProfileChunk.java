package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.ProfileRow;
import io.dlmsgateway.dlms.client.ProfileShape;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Rows of one meter's profile that one read brought and that come after the mark: the unit a {@link ProfileStore}
 * stores, together with the new mark, before the fleet reads the next chunk.
 *
 * @param meter   the meter's name ({@link Meter#name()})
 * @param profile the profile's OBIS code
 * @param shape   the profile's columns as read on this association (capture objects with the registers'
 *                scaler and unit), its capture period, its clock column
 * @param rows    the new rows in capture order; a row whose time could neither be read nor derived has
 *                {@code time() == null} (the consumer counts and reports it; it has no place in a time series)
 */
public record ProfileChunk(String meter, ObisCode profile, ProfileShape shape, List<ProfileRow> rows) {

    public ProfileChunk {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(shape, "shape");
        rows = List.copyOf(rows);
    }

    /** The capture time of the chunk's last row with a time: the mark once the chunk is stored. */
    public Optional<Instant> lastTime() {
        Instant last = null;
        for (ProfileRow row : rows) {
            if (row.time() != null && (last == null || row.time().isAfter(last))) {
                last = row.time();
            }
        }
        return Optional.ofNullable(last);
    }

    @Override
    public String toString() {
        return "ProfileChunk[" + meter + " " + profile + ", " + rows.size() + " rows"
                + lastTime().map(t -> " up to " + t).orElse("") + "]";
    }
}
