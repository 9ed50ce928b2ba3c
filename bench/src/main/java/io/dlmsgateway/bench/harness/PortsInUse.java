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

    /**
     * Sockets by state whose local port is in {@code [first, first + count)} and whose local address conflicts with
     * a bind on {@code host} (the same address, or a wildcard), in the given table lines. A client socket to
     * 127.0.0.1 does not keep a simulator from binding the same port on 127.0.0.2.
     */
    static Map<String, Integer> inRange(List<String> tableLines, String host, int first, int count) {
        String ipv4 = hexIpv4(host);
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
            String address = f[1].substring(0, colon).toUpperCase(Locale.ROOT);
            if (port >= first && port < first + count && conflicts(address, ipv4)) {
                byState.merge(STATES.getOrDefault(f[3].toUpperCase(Locale.ROOT), f[3]), 1, Integer::sum);
            }
        }
        return byState;
    }

    /**
     * The address as {@code /proc/net/tcp} writes it (four bytes in the kernel's little-endian order), or null when
     * it is not an IPv4 literal: then every socket in the range counts.
     */
    static String hexIpv4(String host) {
        String[] parts = host.split("\\.");
        if (parts.length != 4) {
            return null;
        }
        try {
            StringBuilder hex = new StringBuilder();
            for (int i = 3; i >= 0; i--) {
                int b = Integer.parseInt(parts[i]);
                if (b < 0 || b > 255) {
                    return null;
                }
                hex.append(String.format(Locale.ROOT, "%02X", b));
            }
            return hex.toString();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether a socket bound to {@code address} (hex, tcp or tcp6 form) stands in the way of binding {@code ipv4}. */
    private static boolean conflicts(String address, String ipv4) {
        if (ipv4 == null || address.chars().allMatch(c -> c == '0')) {
            return true; // unknown host, or a wildcard socket
        }
        // IPv4 (8 digits) or IPv4-mapped IPv6 (::ffff:a.b.c.d, its last 8 digits)
        return address.length() == 8 ? address.equals(ipv4)
                : address.startsWith("0000000000000000FFFF0000") && address.endsWith(ipv4);
    }

    /** Sockets by state holding a port of the range now; empty when it is free or the tables cannot be read. */
    static Map<String, Integer> now(String host, int first, int count) {
        Map<String, Integer> all = new TreeMap<>();
        for (Path table : TABLES) {
            try {
                inRange(Files.readAllLines(table), host, first, count).forEach((k, v) -> all.merge(k, v, Integer::sum));
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
    static Map<String, Integer> awaitFree(String host, int first, int count, Duration timeout, PrintStream progress)
            throws InterruptedException {
        overlapWarning(first, count).ifPresent(w -> progress.println("[harness] " + w));
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> held = now(host, first, count);
        if (!held.isEmpty()) {
            progress.println("[harness] ports " + first + ".." + (first + count - 1) + " on " + host
                    + " are held by " + held
                    + "; waiting up to " + timeout.toSeconds() + " s for them to be free");
        }
        while (!held.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2_000);
            held = now(host, first, count);
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
                        + " simulator may fail to bind; ports below " + low + " are safer, or a --host of its own such as"
                        + " 127.0.0.2 (client sockets to 127.0.0.1 do not hold ports there)");
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return java.util.Optional.empty();
    }
}
