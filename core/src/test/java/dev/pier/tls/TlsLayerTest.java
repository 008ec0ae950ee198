package dev.pier.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A Pier TLS client and server, back to back in memory on a manual clock. */
class TlsLayerTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestPki.Ca ca;
    static TestPki.Ca otherCa;
    static TestPki.Leaf server;
    static TestPki.Leaf client;

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        pki = new TestPki(dir);
        ca = pki.ca("test");
        otherCa = pki.ca("other");
        server = pki.leaf(ca, "localhost", "ec", "DNS:localhost,IP:127.0.0.1");
        client = pki.leaf(ca, "alice", "rsa", "DNS:alice.test");
    }

    static TlsServer server(TlsServerConfig config) {
        return TlsServer.load(config);
    }

    static TlsServerConfig serverConfig() {
        return TlsServerConfig.of(KeyMaterial.pem(server.key(), server.cert()));
    }

    static TlsClientConfig clientConfig() {
        return TlsClientConfig.defaults().withTrustRoots(ca.cert());
    }

    static MemoryTls connect(TlsServerConfig serverConfig, TlsClientConfig clientConfig, String name) {
        return new MemoryTls(TlsServer.load(serverConfig), TlsClient.load(clientConfig), name);
    }

    @Test
    void echoesAfterTheHandshakeAndTellsWhatWasNegotiated() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost");
        tls.client.write("hello");   // before the handshake: held
        assertEquals(5, tls.client.tls.heldBytes());
        assertFalse(tls.client.made);

        tls.pump();

        assertTrue(tls.server.made && tls.client.made);
        assertEquals(0, tls.client.tls.heldBytes());
        assertEquals(1, tls.client.heldBytesChanges);
        assertEquals("hello", tls.server.receivedText());
        assertEquals("hello", tls.client.receivedText());
        TlsLayer layer = tls.client.tls;
        assertEquals("TLSv1.3", layer.protocolVersion());
        assertTrue(layer.cipherSuite().startsWith("TLS_"), layer.cipherSuite());
        assertEquals(Optional.empty(), layer.applicationProtocol());
        assertEquals(server.serial(), layer.peerCertificates().getFirst().getSerialNumber());
        assertEquals(List.of(), tls.server.tls.peerCertificates());
        assertEquals(Optional.of("localhost"), tls.server.tls.serverName());
        assertEquals(Optional.of("localhost"), layer.serverName());
        assertNotNull(layer.session());
        assertEquals(Optional.empty(), layer.failure());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 500, 1400})
    void theHandshakeAndRecordsSurviveAnySplitting(int chunk) {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost");
        String big = "x".repeat(40_000) + "end";   // several records, some larger than a chunk
        tls.client.write(big);
        tls.pump(chunk);
        assertEquals(big, tls.client.receivedText());
        assertNull(tls.server.aborted);
    }

    @Test
    void everySplitOfTheClientHelloInTwoIsUnderstood() {
        TlsServer tlsServer = TlsServer.load(serverConfig());
        TlsClient tlsClient = TlsClient.load(clientConfig());
        byte[] hello = new MemoryTls(tlsServer, tlsClient, "localhost").client.takeOutgoing();
        for (int split = 1; split < hello.length; split++) {
            MemoryTls tls = new MemoryTls(tlsServer, tlsClient, "localhost");
            byte[] ours = tls.client.takeOutgoing();
            tls.server.stack.dataReceived(ByteBuffer.wrap(ours, 0, split));
            assertEquals(0, tls.server.outgoing.size(), "nothing to say on half a hello");
            tls.server.stack.dataReceived(ByteBuffer.wrap(ours, split, ours.length - split));
            tls.pump();
            assertTrue(tls.client.made, "split at " + split);
        }
    }

    @Test
    void everySplitOfTheServersFirstFlightInTwoIsUnderstood() {
        TlsServer tlsServer = TlsServer.load(serverConfig());
        TlsClient tlsClient = TlsClient.load(clientConfig());
        int length = Integer.MAX_VALUE;
        for (int split = 1; split < length; split++) {
            MemoryTls tls = new MemoryTls(tlsServer, tlsClient, "localhost");
            tls.server.stack.dataReceived(ByteBuffer.wrap(tls.client.takeOutgoing()));
            byte[] flight = tls.server.takeOutgoing();
            length = flight.length;
            // A signature's length varies by a byte or two from one handshake to the next.
            int at = Math.min(split, flight.length - 1);
            tls.client.stack.dataReceived(ByteBuffer.wrap(flight, 0, at));
            tls.client.stack.dataReceived(ByteBuffer.wrap(flight, at, flight.length - at));
            tls.pump();
            assertTrue(tls.client.made && tls.server.made, "split at " + split + " of " + length);
        }
    }

    @Test
    void alpnPicksTheServersPreferenceAmongTheClientsOffers() {
        MemoryTls tls = connect(serverConfig().withAlpn("h2", "http/1.1"),
                clientConfig().withAlpn("http/1.1", "h2"), "localhost").pump();
        assertEquals(Optional.of("h2"), tls.client.tls.applicationProtocol());
        assertEquals(Optional.of("h2"), tls.server.tls.applicationProtocol());
    }

    @Test
    void alpnWithNothingInCommonFailsTheHandshake() {
        MemoryTls tls = connect(serverConfig().withAlpn("h2"), clientConfig().withAlpn("imap"), "localhost").pump();
        assertTrue(tls.server.failure().contains("application layer protocol"), tls.server.failure());
        assertTrue(tls.client.failure().contains("no_application_protocol"), tls.client.failure());
        assertFalse(tls.client.made || tls.server.made);
    }

    @Test
    void sniChoosesTheCertificateForTheNameAndTheMainKeyAnswersOtherNames() {
        Path sni = dir.resolve("sni");
        TestPki.Leaf a = pki.leaf(ca, "a.test", "ec", "DNS:a.test", "sni-a");
        TestPki.Leaf b = pki.leaf(ca, "b.test", "rsa", "DNS:b.test", "sni-b");
        pki.concat("sni/a.test.pem", a.key(), a.cert());
        pki.concat("sni/B.TEST.pem", b.key(), b.cert());
        TlsServer tlsServer = TlsServer.load(serverConfig().withSniDirectory(sni));
        TlsClient tlsClient = TlsClient.load(clientConfig());

        for (var expected : List.of(List.of("a.test", a), List.of("b.test", b), List.of("localhost", server))) {
            String name = (String) expected.get(0);
            MemoryTls tls = new MemoryTls(tlsServer, tlsClient, name).pump();
            assertTrue(tls.client.made, name);
            assertEquals(((TestPki.Leaf) expected.get(1)).serial(),
                    tls.client.tls.peerCertificates().getFirst().getSerialNumber(), name);
            assertEquals(Optional.of(name), tls.server.tls.serverName());
        }
    }

    @Test
    void mutualTlsAcceptsAClientCertificateFromTheCa() {
        MemoryTls tls = connect(serverConfig().withClientCa(ca.cert()),
                clientConfig().withIdentity(KeyMaterial.pem(client.key(), client.cert())), "localhost").pump();
        assertTrue(tls.server.made);
        assertEquals(client.serial(), tls.server.tls.peerCertificates().getFirst().getSerialNumber());
    }

    @Test
    void mutualTlsRefusesAClientWithoutCertificate() {
        MemoryTls tls = connect(serverConfig().withClientCa(ca.cert()), clientConfig(), "localhost");
        tls.client.write("let me in");
        tls.pump();
        assertFalse(tls.server.made);
        assertEquals("", tls.server.receivedText());
        SSLException cause = assertInstanceOf(SSLException.class, tls.server.tls.failure().orElseThrow());
        assertTrue(cause.getMessage().contains("certificate"), cause.getMessage());
        assertTrue(tls.server.closed, "closed after the alert");
        assertTrue(tls.client.failure().contains("certificate_required"), tls.client.failure());
    }

    @Test
    void mutualTlsRefusesAClientCertificateFromAnotherCa() {
        TestPki.Leaf stranger = pki.leaf(otherCa, "mallory", "ec", "DNS:mallory.test");
        MemoryTls tls = connect(serverConfig().withClientCa(ca.cert()),
                clientConfig().withIdentity(KeyMaterial.pem(stranger.key(), stranger.cert())), "localhost").pump();
        assertFalse(tls.server.made);
        assertTrue(tls.server.failure().contains("certificate is not trusted"), tls.server.failure());
    }

    @Test
    void aCertificateForAnotherNameIsRefused() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "example.org").pump();
        assertFalse(tls.client.made);
        String message = tls.client.failure();
        assertTrue(message.contains("example.org"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void aCertificateFromAnUntrustedCaIsRefused() {
        MemoryTls tls = connect(serverConfig(), TlsClientConfig.defaults().withTrustRoots(otherCa.cert()),
                "localhost").pump();
        assertFalse(tls.client.made);
        assertTrue(tls.client.failure().contains("certificate is not trusted"), tls.client.failure());
    }

    @Test
    void closeSendsCloseNotifyAfterTheDataAndThePeerSeesACleanEnd() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost");
        tls.client.write("last words");
        tls.client.stack.close();   // before the handshake even started: the data and the close wait for it
        assertFalse(tls.client.closed);
        tls.pump();
        assertTrue(tls.client.closed);
        assertEquals("last words", tls.server.receivedText());
        assertTrue(tls.server.inputEnded);
        assertNull(tls.server.aborted);
    }

    @Test
    void aHalfCloseLetsThePeerAnswerAndALaterCloseStillCloses() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost").pump();
        tls.client.stack.shutdownOutput();
        assertTrue(tls.client.outputShutdown);
        tls.pump();
        assertTrue(tls.server.inputEnded);
        tls.server.write("answer");
        tls.pump();
        assertEquals("answer", tls.client.receivedText());
        tls.client.stack.close();
        assertTrue(tls.client.closed);
        assertNull(tls.client.failure());
    }

    @Test
    void anEndOfStreamWithoutCloseNotifyIsATruncation() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost").pump();
        tls.server.stack.inputEnded();
        assertFalse(tls.server.inputEnded);
        assertTrue(tls.server.aborted.getMessage().contains("truncated"), tls.server.aborted.getMessage());
    }

    @Test
    void anEndOfStreamAfterCloseNotifyIsNotAnError() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost").pump();
        tls.client.stack.close();
        tls.pump();
        tls.server.stack.inputEnded();
        assertTrue(tls.server.inputEnded);
        assertNull(tls.server.aborted);
    }

    @Test
    void aHandshakeThatTakesTooLongIsAborted() {
        MemoryTls tls = connect(serverConfig().withHandshakeTimeout(Duration.ofSeconds(3)), clientConfig(),
                "localhost");
        tls.clock.advance(Duration.ofMillis(2999));
        assertNull(tls.server.failure());
        tls.clock.advance(Duration.ofMillis(1));
        assertTrue(tls.server.failure().contains("not finished after 3 s"), tls.server.failure());
        assertTrue(tls.server.closed);
    }

    @Test
    void theDefaultHandshakeTimeoutIsTenSecondsAndIsCancelledOnSuccess() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost").pump();
        assertEquals(List.of(), tls.clock.pendingCalls());
        MemoryTls slow = connect(serverConfig(), clientConfig(), "localhost");
        assertEquals(Duration.ofSeconds(10), slow.clock.pendingCalls().getFirst().dueIn());
    }

    @Test
    void aPlaintextClientIsToldOffInOneLine() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost");
        tls.server.stack.dataReceived(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()));
        assertEquals("the peer spoke plaintext, not TLS (it began with 'GET / HTTP/1.1'): it must connect with TLS",
                tls.server.failure());
    }

    @Test
    void garbageAbortsWithoutThrowing() {
        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost");
            byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            garbage[0] = (byte) (0x14 + random.nextInt(5));   // looks like a record, so the engine must judge it
            tls.server.stack.dataReceived(ByteBuffer.wrap(garbage));
            tls.server.stack.inputEnded();
            assertNotNull(tls.server.failure(), "garbage " + i);
            assertFalse(tls.server.failure().contains("\n"));
        }
    }

    @Test
    void aDamagedRecordAfterTheHandshakeAborts() {
        MemoryTls tls = connect(serverConfig(), clientConfig(), "localhost").pump();
        tls.client.write("hello");
        byte[] record = tls.client.takeOutgoing();
        record[record.length - 1] ^= 1;
        tls.server.stack.dataReceived(ByteBuffer.wrap(record));
        assertEquals("", tls.server.receivedText());
        assertInstanceOf(SSLException.class, tls.server.aborted, "after the handshake: an abort");
    }
}
