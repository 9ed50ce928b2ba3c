package io.dlmsgateway.dlms.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A line-based TCP control channel onto a running {@link MeterSimulator}, so that another process (the load
 * harness's chaos soak) can set and heal meter faults at run time. One request per line, one answer per line:
 *
 * <pre>
 * fault &lt;meter&gt; &lt;FAULT&gt;   ok meter 7 STOP_ANSWERING     (any {@link MeterFault} by name, any case)
 * heal &lt;meter&gt;            ok meter 7 NONE
 * faults                  ok NONE CLOSE_CONNECTION ...        (the faults this simulator knows)
 * served &lt;meter&gt;          ok 42                              (readings the meter served since start)
 * </pre>
 *
 * Anything else is answered {@code error <reason>} and the connection stays open. Faults are looked up by name, so
 * a fault added to {@link MeterFault} is reachable here without a change.
 *
 * <p>It listens on the address given (loopback is what it is for: it takes no credentials) and serves each
 * connection on its own daemon thread with blocking sockets, never on the simulator's event loops.
 */
public final class SimulatorControlChannel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorControlChannel.class);

    private final MeterSimulator simulator;
    private final ServerSocket server;
    private volatile boolean closed;

    private SimulatorControlChannel(MeterSimulator simulator, ServerSocket server) {
        this.simulator = simulator;
        this.server = server;
    }

    /** Listens on {@code host:port} (0: any free port) and serves requests until closed. */
    public static SimulatorControlChannel start(MeterSimulator simulator, String host, int port) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(host, port), 8);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen for control on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        SimulatorControlChannel channel = new SimulatorControlChannel(simulator, server);
        Thread accept = new Thread(channel::acceptLoop, "dlms-sim-control");
        accept.setDaemon(true);
        accept.start();
        return channel;
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "dlms-sim-control-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("control channel: accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                     StandardCharsets.US_ASCII));
             PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(answer(line));
            }
        } catch (SocketException e) {
            // the peer went away
        } catch (IOException e) {
            LOG.debug("control channel: {}", e.toString());
        }
    }

    /** The answer to one request line. */
    String answer(String line) {
        String[] words = line.trim().split("\\s+");
        try {
            return switch (words[0].toLowerCase(Locale.ROOT)) {
                case "fault" -> {
                    need(words, 3, "fault <meter> <fault>");
                    SimulatedMeter m = meter(words[1]);
                    m.fault(fault(words[2]));
                    yield "ok meter " + m.index() + " " + m.fault();
                }
                case "heal" -> {
                    need(words, 2, "heal <meter>");
                    SimulatedMeter m = meter(words[1]);
                    m.heal();
                    yield "ok meter " + m.index() + " " + m.fault();
                }
                case "served" -> {
                    need(words, 2, "served <meter>");
                    yield "ok " + meter(words[1]).readingsServed();
                }
                case "faults" -> "ok " + knownFaults();
                default -> "error unknown request '" + words[0] + "'; known: fault <meter> <fault>, heal <meter>,"
                        + " faults, served <meter>";
            };
        } catch (IllegalArgumentException e) {
            return "error " + e.getMessage();
        }
    }

    private static void need(String[] words, int count, String usage) {
        if (words.length != count) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private SimulatedMeter meter(String word) {
        int index;
        try {
            index = Integer.parseInt(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a meter index: '" + word + "'");
        }
        if (index < 0 || index >= simulator.meterCount()) {
            throw new IllegalArgumentException("no meter " + index + "; meters are 0.." + (simulator.meterCount() - 1));
        }
        return simulator.meter(index);
    }

    private static MeterFault fault(String word) {
        try {
            return MeterFault.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fault '" + word + "'; known: " + knownFaults());
        }
    }

    private static String knownFaults() {
        return Arrays.stream(MeterFault.values()).map(Enum::name).collect(Collectors.joining(" "));
    }

    /** Stops listening; connections being served end with their peers. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
