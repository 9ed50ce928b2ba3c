package io.dlmsgateway.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a class histogram ({@code jcmd GC.class_histogram}, taken after a full collection) says is live.
 *
 * <p>The serial collector's full collection leaves some dead space in place on purpose ({@code MarkSweepDeadRatio},
 * up to 5 % of the old generation) and fills it with dummy objects: {@code jdk.internal.vm.FillerElement[]} on JDK 21
 * and later, where the histogram names them, {@code int[]} before, where it cannot tell them from real arrays. "Heap
 * after GC" counts that space; the live figure here leaves out what the histogram names as fillers.
 */
final class ClassHistogram {

    /** A histogram line: rank, instances, bytes, class name. */
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
    private static final String FILLER = "[Ljdk.internal.vm.FillerElement;";

    private ClassHistogram() {
    }

    /** Bytes of live objects in the histogram text: its total less the collector's fillers; empty without a total. */
    static OptionalLong liveBytes(String histogram) {
        long fillers = 0;
        long total = -1;
        for (String line : histogram.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                if (m.group(3).equals(FILLER)) {
                    fillers += Long.parseLong(m.group(2));
                }
                continue;
            }
            Matcher t = TOTAL.matcher(line.trim());
            if (t.find()) {
                total = Long.parseLong(t.group(2));
            }
        }
        return total < 0 ? OptionalLong.empty() : OptionalLong.of(total - fillers);
    }

    /** As {@link #liveBytes(String)} for a histogram file; empty when there is none or it cannot be read. */
    static OptionalLong liveBytes(Path file) {
        try {
            return Files.isRegularFile(file) ? liveBytes(Files.readString(file)) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }
}
