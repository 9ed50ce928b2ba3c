package io.dlmsgateway.thingsboard;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS to ThingsBoard (port 8883 by default), from PEM files.
 *
 * <ul>
 *   <li>{@code caFile}: one or more X.509 certificates (PEM) trusted to sign the server's certificate; {@code null}
 *       trusts the JDK's default CAs.</li>
 *   <li>{@code certFile} and {@code keyFile}: optional client certificate chain (PEM) and its private key for X.509
 *       authentication. Key formats read: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, EdDSA), PKCS#1
 *       RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1 EC on a named curve ({@code BEGIN EC PRIVATE KEY}, as
 *       written by {@code openssl ecparam -genkey}). Encrypted keys are refused with a message; decrypt them with
 *       {@code openssl pkcs8 -topk8 -nocrypt}.</li>
 * </ul>
 * The server's certificate must chain to {@code caFile} and be issued for the configured host, as HTTPS checks it
 * (the MQTT client's default endpoint identification): a host name must match a DNS subject alternative name (or the
 * common name when there is none), an IP address an IP subject alternative name. A certificate naming only
 * {@code tb.example.com} is refused when ThingsBoard is configured by its IP address. Failed handshakes are retried
 * with the reconnect backoff and logged once as a warning with the reason.
 *
 * @param caFile   trusted CA certificates, or {@code null}
 * @param certFile client certificate chain, or {@code null}
 * @param keyFile  client private key, required with {@code certFile}
 */
public record TlsSettings(Path caFile, Path certFile, Path keyFile) {

    public TlsSettings {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs its key file and vice versa");
        }
    }

    /** Server authentication only, trusting the CA certificates in {@code caFile}. */
    public static TlsSettings trusting(Path caFile) {
        return new TlsSettings(Objects.requireNonNull(caFile, "caFile"), null, null);
    }

    /** Server authentication with {@code caFile} and client authentication with a certificate and key. */
    public static TlsSettings clientCertificate(Path caFile, Path certFile, Path keyFile) {
        return new TlsSettings(caFile, Objects.requireNonNull(certFile, "certFile"),
                Objects.requireNonNull(keyFile, "keyFile"));
    }
}
