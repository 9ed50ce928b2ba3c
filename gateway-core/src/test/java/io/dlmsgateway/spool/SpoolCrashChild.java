package io.dlmsgateway.spool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Run in a child JVM by {@link SpoolCrashTest}: appends records, says so, then keeps appending until it is killed,
 * never closing the spool; the late appends each set a mark. Arguments: spool directory, number of records, records per append, durability.
 */
public final class SpoolCrashChild {

    private SpoolCrashChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path directory = Path.of(args[0]);
        int records = Integer.parseInt(args[1]);
        int perAppend = Integer.parseInt(args[2]);
        SpoolDurability durability = SpoolDurability.valueOf(args[3]);
        Spool spool = Spool.open(SpoolOptions.file(directory).withDurability(durability));
        for (int i = 0; i < records; i += perAppend) {
            spool.append(SpoolFixture.records("m", i, Math.min(records, i + perAppend))).block(Duration.ofSeconds(30));
        }
        System.out.println("appended");
        System.out.flush();
        // more appends without waiting, so the kill may land while a write is under way; each moves a mark to the
        // record it carries, as a profile read moves its mark to its last row
        for (int i = records; ; i++) {
            spool.append(SpoolFixture.records("late", i, i + 1), Map.of("late", (long) i)).subscribe();
            Thread.sleep(1);
        }
    }
}
