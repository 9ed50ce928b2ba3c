package io.dlmsgateway.spool;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One opaque record as the spool keeps it: a small key saying whose it is, when it was taken and the caller's
 * serialized bytes. The spool never looks inside the payload.
 *
 * <p>The payload array is not copied: do not change it after handing the record to {@link Spool#append}.
 *
 * @param key       who the record is about, e.g. the device name; may be empty, not null
 * @param timestamp when the record was taken, in the caller's unit (milliseconds since the epoch by convention)
 * @param payload   the serialized record
 */
public record SpoolRecord(String key, long timestamp, byte[] payload) {

    public SpoolRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * The bytes this record counts for in batch limits: its key in UTF-8 plus its payload. The size bound of the
     * spool adds a fixed per-record overhead on top, see {@link SpoolOptions#maxBytes()}.
     */
    public int size() {
        return key.getBytes(StandardCharsets.UTF_8).length + payload.length;
    }

    /** Equal when key, timestamp and payload content are equal (a record's default equals compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof SpoolRecord other && timestamp == other.timestamp && key.equals(other.key)
                && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * key.hashCode() + Long.hashCode(timestamp)) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "SpoolRecord[key=" + key + ", timestamp=" + timestamp + ", payload=" + payload.length + " bytes]";
    }
}
