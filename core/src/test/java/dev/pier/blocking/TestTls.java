package dev.pier.blocking;

import dev.pier.tls.KeyMaterial;
import dev.pier.tls.TestPki;
import dev.pier.tls.TlsServer;
import dev.pier.tls.TlsServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * One test CA and server certificate for "localhost" per JVM, made with openssl on first use, for servers behind TLS
 * layers and their JDK TLS clients. A server's key and certificate are copied into its test directory first, where
 * a forked child, which rebuilds the server from that directory, finds the same ones.
 */
final class TestTls {

    static final String KEY = "tls-server.key";
    static final String CERT = "tls-server.pem";

    private record Pki(Path ca, Path key, Path cert) {}

    private static Pki pki;

    private TestTls() {
    }

    private static synchronized Pki pki() {
        if (pki == null) {
            TestPki.assumeOpenssl();
            try {
                Path dir = Files.createTempDirectory("pier-test-tls");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
                TestPki made = new TestPki(dir);
                TestPki.Ca ca = made.ca("blocking");
                TestPki.Leaf leaf = made.leaf(ca, "localhost", "ec", "DNS:localhost,IP:127.0.0.1");
                pki = new Pki(ca.cert(), leaf.key(), leaf.cert());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pki;
    }

    /** The TLS server layers for a server whose test directory is {@code dir}. */
    static TlsServer server(Path dir) {
        Path key = dir.resolve(KEY);
        Path cert = dir.resolve(CERT);
        if (!Files.exists(cert)) {
            try {
                Files.copy(pki().key(), key, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(pki().cert(), cert, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(key, cert)));
    }

    /** A client context trusting the test CA. */
    static SSLContext client() {
        return TestPki.trusting(pki().ca());
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it up otherwise
        }
    }
}
