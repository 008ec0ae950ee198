package dev.pier.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.Protocol;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flood of new connections waits, unread, for a handshake slot; the connections already up are not starved. */
class TlsHandshakeSlotsTest {

    @TempDir
    static Path dir;

    static TestPki.Leaf server;

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        var pki = new TestPki(dir);
        server = pki.leaf(pki.ca("slots"), "localhost", "ec", "DNS:localhost");
    }

    private final ManualClock clock = new ManualClock();
    private final Protocol silent = new Protocol() {
        @Override
        public void dataReceived(ByteBuffer data) {
            data.position(data.limit());
        }
    };

    private FakeTransport connect(TlsServer tls) {
        return FakeTransport.connect(LayeredProtocol.wrap(silent, List.of(tls.newLayer(null))), clock);
    }

    @Test
    void connectionsBeyondTheLimitWaitUnreadAndGoOnAsSlotsFree() {
        TlsServer tls = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(server.key(), server.cert()))
                .withMaxHandshakes(2));
        FakeTransport first = connect(tls);
        FakeTransport second = connect(tls);
        FakeTransport third = connect(tls);
        FakeTransport fourth = connect(tls);
        assertFalse(first.isReadingPaused());
        assertFalse(second.isReadingPaused());
        assertTrue(third.isReadingPaused(), "waits for a slot");
        assertTrue(fourth.isReadingPaused(), "waits for a slot");

        first.disconnect();
        clock.advance(Duration.ZERO);
        assertFalse(third.isReadingPaused(), "the longest waiting goes first");
        assertTrue(fourth.isReadingPaused());

        fourth.disconnect();          // gone while waiting: it holds no slot
        second.disconnect();
        third.disconnect();
        FakeTransport fifth = connect(tls);
        FakeTransport sixth = connect(tls);
        assertFalse(fifth.isReadingPaused());
        assertFalse(sixth.isReadingPaused(), "every slot came back");
    }

    @Test
    void aWaitingConnectionStillTimesOut() {
        TlsServer tls = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(server.key(), server.cert()))
                .withMaxHandshakes(1).withHandshakeTimeout(Duration.ofSeconds(3)));
        connect(tls);
        FakeTransport waiting = connect(tls);
        clock.advance(Duration.ofSeconds(3));
        assertTrue(waiting.isDisconnecting(), "refused after its handshake timeout");
    }

    @Test
    void atLeastOneHandshakeAtATime() {
        assertThrows(IllegalArgumentException.class, () -> TlsServerConfig.of(KeyMaterial.pem(server.key(),
                server.cert())).withMaxHandshakes(0));
        assertEquals(64 * Runtime.getRuntime().availableProcessors(), TlsServerConfig.DEFAULT_MAX_HANDSHAKES);
    }
}
