package io.dlmsgateway.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** How the gateway device authenticates to ThingsBoard; the {@code thingsboard.security} section. */
public sealed interface ThingsBoardSecurity {

    /** The {@code type} as written in the configuration file: accessToken, tlsAccessToken, usernamePassword or tls. */
    String type();

    /** The gateway device's access token, sent as the MQTT user name. */
    record AccessToken(String accessToken) implements ThingsBoardSecurity {
        public AccessToken {
            Objects.requireNonNull(accessToken, "accessToken");
        }

        @Override
        public String type() {
            return "accessToken";
        }

        @Override
        public String toString() {
            return "AccessToken[***]";
        }
    }

    /** MQTT basic credentials; ThingsBoard needs at least a client id or a user name. */
    record UsernamePassword(Optional<String> clientId, Optional<String> username, Optional<String> password)
            implements ThingsBoardSecurity {
        public UsernamePassword {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String type() {
            return "usernamePassword";
        }

        @Override
        public String toString() {
            return "UsernamePassword[clientId=" + clientId.orElse("") + ", username=" + username.orElse("")
                    + ", password=" + (password.isPresent() ? "***" : "") + "]";
        }
    }

    /** X.509 client certificate over TLS; paths are resolved against the configuration file's directory. */
    record Tls(Path caCert, Path cert, Path privateKey) implements ThingsBoardSecurity {
        public Tls {
            Objects.requireNonNull(caCert, "caCert");
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(privateKey, "privateKey");
        }

        @Override
        public String type() {
            return "tls";
        }
    }

    /** The access token over TLS (one-way: the server is checked against the CA, the token identifies the gateway). */
    record TlsAccessToken(String accessToken, Path caCert) implements ThingsBoardSecurity {
        public TlsAccessToken {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(caCert, "caCert");
        }

        @Override
        public String type() {
            return "tlsAccessToken";
        }

        @Override
        public String toString() {
            return "TlsAccessToken[***, caCert=" + caCert + "]";
        }
    }
}
