package dev.pier.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.ManualClock;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renewed certificate files are picked up by new handshakes, at most once a second, without a restart. */
class TlsRenewalTest {

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    static TestPki pki;
    static TestPki.Ca ca;
    static TestPki.Leaf first;
    static TestPki.Leaf second;
    static TestPki.Leaf third;

    final ManualClock clock = new ManualClock();
    final Log log = new Log();
    TlsClient client;
    Path key;
    Path cert;

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        pki = new TestPki(shared);
        ca = pki.ca("renewal");
        first = pki.leaf(ca, "localhost", "ec", "DNS:localhost", "first");
        second = pki.leaf(ca, "localhost", "rsa", "DNS:localhost", "second");
        third = pki.leaf(ca, "localhost", "ec", "DNS:localhost", "third");
    }

    @BeforeEach
    void installFirst() {
        key = dir.resolve("key.pem");
        cert = dir.resolve("cert.pem");
        TestPki.replace(first.key(), key);
        TestPki.replace(first.cert(), cert);
        client = TlsClient.load(TlsClientConfig.defaults().withTrustRoots(ca.cert()));
    }

    BigInteger handshake(TlsServer server) {
        MemoryTls tls = new MemoryTls(server, client, "localhost", clock).pump();
        assertTrue(tls.client.made, "handshake: " + tls.client.aborted + " / " + tls.server.aborted);
        return tls.client.tls.peerCertificates().getFirst().getSerialNumber();
    }

    void install(TestPki.Leaf leaf) {
        TestPki.replace(leaf.key(), key);
        TestPki.replace(leaf.cert(), cert);
    }

    @Test
    void aNewHandshakeAfterASecondUsesTheRenewedCertificateAndOpenConnectionsKeepTheirs() {
        TlsServer server = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(key, cert)), log);
        MemoryTls open = new MemoryTls(server, client, "localhost", clock).pump();
        assertEquals(first.serial(), open.client.tls.peerCertificates().getFirst().getSerialNumber());

        install(second);
        clock.advance(Duration.ofMillis(999));
        assertEquals(first.serial(), handshake(server), "looked less than a second ago");
        clock.advance(Duration.ofMillis(1));
        assertEquals(second.serial(), handshake(server));
        assertEquals(second.serial(), server.certificate().getSerialNumber());
        assertEquals(List.of("INFO TLS certificates reloaded: CN=localhost serial " + second.serial().toString(16)
                + " until " + server.certificate().getNotAfter().toInstant()), log.lines);

        open.client.write("still here");
        open.pump();
        assertEquals("still here", open.client.receivedText());
        assertEquals(first.serial(), open.client.tls.peerCertificates().getFirst().getSerialNumber());
    }

    @Test
    void aBrokenNewFileKeepsTheOldCertificateAndIsReportedOncePerChange() {
        TlsServer server = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(key, cert)), log);
        TestPki.write(cert, "half a certificate");
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertEquals(first.serial(), handshake(server));
        }
        assertEquals(List.of("WARNING TLS certificates not reloaded, the previous ones stay in use: cannot read"
                + " certificate '" + cert + "': not a PEM file (no '-----BEGIN ...-----' block); if it is DER,"
                + " convert it with 'openssl x509 -inform DER -in " + cert + " -out " + cert + ".pem'"), log.lines);

        install(third);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(third.serial(), handshake(server));
        assertEquals(2, log.lines.size());
    }

    @Test
    void aKeyReplacedBeforeItsCertificateWaitsForTheCertificate() {
        TlsServer server = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(key, cert)), log);
        TestPki.replace(second.key(), key);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(first.serial(), handshake(server));
        assertTrue(log.lines.getFirst().contains("does not match certificate"), log.lines.getFirst());
        TestPki.replace(second.cert(), cert);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(second.serial(), handshake(server));
    }

    @Test
    void aNameAddedToTheSniDirectoryIsServed() {
        Path sni = dir.resolve("sni");
        TestPki.write(sni.resolve("readme.txt"), "one NAME.pem per server name");
        TlsServer server = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(key, cert)).withSniDirectory(sni), log);
        TestPki.Leaf named = pki.leaf(ca, "new.test", "ec", "DNS:new.test", "new");
        pki.concat("sni-staging.pem", named.key(), named.cert());
        TestPki.replace(shared.resolve("sni-staging.pem"), sni.resolve("new.test.pem"));
        clock.advance(Duration.ofSeconds(1));
        MemoryTls tls = new MemoryTls(server, client, "new.test", clock).pump();
        assertEquals(named.serial(), tls.client.tls.peerCertificates().getFirst().getSerialNumber());
    }

    /** Keeps what is logged, one "LEVEL message" line each. */
    static final class Log implements System.Logger {
        final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(level + " " + message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }

        @Override
        public void log(Level level, Supplier<String> message) {
            lines.add(level + " " + message.get());
        }
    }
}
