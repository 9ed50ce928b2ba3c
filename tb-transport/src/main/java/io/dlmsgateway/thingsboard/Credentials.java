package io.dlmsgateway.thingsboard;

import java.util.Objects;

/** How the gateway device authenticates to ThingsBoard. */
public sealed interface Credentials {

    /** Access token of the gateway device, sent as MQTT user name. */
    static Credentials accessToken(String token) {
        return new AccessToken(token);
    }

    /** ThingsBoard "MQTT Basic" credentials: client id, user name and password (password may be {@code null}). */
    static Credentials usernamePassword(String clientId, String username, String password) {
        return new UsernamePassword(clientId, username, password);
    }

    /**
     * No user name: the device is identified by its X.509 client certificate, configured with
     * {@link TlsSettings#clientCertificate}.
     */
    static Credentials x509() {
        return X509.INSTANCE;
    }

    /** @see Credentials#accessToken(String) */
    record AccessToken(String token) implements Credentials {
        public AccessToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "AccessToken[****]";
        }
    }

    /** @see Credentials#usernamePassword(String, String, String) */
    record UsernamePassword(String clientId, String username, String password) implements Credentials {
        public UsernamePassword {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(username, "username");
        }

        @Override
        public String toString() {
            return "UsernamePassword[clientId=" + clientId + ", username=" + username + ", password=****]";
        }
    }

    /** @see Credentials#x509() */
    enum X509 implements Credentials {
        INSTANCE
    }
}
