package io.dlmsgateway.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux says about a process at one moment, from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}.
 *
 * @param cpuTicks    user plus system CPU time of all its threads, in clock ticks ({@code utime + stime})
 * @param rssKiB      resident set size now ({@code VmRSS})
 * @param rssPeakKiB  highest resident set size so far ({@code VmHWM})
 * @param threads     threads of the process ({@code Threads})
 */
public record ProcessSample(long cpuTicks, long rssKiB, long rssPeakKiB, int threads) {

    /** Reads the process's files now. */
    public static ProcessSample of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        return parse(Files.readString(proc.resolve("stat")), Files.readString(proc.resolve("status")));
    }

    /** Parses the text of {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}. */
    public static ProcessSample parse(String stat, String status) {
        return new ProcessSample(cpuTicks(stat), statusKiB(status, "VmRSS"), statusKiB(status, "VmHWM"),
                (int) statusNumber(status, "Threads"));
    }

    /**
     * utime (field 14) plus stime (field 15). The command name (field 2) is in parentheses and may itself hold spaces
     * and parentheses, so fields are counted from the last closing parenthesis, which is followed by field 3.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        final int first = 3;
        return Long.parseLong(fields[14 - first]) + Long.parseLong(fields[15 - first]);
    }

    private static long statusKiB(String status, String key) {
        return statusNumber(status, key);
    }

    /** The number on a line such as {@code VmRSS:   123456 kB} or {@code Threads:  42}. */
    static long statusNumber(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalArgumentException("no " + key + " in /proc/<pid>/status");
    }

    /** CPU seconds between two samples of the same process. */
    public static double cpuSeconds(ProcessSample from, ProcessSample to, long ticksPerSecond) {
        return (double) (to.cpuTicks - from.cpuTicks) / ticksPerSecond;
    }

    /** {@code getconf CLK_TCK}: 100 on every Linux in use, asked anyway. */
    public static long ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
