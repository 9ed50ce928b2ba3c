package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTlsTest {

    @TempDir
    Path dir;

    @Test
    void readsPkcs8RsaAndEcKeys() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            KeyPair pair = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
            Path file = write("key-" + algorithm + ".pem", "PRIVATE KEY", pair.getPrivate().getEncoded());

            PrivateKey read = PemTls.privateKey(file);

            assertThat(read.getAlgorithm()).isEqualTo(algorithm);
            assertThat(read.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        }
    }

    @Test
    void readsPkcs1RsaKeysByWrappingThemIntoPkcs8() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        // the PKCS#1 RSAPrivateKey is the OCTET STRING at the end of the PKCS#8 structure
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, pkcs8.length - pkcs1Length(pkcs8), pkcs8.length);
        Path file = write("rsa.pem", "RSA PRIVATE KEY", pkcs1);

        assertThat(PemTls.privateKey(file).getEncoded()).isEqualTo(pkcs8);
    }

    /** As {@code openssl ecparam -name secp256r1 -genkey} writes: EC PARAMETERS, then the key with [0] and [1]. */
    @Test
    void readsSec1EcKeysWithTheCurveInTheKeyOrInAParametersBlock() throws Exception {
        KeyPair p256 = ecKeyPair("secp256r1");
        Path openssl = Files.writeString(dir.resolve("ecparam.pem"), pem("EC PARAMETERS", SECP256R1)
                + pem("EC PRIVATE KEY", sec1(p256, SECP256R1, true)));
        KeyPair p384 = ecKeyPair("secp384r1");
        Path keyOnly = write("ec384.pem", "EC PRIVATE KEY", sec1(p384, SECP384R1, false));
        Path curveOutside = Files.writeString(dir.resolve("bare.pem"), pem("EC PARAMETERS", SECP256R1)
                + pem("EC PRIVATE KEY", sec1(p256, null, false)));

        assertSameEcKey(PemTls.privateKey(openssl), p256);
        assertSameEcKey(PemTls.privateKey(keyOnly), p384);
        assertSameEcKey(PemTls.privateKey(curveOutside), p256);
    }

    @Test
    void refusesEncryptedKeysWithAHintAndMalformedSec1KeysWithTheReason() throws Exception {
        Path encrypted = write("enc.pem", "ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});
        Path traditional = Files.writeString(dir.resolve("trad.pem"), "-----BEGIN EC PRIVATE KEY-----\n"
                + "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n"
                + "-----END EC PRIVATE KEY-----\n");
        Path noCurve = write("nocurve.pem", "EC PRIVATE KEY", sec1(ecKeyPair("secp256r1"), null, false));
        Path garbage = write("ec.pem", "EC PRIVATE KEY", new byte[] {0x30, 0x10, 2, 1});

        assertThatThrownBy(() -> PemTls.privateKey(encrypted)).hasMessageContaining("openssl pkcs8");
        assertThatThrownBy(() -> PemTls.privateKey(traditional)).hasMessageContaining("encrypted key");
        assertThatThrownBy(() -> PemTls.privateKey(noCurve)).hasMessageContaining("names no curve");
        assertThatThrownBy(() -> PemTls.privateKey(garbage)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SEC1");
    }

    /** DER OBJECT IDENTIFIERs of the curves. */
    private static final byte[] SECP256R1 = {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07};
    private static final byte[] SECP384R1 = {0x06, 0x05, 0x2B, (byte) 0x81, 0x04, 0x00, 0x22};

    private static KeyPair ecKeyPair(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    /** ECPrivateKey { 1, privateKey, [0] curve (unless null), [1] public key (if asked) }, built from the pair. */
    private static byte[] sec1(KeyPair pair, byte[] curveOid, boolean withPublicKey) {
        ECPrivateKey key = (ECPrivateKey) pair.getPrivate();
        int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x01});
        body.writeBytes(tlv(0x04, unsigned(key.getS(), size)));
        if (curveOid != null) {
            body.writeBytes(tlv(0xA0, curveOid));
        }
        if (withPublicKey) {
            ECPoint w = ((ECPublicKey) pair.getPublic()).getW();
            ByteArrayOutputStream bits = new ByteArrayOutputStream();
            bits.write(0); // no unused bits
            bits.write(4); // uncompressed point
            bits.writeBytes(unsigned(w.getAffineX(), size));
            bits.writeBytes(unsigned(w.getAffineY(), size));
            body.writeBytes(tlv(0xA1, tlv(0x03, bits.toByteArray())));
        }
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] unsigned(BigInteger value, int size) {
        byte[] bytes = value.toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(bytes.length, size);
        System.arraycopy(bytes, bytes.length - n, out, size - n, n);
        return out;
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (content.length < 0x80) {
            out.write(content.length);
        } else {
            out.write(0x81);
            out.write(content.length);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static void assertSameEcKey(PrivateKey read, KeyPair expected) {
        ECPrivateKey original = (ECPrivateKey) expected.getPrivate();
        assertThat(read).isInstanceOf(ECPrivateKey.class);
        assertThat(((ECPrivateKey) read).getS()).isEqualTo(original.getS());
        assertThat(((ECPrivateKey) read).getParams().getOrder()).isEqualTo(original.getParams().getOrder());
    }

    /** Length of the RSAPrivateKey SEQUENCE inside a PKCS#8 RSA key. */
    private static int pkcs1Length(byte[] pkcs8) {
        for (int i = pkcs8.length - 1; i > 0; i--) {
            // find "30 82 hi lo" whose length reaches exactly the end of the array
            if (pkcs8[i] == 0x30 && i + 3 < pkcs8.length && pkcs8[i + 1] == (byte) 0x82) {
                int len = ((pkcs8[i + 2] & 0xFF) << 8) | (pkcs8[i + 3] & 0xFF);
                if (i + 4 + len == pkcs8.length) {
                    return pkcs8.length - i;
                }
            }
        }
        throw new IllegalStateException("no PKCS#1 key inside");
    }

    private Path write(String name, String type, byte[] der) throws Exception {
        return Files.writeString(dir.resolve(name), pem(type, der));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
