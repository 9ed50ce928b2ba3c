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
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust and key managers from PEM files with the JDK alone (no BouncyCastle): certificates through
 * {@link CertificateFactory}, keys through {@link KeyFactory} from PKCS#8; PKCS#1 RSA keys and SEC1 EC keys (what
 * {@code openssl ecparam -genkey}, ThingsBoard's documented way to an EC device key, writes) are wrapped into PKCS#8
 * first.
 */
final class PemTls {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM_IDENTIFIER = {
        0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    /** DER of the OBJECT IDENTIFIER id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};
    private static final int TAG_INTEGER = 0x02;
    private static final int TAG_OCTET_STRING = 0x04;
    private static final int TAG_OID = 0x06;
    private static final int TAG_SEQUENCE = 0x30;
    private static final int TAG_EC_PARAMETERS = 0xA0;
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

    /** Reads an unencrypted PKCS#8 key (RSA, EC or EdDSA), PKCS#1 RSA key or SEC1 EC key on a named curve. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        if (pem.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new IllegalArgumentException(file + " holds an encrypted key; decrypt it with "
                    + "'openssl pkcs8 -topk8 -nocrypt'");
        }
        byte[] curveParameters = null;
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
                case "EC PARAMETERS":
                    // written by 'openssl ecparam -genkey' before the key: the curve, if the key omits it
                    curveParameters = der;
                    break;
                case "EC PRIVATE KEY":
                    return KeyFactory.getInstance("EC")
                            .generatePrivate(new PKCS8EncodedKeySpec(wrapSec1(der, curveParameters, file)));
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

    /**
     * PrivateKeyInfo { version 0, { id-ecPublicKey, namedCurve }, OCTET STRING { ECPrivateKey } } around a SEC1
     * ECPrivateKey { version 1, privateKey, [0] parameters OPTIONAL, [1] publicKey OPTIONAL }, which the JDK reads
     * inside PKCS#8 as it is. The curve comes from the key's [0] parameters, else from an {@code EC PARAMETERS} block.
     */
    static byte[] wrapSec1(byte[] sec1, byte[] curveParameters, Path file) {
        try {
            Element key = Element.read(sec1, 0, TAG_SEQUENCE, file);
            Element version = Element.read(sec1, key.start, TAG_INTEGER, file);
            Element privateKey = Element.read(sec1, version.end, TAG_OCTET_STRING, file);
            byte[] curve = curveParameters;
            for (int p = privateKey.end; p < key.end; ) {
                Element optional = Element.read(sec1, p, -1, file);
                if (optional.tag == TAG_EC_PARAMETERS) {
                    curve = Arrays.copyOfRange(sec1, optional.start, optional.end);
                }
                p = optional.end;
            }
            if (curve == null) {
                throw new IllegalArgumentException(file + " holds a SEC1 EC key that names no curve");
            }
            if ((curve[0] & 0xFF) != TAG_OID) {
                throw new IllegalArgumentException(file + " holds an EC key with explicit curve parameters; only "
                        + "named curves are read ('openssl ec -param_enc named_curve')");
            }
            byte[] version0 = {TAG_INTEGER, 0x01, 0x00};
            return der(TAG_SEQUENCE, concat(version0,
                    der(TAG_SEQUENCE, concat(EC_PUBLIC_KEY_OID, curve)),
                    der(TAG_OCTET_STRING, sec1)));
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(file + " holds a truncated SEC1 EC key", e);
        }
    }

    /** A DER element of {@code der} at an offset: its tag and where its content starts and ends. */
    private record Element(int tag, int start, int end) {

        /** Reads the element at {@code offset}, checking its tag unless {@code expectedTag} is -1. */
        static Element read(byte[] der, int offset, int expectedTag, Path file) {
            int tag = der[offset] & 0xFF;
            if (expectedTag != -1 && tag != expectedTag) {
                throw new IllegalArgumentException(file + " holds a malformed SEC1 EC key (tag " + tag + " at "
                        + offset + ')');
            }
            int p = offset + 1;
            int length = der[p++] & 0xFF;
            if (length >= 0x80) {
                int octets = length & 0x7F;
                if (octets == 0 || octets > 3) {
                    throw new IllegalArgumentException(file + " holds a malformed SEC1 EC key (length at " + offset
                            + ')');
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = (length << 8) | (der[p++] & 0xFF);
                }
            }
            if (p + length > der.length) {
                throw new ArrayIndexOutOfBoundsException("element at " + offset + " runs past the end");
            }
            return new Element(tag, p, p + length);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] part : parts) {
            n += part.length;
        }
        byte[] out = new byte[n];
        int p = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, p, part.length);
            p += part.length;
        }
        return out;
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
