package io.dlmsgateway.thingsboard;

import java.util.List;
import java.util.Objects;

/**
 * Telemetry of any number of devices to be published together, with a context of the caller's choice that comes back
 * in the batch's {@link TelemetryAck} (for example the sequence numbers of a disk spool to delete once acknowledged).
 *
 * @param entries telemetry entries; several entries of one device are sent in the given order
 * @param context caller's context, returned untouched
 * @param <C>     type of the caller's context
 */
public record TelemetryBatch<C>(List<DeviceTelemetry> entries, C context) {

    public TelemetryBatch {
        entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
    }
}
