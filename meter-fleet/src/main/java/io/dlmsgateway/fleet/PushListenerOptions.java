package io.dlmsgateway.fleet;

import io.dlmsgateway.dlms.Framing;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the push listener listens.
 *
 * @param host           address to bind ({@code 0.0.0.0} for every interface; meters connect from the network)
 * @param port           TCP port, 0 for any free one ({@link PushListener#localAddress()} tells which)
 * @param framing        WRAPPER or HDLC (UI frames), for every connection on this port
 * @param maxFrameBytes  largest frame (or reassembled HDLC segments) accepted; a peer sending more is closed
 * @param idleTimeout    a connection that sends nothing for this long is closed
 * @param maxConnections connections open at once; one more is closed at once and counted
 * @param bufferSize     notifications decoded but not yet taken by the subscriber; when full, reading from the
 *                       sockets pauses (TCP backpressure to the meters) until there is room
 */
public record PushListenerOptions(String host, int port, Framing framing, int maxFrameBytes, Duration idleTimeout,
                                  int maxConnections, int bufferSize) {

    public static final int DEFAULT_PORT = 4059;
    public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
    public static final int DEFAULT_BUFFER_SIZE = 8_192;

    public PushListenerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
        }
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " is below 64");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive");
        }
        if (maxConnections < 1 || bufferSize < 1) {
            throw new IllegalArgumentException("maxConnections and bufferSize must be positive");
        }
    }

    /** WRAPPER on {@code host:port} with the defaults. */
    public static PushListenerOptions of(String host, int port) {
        return new PushListenerOptions(host, port, Framing.WRAPPER, DEFAULT_MAX_FRAME_BYTES, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_CONNECTIONS, DEFAULT_BUFFER_SIZE);
    }

    public PushListenerOptions withFraming(Framing value) {
        return new PushListenerOptions(host, port, value, maxFrameBytes, idleTimeout, maxConnections, bufferSize);
    }

    public PushListenerOptions withMaxFrameBytes(int value) {
        return new PushListenerOptions(host, port, framing, value, idleTimeout, maxConnections, bufferSize);
    }

    public PushListenerOptions withIdleTimeout(Duration value) {
        return new PushListenerOptions(host, port, framing, maxFrameBytes, value, maxConnections, bufferSize);
    }

    public PushListenerOptions withMaxConnections(int value) {
        return new PushListenerOptions(host, port, framing, maxFrameBytes, idleTimeout, value, bufferSize);
    }

    public PushListenerOptions withBufferSize(int value) {
        return new PushListenerOptions(host, port, framing, maxFrameBytes, idleTimeout, maxConnections, value);
    }
}
