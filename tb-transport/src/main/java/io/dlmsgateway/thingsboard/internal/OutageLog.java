package io.dlmsgateway.thingsboard.internal;

import io.dlmsgateway.thingsboard.ConnectionProblem;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.time.Duration;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;

/**
 * Logs connects and outages so that an operator sees one warning when an outage begins, saying why in one line, then
 * one line a minute while it lasts (with the number of attempts, so a reconnect loop is visibly alive) and the end
 * with the outage's length; every attempt in between only at debug level. Not from the reconnector's attempt count:
 * a lost connection reports attempt 0, but the first failure of the first connect already attempt 1.
 *
 * <p>Threading: confined to the lane.
 */
final class OutageLog {

    private static final Logger LOG = HiveMqThingsBoardTransport.LOG;
    /** How often a lasting outage is reported again. */
    static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

    private final ThingsBoardSettings settings;
    private final LongSupplier nanoTime;
    private boolean everConnected;
    /** Whether the current outage (or failing first connect) was logged at warning level already. */
    private boolean outageReported;
    /** Failed attempts in the current outage, and when it began and was last summarized (nanoTime). */
    private long failures;
    private long outageStart;
    private long lastSummary;
    /** Why the gateway is not connected now; null while connected. Read from any thread (health, statistics). */
    private volatile ConnectionProblem problem;

    OutageLog(ThingsBoardSettings settings) {
        this(settings, System::nanoTime);
    }

    OutageLog(ThingsBoardSettings settings, LongSupplier nanoTime) {
        this.settings = settings;
        this.nanoTime = nanoTime;
    }

    /** Why the transport is not connected now; null while it is (or before its first attempt ended). */
    ConnectionProblem problem() {
        return problem;
    }

    boolean everConnected() {
        return everConnected;
    }

    /** A connect succeeded; whether it was a reconnect. */
    boolean connected(int knownDevices) {
        boolean reconnect = everConnected;
        String outage = outageReported ? " after " + failures + " failed attempts in "
                + seconds(nanoTime.getAsLong() - outageStart) : "";
        if (reconnect) {
            LOG.info("Reconnected to ThingsBoard at {}:{}{}; announcing {} devices again", settings.host(),
                    settings.port(), outage, knownDevices);
        } else {
            LOG.info("Connected to ThingsBoard at {}:{}{}", settings.host(), settings.port(), outage);
        }
        outageReported = false;
        failures = 0;
        everConnected = true;
        problem = null;
        return reconnect;
    }

    /** A connect attempt failed or the connection was lost; the next attempt is due in {@code delayMillis}. */
    void failed(Throwable cause, long delayMillis) {
        long now = nanoTime.getAsLong();
        boolean firstFailure = !outageReported;
        ConnectionProblem latest = ConnectionProblem.of(cause);
        if (latest.kind() == ConnectionProblem.Kind.CONNECTION_LOST && problem != null) {
            latest = problem; // a retry that is closed again says no more than the first failure did
        }
        problem = latest;
        String reason = reason(cause);
        if (firstFailure) {
            outageReported = true;
            outageStart = now;
            lastSummary = now;
            // the first failure of a lost connection is the loss itself, not a failed attempt
            failures = everConnected ? 0 : 1;
            if (everConnected) {
                LOG.warn("Connection to ThingsBoard at {}:{} lost: {}; reconnecting, at most {} apart",
                        settings.host(), settings.port(), reason, seconds(settings.reconnectMaxDelay().toNanos()));
            } else {
                LOG.warn("Cannot connect to ThingsBoard at {}:{}: {}; retrying, at most {} apart",
                        settings.host(), settings.port(), reason, seconds(settings.reconnectMaxDelay().toNanos()));
            }
            return;
        }
        failures++;
        if (now - lastSummary >= SUMMARY_INTERVAL.toNanos()) {
            lastSummary = now;
            LOG.warn("Still no connection to ThingsBoard at {}:{}: {} attempts failed in {} (last: {}); next in {} ms",
                    settings.host(), settings.port(), failures, seconds(now - outageStart), reason, delayMillis);
        } else {
            LOG.debug("Connecting to ThingsBoard failed ({}); retrying in {} ms", reason, delayMillis);
        }
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
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
        ConnectionProblem problem = ConnectionProblem.of(failure);
        return problem.kind() == ConnectionProblem.Kind.OTHER || problem.kind() == ConnectionProblem.Kind.CONNECTION_LOST
                ? problem.detail() : problem.describe();
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
