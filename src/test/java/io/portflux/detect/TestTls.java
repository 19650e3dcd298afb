package io.portflux.detect;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Assumptions;

/**
 * TestTls makes a self-signed certificate with {@code openssl} (CN and SAN {@code fake.test}, SAN IP
 * 127.0.0.1) and TLS server sockets on loopback that present it.
 */
final class TestTls {

    static final String HOW = "openssl is not installed; get it with: apt-get install -y openssl";

    final Path cert;
    final Path key;

    private TestTls(Path cert, Path key) {
        this.cert = cert;
        this.key = key;
    }

    /** A fresh certificate in {@code dir}; skips the test (fails it under CI=true) without openssl. */
    static TestTls create(Path dir) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(HOW + " (CI=true: these tests must run)");
            }
            Assumptions.abort(HOW);
        }
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder(List.of("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=fake.test",
                "-addext", "subjectAltName=DNS:fake.test,IP:127.0.0.1"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl failed: " + Files.readString(dir.resolve("openssl.log")));
        }
        return new TestTls(cert, key);
    }

    /** A TLS server socket on an ephemeral loopback port presenting this certificate. */
    SSLServerSocket serverSocket() throws Exception {
        Certificate certificate;
        try (var in = Files.newInputStream(cert)) {
            certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(key, StandardCharsets.US_ASCII)
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey privateKey = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("fake", privateKey, new char[0], new Certificate[] {certificate});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }
}
