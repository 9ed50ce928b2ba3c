package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
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

    @Test
    void refusesEncryptedAndSec1KeysWithAHint() throws Exception {
        Path encrypted = write("enc.pem", "ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});
        Path sec1 = write("ec.pem", "EC PRIVATE KEY", new byte[] {1, 2, 3});

        assertThatThrownBy(() -> PemTls.privateKey(encrypted)).hasMessageContaining("openssl pkcs8");
        assertThatThrownBy(() -> PemTls.privateKey(sec1)).hasMessageContaining("openssl pkcs8");
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
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        return Files.writeString(dir.resolve(name), pem);
    }
}
