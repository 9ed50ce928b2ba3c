package io.dlmsgateway.thingsboard;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Why the gateway is not connected to ThingsBoard, told apart the way an operator fixes it: the credentials, the TLS
 * files, the host name, the network, or ThingsBoard itself.
 *
 * @param kind   which of those
 * @param detail what the failure said, in one line
 */
public record ConnectionProblem(Kind kind, String detail) {

    /** The kinds of problem, each with what to check. */
    public enum Kind {
        /** CONNACK "not authorized" or "bad user name or password". */
        AUTHENTICATION_REFUSED("authentication refused",
                "check the gateway device's access token (thingsboard.security) and that the device is marked"
                        + " 'Is gateway' in ThingsBoard"),
        /** The TLS handshake failed. */
        TLS_REFUSED("TLS refused", "check the CA file, the client certificate and key, and the host name in"
                + " thingsboard.host against the server's certificate"),
        /** The host name does not resolve. */
        HOST_UNKNOWN("host name unknown", "check thingsboard.host and the DNS of this machine"),
        /** No route to the host. */
        HOST_UNREACHABLE("host unreachable", "check the network between this machine and thingsboard.host"),
        /** Nothing listens on the port (or a firewall rejects it). */
        CONNECTION_REFUSED("connection refused", "check that ThingsBoard's MQTT transport runs, and thingsboard.port"
                + " (1883 plain, 8883 TLS)"),
        /** No answer in time: a firewall that drops packets, or an overloaded server. */
        TIMEOUT("no answer", "check firewalls between this machine and thingsboard.host:port"),
        /** The server refused for another reason (unavailable, client id rejected), or closed the connection. */
        SERVER_REFUSED("refused by the server", "check ThingsBoard's own log"),
        /** A connection that worked was lost. */
        CONNECTION_LOST("connection lost", "the gateway reconnects by itself"),
        /** Anything else. */
        OTHER("failed", "see the reason");

        private final String text;
        private final String hint;

        Kind(String text, String hint) {
            this.text = text;
            this.hint = hint;
        }

        /** In plain words: {@code authentication refused}. */
        public String text() {
            return text;
        }

        /** What to check. */
        public String hint() {
            return hint;
        }
    }

    public ConnectionProblem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    /** The problem a connect failure (or the cause of a lost connection) stands for. */
    public static ConnectionProblem of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Mqtt3ConnAckException connAck) {
                Mqtt3ConnAckReturnCode code = connAck.getMqttMessage().getReturnCode();
                return new ConnectionProblem(code == Mqtt3ConnAckReturnCode.NOT_AUTHORIZED
                        || code == Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD ? Kind.AUTHENTICATION_REFUSED
                        : Kind.SERVER_REFUSED, "CONNACK " + code);
            }
            if (t instanceof SSLException ssl) {
                return new ConnectionProblem(Kind.TLS_REFUSED, String.valueOf(ssl.getMessage()));
            }
            if (t instanceof UnknownHostException unknown) {
                return new ConnectionProblem(Kind.HOST_UNKNOWN, "cannot resolve " + unknown.getMessage());
            }
            if (t instanceof NoRouteToHostException) {
                return new ConnectionProblem(Kind.HOST_UNREACHABLE, plain(t));
            }
            if (t instanceof ConnectException) {
                return new ConnectionProblem(Kind.CONNECTION_REFUSED, plain(t));
            }
            if (t.getClass().getSimpleName().contains("Timeout")) {
                return new ConnectionProblem(Kind.TIMEOUT, plain(t));
            }
        }
        String message = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        return new ConnectionProblem(message.contains("Server closed connection") || message.contains("closed")
                ? Kind.CONNECTION_LOST : Kind.OTHER, message);
    }

    /**
     * Netty's connect exceptions carry "finishConnect(..) failed: " and the address after the OS's message; an
     * operator needs the message and the address only.
     */
    private static String plain(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int colon = m.indexOf("failed: ");
        return colon >= 0 ? m.substring(colon + "failed: ".length()) : m;
    }

    /** One line for a log or a health reply: {@code authentication refused (CONNACK NOT_AUTHORIZED); check ...}. */
    public String describe() {
        return kind.text + " (" + detail + "); " + kind.hint;
    }
}
