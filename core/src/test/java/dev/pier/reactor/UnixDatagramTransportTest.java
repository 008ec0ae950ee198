package dev.pier.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.unix.UnixDatagramSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The datagram transport contract over Unix datagram sockets in a temporary directory. */
class UnixDatagramTransportTest extends DatagramTransportContract {

    private final AtomicInteger sockets = new AtomicInteger();

    @Override
    ListeningPort listen(Reactor reactor, DatagramProtocol protocol) {
        return reactor.listenUnixDatagram(dir.resolve("d" + sockets.incrementAndGet() + ".sock"), protocol);
    }

    @Override
    ListeningPort listenAgain(Reactor reactor, ListeningPort stopped, DatagramProtocol protocol) {
        return reactor.listenUnixDatagram(((UnixDomainSocketAddress) stopped.address()).getPath(), protocol);
    }

    @Override
    Client openClient() throws IOException {
        UnixDatagramSocket socket = UnixDatagramSocket.bindAutomatic();
        return new Client() {
            @Override
            public void send(ByteBuffer data, SocketAddress target) throws IOException {
                socket.send(data, target);
            }

            @Override
            public String receive() throws IOException {
                ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM + 1);
                // A native wait, which no test timeout interrupts: bounded here.
                if (socket.receive(buffer, Duration.ofSeconds(10)) == null) {
                    throw new SocketTimeoutException("no datagram within 10 s");
                }
                return new String(buffer.array(), 0, buffer.position(), US_ASCII);
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    /** A path where no socket was ever bound: sending there fails at once. */
    @Override
    SocketAddress unreachable() {
        return UnixDomainSocketAddress.of(dir.resolve("nobody-receives.sock"));
    }

    @Test
    void theSocketFileIsRemovedWhenListeningStopsEvenFromStartProtocol() throws Exception {
        Path path = dir.resolve("service.sock");
        ListeningPort port = reactor.listenUnixDatagram(path, new DatagramEcho());
        assertTrue(Files.exists(path));
        port.stopListening().toCompletableFuture().get(10, SECONDS);
        assertFalse(Files.exists(path), "the socket file is removed");

        Path stops = dir.resolve("stops.sock");
        StopsListeningOnStart protocol = new StopsListeningOnStart();
        protocol.port.complete(reactor.listenUnixDatagram(stops, protocol));
        protocol.stopping.get(10, SECONDS).toCompletableFuture().get(10, SECONDS);
        assertFalse(Files.exists(stops), "the socket file is removed");
    }

    @Test
    void aDroppedDatagramIsReportedWithItsLength() throws Exception {
        CompletableFuture<Integer> delivered = new CompletableFuture<>();
        ListeningPort port = listen(reactor, (data, sender) -> delivered.complete(data.remaining()));
        try (Client client = openClient()) {
            client.send(ByteBuffer.allocate(MAX_DATAGRAM + 1), port.address());
            client.send(ByteBuffer.allocate(MAX_DATAGRAM), port.address());
            delivered.get(10, SECONDS);
        }
        assertTrue(log.await("dropped a datagram").contains((MAX_DATAGRAM + 1) + " bytes"));
    }
}
