package dev.pier.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.HalfCloseableProtocol;
import dev.pier.reactor.Transport;
import dev.pier.testing.FakeConnection;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS layers under protocols, through {@link LayeredProtocol} on fake transports: what a protocol sees. */
class TlsLayeredProtocolTest {

    @TempDir
    static Path dir;

    static TlsServer tlsServer;
    static TlsClient tlsClient;

    final ManualClock clock = new ManualClock();

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        TestPki pki = new TestPki(dir);
        TestPki.Ca ca = pki.ca("layered");
        TestPki.Leaf leaf = pki.leaf(ca, "localhost", "ec", "DNS:localhost");
        tlsServer = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(leaf.key(), leaf.cert())).withAlpn("echo"));
        tlsClient = TlsClient.load(TlsClientConfig.defaults().withTrustRoots(ca.cert()).withAlpn("echo"));
    }

    /** Records its events; echoes if asked to. */
    static class Recorder implements HalfCloseableProtocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final boolean echo;
        Transport transport;
        DisconnectReason lost;

        Recorder(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            TlsLayer tls = transport.layer(TlsLayer.class).orElseThrow();
            events.add("made " + tls.protocolVersion() + " " + tls.applicationProtocol().orElse("none"));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            ByteBuffer copy = data.duplicate();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.writeBytes(bytes);
            if (echo) {
                transport.write(copy);
            }
        }

        @Override
        public void readConnectionLost() {
            events.add("read lost");
            if (echo) {
                transport.write("bye".getBytes(StandardCharsets.UTF_8));
                transport.loseConnection();
            }
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            lost = reason;
        }

        String text() {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    FakeConnection connect(Recorder server, Recorder client) {
        return FakeConnection.connect(LayeredProtocol.wrap(server, List.of(tlsServer.newLayer(null))),
                LayeredProtocol.wrap(client, List.of(tlsClient.newLayer("localhost", null))), clock);
    }

    @Test
    void theProtocolMeetsTheConnectionAfterTheHandshakeAndAHalfCloseIsCarriedByCloseNotify() {
        Recorder server = new Recorder(true);
        Recorder client = new Recorder(false);
        FakeConnection connection = connect(server, client);
        assertEquals(List.of(), server.events, "not before the handshake");

        connection.pump();
        assertEquals(List.of("made TLSv1.3 echo"), server.events);
        client.transport.write("ping".getBytes(StandardCharsets.UTF_8));
        client.transport.shutdownOutput();   // close_notify, and the server may still answer
        connection.pump();

        assertEquals("ping", server.text());
        assertEquals(List.of("made TLSv1.3 echo", "read lost"), server.events);
        assertEquals("pingbye", client.text());
        assertTrue(connection.isClosed());
        assertTrue(server.lost.isClean() && client.lost.isClean());
    }

    @Test
    void aTruncatedConnectionReachesTheProtocolAsALossWithTheCause() {
        Recorder server = new Recorder(true);
        FakeConnection connection = connect(server, new Recorder(false));
        connection.pump();
        ((LayeredProtocol) connection.serverTransport().protocol()).readConnectionLost();   // a bare end of stream
        connection.pump();
        SSLException cause = assertInstanceOf(SSLException.class,
                assertInstanceOf(DisconnectReason.Lost.class, server.lost).cause());
        assertTrue(cause.getMessage().startsWith("TLS connection truncated"), cause.getMessage());
    }

    @Test
    void aHandshakeTimeoutClosesAConnectionTheProtocolNeverSaw() {
        Recorder server = new Recorder(true);
        LayeredProtocol layered = LayeredProtocol.wrap(server, List.of(tlsServer.newLayer(null)));
        FakeTransport transport = FakeTransport.connect(layered, clock);
        clock.advance(Duration.ofSeconds(10));
        assertTrue(transport.isDisconnecting());
        assertEquals(List.of(), server.events);
        TlsLayer tls = (TlsLayer) layered.layers().getFirst();
        assertTrue(tls.failure().orElseThrow().getMessage().endsWith("not finished after 10 s"));
        transport.disconnect();
        assertNull(server.lost, "the protocol never saw the connection");
    }

    @Test
    void aProtocolThatThrowsIsNotMistakenForATlsFailure() {
        Recorder server = new Recorder(false) {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw new IllegalStateException("protocol bug");
            }
        };
        Recorder client = new Recorder(false);
        FakeConnection connection = connect(server, client);
        connection.pump();
        client.transport.write("boom".getBytes(StandardCharsets.UTF_8));
        assertEquals("protocol bug", assertThrows(IllegalStateException.class, connection::pump).getMessage());
        TlsLayer tls = (TlsLayer) ((LayeredProtocol) connection.serverTransport().protocol()).layers().getFirst();
        assertFalse(tls.failure().isPresent());
    }

    @Test
    void aProtocolThatPausedReadingHearsNoMoreRecordsNorTheirEndUntilItResumes() {
        List<String> chunks = new ArrayList<>();
        Recorder server = new Recorder(false) {
            @Override
            public void dataReceived(ByteBuffer data) {
                chunks.add(StandardCharsets.UTF_8.decode(data).toString());
                transport.pauseReading();
            }

            @Override
            public void readConnectionLost() {
                chunks.add("end");
            }
        };
        Recorder client = new Recorder(false);
        FakeConnection connection = connect(server, client);
        connection.pump();
        client.transport.write("one".getBytes(StandardCharsets.UTF_8));
        client.transport.write("two".getBytes(StandardCharsets.UTF_8));   // two records, read in one chunk
        client.transport.shutdownOutput();                                // and a close_notify
        connection.pump();
        assertEquals(List.of("one"), chunks, "nothing while paused");
        server.transport.resumeReading();
        assertEquals(List.of("one", "two"), chunks, "one record, then paused again");
        server.transport.resumeReading();
        assertEquals(List.of("one", "two", "end"), chunks);
    }
}
