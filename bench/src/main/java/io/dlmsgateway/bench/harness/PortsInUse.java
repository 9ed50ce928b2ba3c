package io.dlmsgateway.bench.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which of the meters' ports a TCP socket of any process holds now, from {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}. The simulators bind every port of their range; a port held by another socket, even one in
 * TIME-WAIT, makes that bind fail ("Address already in use"). The usual holder is the harness's own previous run:
 * a target that exits closes its client sockets first, and they stay in TIME-WAIT for a minute on their ephemeral
 * ports, which lie in the meters' range whenever that range overlaps {@code ip_local_port_range} (32768-60999 by
 * default). So before starting the simulators the harness waits until the range is free.
 */
final class PortsInUse {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final Path EPHEMERAL = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final Map<String, String> STATES = Map.ofEntries(Map.entry("01", "ESTABLISHED"),
            Map.entry("02", "SYN-SENT"), Map.entry("03", "SYN-RECV"), Map.entry("04", "FIN-WAIT-1"),
            Map.entry("05", "FIN-WAIT-2"), Map.entry("06", "TIME-WAIT"), Map.entry("07", "CLOSE"),
            Map.entry("08", "CLOSE-WAIT"), Map.entry("09", "LAST-ACK"), Map.entry("0A", "LISTEN"),
            Map.entry("0B", "CLOSING"));

    private PortsInUse() {
    }

    /** Sockets by state whose local port is in {@code [first, first + count)}, in the given table lines. */
    static Map<String, Integer> inRange(List<String> tableLines, int first, int count) {
        Map<String, Integer> byState = new TreeMap<>();
        for (String line : tableLines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":")) {
                continue; // the header
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            int port;
            try {
                port = Integer.parseInt(f[1].substring(colon + 1), 16);
            } catch (NumberFormatException e) {
                continue;
            }
            if (port >= first && port < first + count) {
                byState.merge(STATES.getOrDefault(f[3].toUpperCase(Locale.ROOT), f[3]), 1, Integer::sum);
            }
        }
        return byState;
    }

    /** Sockets by state holding a port of the range now; empty when it is free or the tables cannot be read. */
    static Map<String, Integer> now(int first, int count) {
        Map<String, Integer> all = new TreeMap<>();
        for (Path table : TABLES) {
            try {
                inRange(Files.readAllLines(table), first, count).forEach((k, v) -> all.merge(k, v, Integer::sum));
            } catch (IOException | RuntimeException e) {
                // not Linux, or no IPv6: nothing to say
            }
        }
        return all;
    }

    /**
     * Waits until no socket holds a port of the range, at most {@code timeout}; says on {@code progress} what it
     * waits for. Returns what still holds ports when it gives up (empty: free).
     */
    static Map<String, Integer> awaitFree(int first, int count, Duration timeout, PrintStream progress)
            throws InterruptedException {
        overlapWarning(first, count).ifPresent(w -> progress.println("[harness] " + w));
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> held = now(first, count);
        if (!held.isEmpty()) {
            progress.println("[harness] ports " + first + ".." + (first + count - 1) + " are held by " + held
                    + "; waiting up to " + timeout.toSeconds() + " s for them to be free");
        }
        while (!held.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2_000);
            held = now(first, count);
        }
        return held;
    }

    private static java.util.Optional<String> overlapWarning(int first, int count) {
        try {
            String[] range = Files.readString(EPHEMERAL).trim().split("\\s+");
            int low = Integer.parseInt(range[0]);
            int high = Integer.parseInt(range[1]);
            int last = first + count - 1;
            if (first <= high && last >= low) {
                return java.util.Optional.of("meters' ports " + first + ".." + last + " overlap the ephemeral range "
                        + low + ".." + high + ": any client socket on this machine may hold one of them, so a"
                        + " simulator may fail to bind; ports below " + low + " are safer");
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return java.util.Optional.empty();
    }
}
