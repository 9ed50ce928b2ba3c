package io.dlmsgateway.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** What the harness reads about the machine and its own limits from {@code /proc}. */
final class MachineFacts {

    private MachineFacts() {
    }

    static LoadReport.Machine machine() {
        double memGiB = 0;
        String cpu = "unknown";
        try {
            memGiB = ProcessSample.statusNumber(Files.readString(Path.of("/proc/meminfo")), "MemTotal")
                    / 1024.0 / 1024.0;
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // not Linux, or an unusual /proc: the report says unknown
        }
        return new LoadReport.Machine(Runtime.getRuntime().availableProcessors(),
                Math.round(memGiB * 10) / 10.0, cpu, System.getProperty("os.version"));
    }

    /**
     * The soft limit of a resource of this process from {@code /proc/self/limits}, e.g. {@code Max open files}.
     * A JVM raises its own open-file soft limit to the hard limit at start, so for open files this is what every
     * JVM the harness starts gets too.
     */
    static OptionalLong softLimit(String resource) {
        try {
            return softLimit(Files.readString(Path.of("/proc/self/limits")), resource);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong softLimit(String limitsFile, String resource) {
        for (String line : limitsFile.split("\n")) {
            if (line.startsWith(resource + " ")) {
                String[] parts = line.substring(resource.length()).trim().split("\\s+");
                return parts[0].equals("unlimited") ? OptionalLong.of(Long.MAX_VALUE)
                        : OptionalLong.of(Long.parseLong(parts[0]));
            }
        }
        return OptionalLong.empty();
    }
}
