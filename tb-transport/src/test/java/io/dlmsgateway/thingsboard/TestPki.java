package io.dlmsgateway.thingsboard;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small public key infrastructure made at test time with the JDK alone: keys and certificates by {@code keytool}
 * (run as a process, the JDK having no certificate-making API), key stores and PEM files written here.
 *
 * <p>A test CA (EC) signs the broker certificates and the gateway's client certificate (RSA, to cover both key types
 * in a real handshake). What a ThingsBoard user holds is in PEM: the CA certificate, the client certificate chain and
 * its unencrypted PKCS#8 key. What the broker holds is in PKCS12 stores. An unrelated self-signed CA stands for a
 * wrong trust anchor.
 */
final class TestPki {

    static final String PASSWORD = "changeit";
    private static final String ALIAS = "key";
    private static final String VALIDITY_DAYS = "2";

    /** CA certificate (PEM): what the gateway trusts. */
    final Path caPem;
    /** Another self-signed CA (PEM), which signed nothing here. */
    final Path otherCaPem;
    /** Broker key and chain (PKCS12): certificate for IP 127.0.0.1 and DNS localhost, signed by the CA. */
    final Path brokerKeyStore;
    /** Broker key and chain (PKCS12): certificate for DNS localhost only, signed by the CA. */
    final Path localhostOnlyBrokerKeyStore;
    /** Trusted certificates of the broker for client certificates (PKCS12): the CA. */
    final Path brokerTrustStore;
    /** Gateway client certificate chain (PEM: leaf, then CA), signed by the CA, for client authentication. */
    final Path clientCertPem;
    /** Gateway client private key, unencrypted PKCS#8 PEM. */
    final Path clientKeyPem;

    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.otherCaPem = dir.resolve("other-ca.pem");
        this.brokerKeyStore = dir.resolve("broker-keystore.p12");
        this.localhostOnlyBrokerKeyStore = dir.resolve("broker-localhost-keystore.p12");
        this.brokerTrustStore = dir.resolve("broker-truststore.p12");
        this.clientCertPem = dir.resolve("client-cert.pem");
        this.clientKeyPem = dir.resolve("client-key.pem");
    }

    /** Makes every key, certificate and store in {@code dir}. About a dozen short keytool runs, mostly in parallel. */
    static TestPki create(Path dir) throws Exception {
        TestPki pki = new TestPki(dir);
        pki.make();
        return pki;
    }

    private void make() throws Exception {
        // independent key pairs, self-signed for now
        await(
                genKeyPair("ca.p12", "EC", "CN=Test CA,O=dlms-gateway tests", "-ext", "bc:c",
                        "-ext", "ku:c=keyCertSign,cRLSign"),
                genKeyPair("other-ca.p12", "EC", "CN=Other CA,O=somewhere else", "-ext", "bc:c"),
                genKeyPair("broker.p12", "EC", "CN=broker"),
                genKeyPair("broker-localhost.p12", "EC", "CN=localhost"),
                genKeyPair("client.p12", "RSA", "CN=Meter Gateway,O=dlms-gateway tests"));
        // certificate requests signed by the CA, through pipes
        await(
                sign("broker.p12", "broker-cert.pem", "SAN=ip:127.0.0.1,dns:localhost", "eku=serverAuth"),
                sign("broker-localhost.p12", "broker-localhost-cert.pem", "SAN=dns:localhost", "eku=serverAuth"),
                sign("client.p12", "client-cert-only.pem", "eku=clientAuth"));

        Certificate ca = store("ca.p12").getCertificate(ALIAS);
        writePem(caPem, "CERTIFICATE", ca.getEncoded());
        writePem(otherCaPem, "CERTIFICATE", store("other-ca.p12").getCertificate(ALIAS).getEncoded());

        writeKeyStore(brokerKeyStore, "broker.p12", certificate("broker-cert.pem"), ca);
        writeKeyStore(localhostOnlyBrokerKeyStore, "broker-localhost.p12", certificate("broker-localhost-cert.pem"),
                ca);
        KeyStore trust = emptyStore();
        trust.setCertificateEntry("ca", ca);
        save(trust, brokerTrustStore);

        Certificate client = certificate("client-cert-only.pem");
        Files.writeString(clientCertPem, pem("CERTIFICATE", client.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()),
                StandardCharsets.US_ASCII);
        PrivateKey clientKey = (PrivateKey) store("client.p12").getKey(ALIAS, PASSWORD.toCharArray());
        // getEncoded() of a JDK private key is its PKCS#8 PrivateKeyInfo
        writePem(clientKeyPem, "PRIVATE KEY", clientKey.getEncoded());
    }

    private Process genKeyPair(String store, String algorithm, String dname, String... extensions)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", ALIAS, "-keyalg", algorithm,
                "-keysize", algorithm.equals("RSA") ? "2048" : "256", "-dname", dname, "-validity", VALIDITY_DAYS,
                "-keystore", dir.resolve(store).toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        args.addAll(List.of(extensions));
        return keytool(args).start();
    }

    /** {@code keytool -certreq | keytool -gencert}, the CA signing the request of {@code store}'s key. */
    private Process sign(String store, String certificatePem, String... extensions) throws IOException {
        ProcessBuilder request = keytool(List.of("-certreq", "-alias", ALIAS,
                "-keystore", dir.resolve(store).toString(), "-storepass", PASSWORD));
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", ALIAS,
                "-keystore", dir.resolve("ca.p12").toString(), "-storepass", PASSWORD, "-rfc",
                "-validity", VALIDITY_DAYS, "-ext", "ku=digitalSignature",
                "-outfile", dir.resolve(certificatePem).toString()));
        for (String extension : extensions) {
            gencert.addAll(List.of("-ext", extension));
        }
        ProcessBuilder signing = keytool(gencert);
        // the request is piped to the signer: only its standard output goes down the pipe
        request.redirectErrorStream(false).redirectError(dir.resolve(store + ".certreq.log").toFile());
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(request, signing));
        return pipeline.get(pipeline.size() - 1);
    }

    private ProcessBuilder keytool(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // a short-lived JVM: skip the optimising compiler, smallest collector
        command.add("-J-XX:TieredStopAtLevel=1");
        command.add("-J-XX:+UseSerialGC");
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private static void await(Process... processes) throws Exception {
        for (Process process : processes) {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool did not finish: " + process.info().commandLine());
            }
            if (process.exitValue() != 0) {
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                throw new IllegalStateException("keytool failed (" + process.exitValue() + "): "
                        + process.info().commandLine().orElse("?") + "\n" + output);
            }
        }
    }

    private KeyStore store(String name) throws IOException, GeneralSecurityException {
        return KeyStore.getInstance(dir.resolve(name).toFile(), PASSWORD.toCharArray());
    }

    private Certificate certificate(String pemFile) throws IOException, GeneralSecurityException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve(pemFile))));
    }

    /** The key of {@code keyPairStore} with the chain {@code leaf, ca}, in a new PKCS12 store. */
    private void writeKeyStore(Path target, String keyPairStore, Certificate leaf, Certificate ca)
            throws IOException, GeneralSecurityException {
        PrivateKey key = (PrivateKey) store(keyPairStore).getKey(ALIAS, PASSWORD.toCharArray());
        KeyStore out = emptyStore();
        out.setKeyEntry(ALIAS, key, PASSWORD.toCharArray(), new Certificate[] {leaf, ca});
        save(out, target);
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static void save(KeyStore store, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }

    private static void writePem(Path file, String type, byte[] der) {
        try {
            Files.writeString(file, pem(type, der), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
