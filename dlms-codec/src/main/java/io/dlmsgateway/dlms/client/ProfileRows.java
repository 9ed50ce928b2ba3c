package io.dlmsgateway.dlms.client;

import java.util.List;
import java.util.Objects;

/** Rows of a profile as one read returned them, in the meter's order, with the shape they were decoded by. */
public record ProfileRows(ProfileShape shape, List<ProfileRow> rows) {

    public ProfileRows {
        Objects.requireNonNull(shape, "shape");
        rows = List.copyOf(rows);
    }
}
