package io.dlmsgateway.thingsboard.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust and key managers from PEM files with the JDK alone (no BouncyCastle): certificates through
 * {@link CertificateFactory}, keys through {@link KeyFactory} from PKCS#8, PKCS#1 RSA keys wrapped into PKCS#8 first.
 */
final class PemTls {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM_IDENTIFIER = {
        0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    private static final char[] NO_PASSWORD = new char[0];

    private PemTls() {
    }

    /** A trust manager factory trusting every certificate in the PEM file. */
    static TrustManagerFactory trustManagerFactory(Path caFile) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates(caFile)) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new IllegalArgumentException("no certificate in " + caFile);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CA file " + caFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** A key manager factory presenting the certificate chain of {@code certFile} with the key of {@code keyFile}. */
    static KeyManagerFactory keyManagerFactory(Path certFile, Path keyFile) {
        try {
            List<Certificate> chain = certificates(certFile);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + certFile);
            }
            PrivateKey key = privateKey(keyFile);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return factory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + certFile + " or " + keyFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use client certificate " + certFile + " with key " + keyFile
                    + ": " + e.getMessage(), e);
        }
    }

    static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Collection<? extends Certificate> read =
                factory.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)));
        return new ArrayList<>(read);
    }

    /** Reads an unencrypted PKCS#8 key (RSA, EC or EdDSA) or a PKCS#1 RSA key. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der, file);
                case "RSA PRIVATE KEY":
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(der)));
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException(file + " holds an encrypted key; decrypt it with "
                            + "'openssl pkcs8 -topk8 -nocrypt'");
                case "EC PRIVATE KEY":
                    throw new IllegalArgumentException(file + " holds a SEC1 EC key; convert it to PKCS#8 with "
                            + "'openssl pkcs8 -topk8 -nocrypt'");
                default:
                    // certificates or parameters in the same file: skip
            }
        }
        throw new IllegalArgumentException("no private key in " + file);
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported PKCS#8 key algorithm in " + file, last);
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } } around a PKCS#1 key. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + RSA_ALGORITHM_IDENTIFIER.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(RSA_ALGORITHM_IDENTIFIER, 0, body, version.length, RSA_ALGORITHM_IDENTIFIER.length);
        System.arraycopy(octets, 0, body, version.length + RSA_ALGORITHM_IDENTIFIER.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length;
        if (n < 0x80) {
            length = new byte[] {(byte) n};
        } else if (n < 0x100) {
            length = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }
}
