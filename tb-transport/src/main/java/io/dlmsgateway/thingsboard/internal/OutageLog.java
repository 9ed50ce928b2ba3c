package io.dlmsgateway.thingsboard.internal;

import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;

/**
 * Logs connects and outages so that an operator sees one warning per outage, saying why in one line, and the retries
 * only at debug level. Not from the reconnector's attempt count: a lost connection reports attempt 0, but the first
 * failure of the first connect already attempt 1.
 *
 * <p>Threading: confined to the lane.
 */
final class OutageLog {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;

    private final ThingsBoardSettings settings;
    private boolean everConnected;
    /** Whether the current outage (or failing first connect) was logged at warning level already. */
    private boolean outageReported;

    OutageLog(ThingsBoardSettings settings) {
        this.settings = settings;
    }

    boolean everConnected() {
        return everConnected;
    }

    /** A connect succeeded; whether it was a reconnect. */
    boolean connected(int knownDevices) {
        outageReported = false;
        boolean reconnect = everConnected;
        if (reconnect) {
            LOG.info("Reconnected to ThingsBoard at {}:{}; announcing {} devices again", settings.host(),
                    settings.port(), knownDevices);
        } else {
            LOG.info("Connected to ThingsBoard at {}:{}", settings.host(), settings.port());
        }
        everConnected = true;
        return reconnect;
    }

    /** A connect attempt failed or the connection was lost; the next attempt is due in {@code delayMillis}. */
    void failed(Throwable cause, long delayMillis) {
        boolean firstFailure = !outageReported;
        outageReported = true;
        String reason = reason(cause);
        if (everConnected) {
            if (firstFailure) {
                LOG.warn("Connection to ThingsBoard at {}:{} lost ({}); reconnecting", settings.host(),
                        settings.port(), reason);
            } else {
                LOG.debug("Reconnect to ThingsBoard failed ({}); retrying in {} ms", reason, delayMillis);
            }
        } else if (firstFailure) {
            LOG.warn("Cannot connect to ThingsBoard at {}:{} ({}); retrying with backoff", settings.host(),
                    settings.port(), reason);
        } else {
            LOG.debug("Connecting to ThingsBoard failed ({}); retrying in {} ms", reason, delayMillis);
        }
    }

    /**
     * Why a connection failed, in one line. The MQTT client wraps a failed TLS handshake in a connection exception
     * whose message repeats the class names of the chain; the handshake's own message says what was wrong
     * (untrusted certificate, name mismatch, certificate required by the server).
     */
    static String reason(Throwable failure) {
        SSLException tls = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException ssl) {
                tls = ssl;
            }
        }
        if (tls != null) {
            return "TLS: " + tls.getMessage() + tlsHint(String.valueOf(tls.getMessage()));
        }
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }

    /** What the JDK's handshake messages mean for the TLS settings. */
    private static String tlsHint(String message) {
        if (message.startsWith("PKIX path")) {
            return "; the server's certificate does not chain to a CA certificate of the TLS CA file";
        }
        if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
            return "; the server's certificate is not issued for this host name or IP address";
        }
        if (message.startsWith("Received fatal alert: bad_certificate")
                || message.startsWith("Received fatal alert: certificate_required")) {
            return "; the server refused the client certificate, or requires one";
        }
        return "";
    }
}
