package io.dlmsgateway.spool;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Records whose payload says which they are, so a test can tell any two apart and check their content. */
final class SpoolFixture {

    static final int PAYLOAD_SIZE = 300;

    private SpoolFixture() {
    }

    /** Record {@code i} of {@code key}: a 300-byte payload starting with {@code key#i}. */
    static SpoolRecord record(String key, int i) {
        byte[] payload = new byte[PAYLOAD_SIZE];
        Arrays.fill(payload, (byte) ('a' + i % 26));
        byte[] label = (key + "#" + i).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, payload, 0, label.length);
        return new SpoolRecord(key, 1_700_000_000_000L + i, payload);
    }

    /** Records {@code from..to-1} of {@code key}. */
    static List<SpoolRecord> records(String key, int from, int to) {
        List<SpoolRecord> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(record(key, i));
        }
        return records;
    }

    /** What a 300-byte record with a one-character key counts against the bound. */
    static long storedSize() {
        return 1 + PAYLOAD_SIZE + SpoolOptions.RECORD_OVERHEAD_BYTES;
    }
}
