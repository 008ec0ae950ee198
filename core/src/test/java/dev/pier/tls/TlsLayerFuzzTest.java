package dev.pier.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Transport;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server-side TLS layer behind {@link LayeredProtocol}, on a fake transport, fed any bytes cut into any packets.
 * No exception escapes; what the server writes is whole TLS records; the protocol hears nothing, since no input can
 * finish a handshake without the server's fresh key share; and the connection ends up refused or closed, or is
 * still waiting for bytes, in which case the handshake timeout ends it.
 *
 * <p>Input: a flags byte (bit 0: the peer ends its output after the bytes; bit 1: one packet per byte), a seed for
 * the packet sizes, then the bytes the peer sends. A seed is a client's first flight with two leading bytes.
 */
@Timeout(10)
class TlsLayerFuzzTest {

    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path dir;

    static TlsServer server;

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        TestPki pki = new TestPki(dir);
        TestPki.Ca ca = pki.ca("fuzz");
        TestPki.Leaf leaf = pki.leaf(ca, "localhost", "ec", "DNS:localhost");
        server = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(leaf.key(), leaf.cert()))
                .withHandshakeTimeout(HANDSHAKE_TIMEOUT));
    }

    /** Whatever reaches the protocol: which, over this input, is nothing. */
    private static final class Recorder implements Protocol {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        boolean made;
        boolean lost;

        @Override
        public void connectionMade(Transport transport) {
            made = true;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.writeBytes(bytes);
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            lost = true;
        }
    }

    @FuzzTest
    void serverHandshakes(byte[] data) {
        int flags = data.length > 0 ? data[0] & 0xff : 0;
        int seed = data.length > 1 ? data[1] & 0xff : 0;
        byte[] sent = Arrays.copyOfRange(data, Math.min(2, data.length), data.length);

        ManualClock clock = new ManualClock();
        Recorder protocol = new Recorder();
        LayeredProtocol layered = LayeredProtocol.wrap(protocol, List.of(server.newLayer(null)));
        FakeTransport transport = FakeTransport.connect(layered, clock);
        TlsLayer tls = (TlsLayer) layered.layers().getFirst();

        for (byte[] packet : packets(sent, seed, (flags & 2) != 0)) {
            if (transport.isDisconnecting()) {
                break;   // a closed socket reads nothing more
            }
            transport.receive(packet);
        }
        if ((flags & 1) != 0 && !transport.isDisconnecting()) {
            layered.readConnectionLost();
            assertTrue(transport.isDisconnecting(), "the peer's end of stream during the handshake ends it");
        }
        assertFalse(protocol.made, "a handshake completed on made-up bytes");
        assertEquals(0, protocol.received.size(), "bytes reached the protocol");
        assertWholeRecords(transport.written());

        if (!transport.isDisconnecting()) {
            // Still waiting for the rest of a handshake: the timeout ends the wait.
            clock.advance(HANDSHAKE_TIMEOUT);
            assertTrue(transport.isDisconnecting(), "still open after the handshake timeout: " + tls);
            assertTrue(tls.failure().isPresent(), "ended without saying why");
        }
        transport.disconnect(transport.isAborted() ? new DisconnectReason.Lost(new java.io.IOException("reset"))
                : DisconnectReason.DONE);
        assertFalse(protocol.lost, "the protocol heard of a connection it never saw");
        assertTrue(clock.pendingCalls().isEmpty(), "a timer outlived the connection");
        assertWholeRecords(transport.written());
    }

    /** The bytes cut into packets: one per byte, or mostly a few bytes each, sometimes none, sometimes more. */
    private static List<byte[]> packets(byte[] sent, int seed, boolean bytewise) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> packets = new java.util.ArrayList<>();
        for (int at = 0; at < sent.length; ) {
            int size = bytewise ? 1 : Math.min(sent.length - at,
                    random.nextInt(4) == 0 ? random.nextInt(600) : random.nextInt(16));
            packets.add(Arrays.copyOfRange(sent, at, at + size));
            at += size;
        }
        return packets;
    }

    /** {@code bytes} are whole TLS records: content type, a 3.x version, a length within the limit, that much. */
    private static void assertWholeRecords(byte[] bytes) {
        int at = 0;
        while (at < bytes.length) {
            assertTrue(bytes.length - at >= 5, "a record header cut short at " + at);
            int type = bytes[at] & 0xff;
            int major = bytes[at + 1] & 0xff;
            int length = ((bytes[at + 3] & 0xff) << 8) | (bytes[at + 4] & 0xff);
            assertTrue(type >= 20 && type <= 23, "content type " + type + " at " + at);
            assertEquals(3, major, "record version at " + at);
            assertTrue(length <= (1 << 14) + 2048, "record length " + length + " at " + at);
            assertTrue(bytes.length - at - 5 >= length, "a record cut short at " + at);
            at += 5 + length;
        }
    }
}
