package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.unix.UnixDatagramSocket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** listenUnixDatagram: datagrams arrive on the loop thread, replies reach the sender, the file goes on stop. */
@Timeout(30)
class UnixDatagramPortTest {

    @TempDir
    Path dir;

    private final RecordingLogger log = new RecordingLogger();
    private final Reactor reactor = Reactor.start(Reactor.Options.defaults().withLogger(log).withMaxDatagramSize(100));

    @AfterEach
    void close() {
        reactor.close();
    }

    @Test
    void echoesToTheSenderOnTheLoopThreadAndRemovesTheFileOnStop() throws Exception {
        Path path = dir.resolve("echo.sock");
        List<String> threads = new ArrayList<>();
        CompletableFuture<Void> stoppedProtocol = new CompletableFuture<>();
        ListeningPort port = reactor.listenUnixDatagram(path, new DatagramEcho() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                threads.add(Thread.currentThread().getName());
                super.datagramReceived(data, sender);
            }

            @Override
            public void stopProtocol() {
                stoppedProtocol.complete(null);
            }
        });
        assertTrue(Files.exists(path));
        try (UnixDatagramSocket client = UnixDatagramSocket.bindAutomatic()) {
            for (String message : List.of("one", "two", "three")) {
                client.send(ByteBuffer.wrap(message.getBytes(StandardCharsets.US_ASCII)), port.address());
                ByteBuffer reply = ByteBuffer.allocate(100);
                client.receive(reply);
                assertEquals(message, new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
            }
        }
        port.stopListening().toCompletableFuture().get(10, SECONDS);
        stoppedProtocol.get(10, SECONDS);
        assertFalse(Files.exists(path), "the socket file is removed");
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        reactor.callFromThread(() -> seen.complete(List.copyOf(threads)));
        assertTrue(seen.get(10, SECONDS).stream().allMatch(name -> name.startsWith("pier-reactor-")),
                threads::toString);
    }

    @Test
    void aProtocolStoppingListeningInStartProtocolIsStoppedOnce() throws Exception {
        Path path = dir.resolve("stops.sock");
        StopsListeningOnStart protocol = new StopsListeningOnStart();
        protocol.port.complete(reactor.listenUnixDatagram(path, protocol));
        protocol.stopping.get(10, SECONDS).toCompletableFuture().get(10, SECONDS);
        protocol.stopped.get(10, SECONDS);
        assertFalse(Files.exists(path), "the socket file is removed");
        reactor.close();   // stopping the loop must not stop the protocol a second time
        assertEquals(1, protocol.stopProtocolCalls.get());
    }

    @Test
    void anOverlongDatagramIsDroppedAndLogged() throws Exception {
        CompletableFuture<Integer> delivered = new CompletableFuture<>();
        ListeningPort port = reactor.listenUnixDatagram(dir.resolve("limit.sock"),
                (data, sender) -> delivered.complete(data.remaining()));
        try (UnixDatagramSocket client = UnixDatagramSocket.bindAutomatic()) {
            client.send(ByteBuffer.allocate(101), port.address());
            client.send(ByteBuffer.allocate(100), port.address());
            assertEquals(100, delivered.get(10, SECONDS), "the first, over-long one never reached the protocol");
        }
        assertTrue(log.await("dropped a datagram").contains("101 bytes"));
    }
}
