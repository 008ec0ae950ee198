package dev.pier.unix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UnixDatagramSocketTest {

    /** Short on purpose: sun_path holds at most 107 bytes, and JUnit's @TempDir may live under a long path. */
    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("pier");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    @Test
    void datagramsTravelBetweenTwoBoundSocketsBothWays() throws IOException {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"));
             var client = UnixDatagramSocket.bind(dir.resolve("client"))) {
            assertEquals(5, client.send(ByteBuffer.wrap("hello".getBytes(UTF_8)), server.boundAddress()));

            ByteBuffer buffer = ByteBuffer.allocate(100);
            UnixDatagramSocket.Datagram datagram = server.receive(buffer);

            assertEquals("hello", text(buffer));
            assertEquals(new UnixDatagramSocket.Datagram(UnixDomainSocketAddress.of(dir.resolve("client")), 5, false),
                    datagram);

            server.send(ByteBuffer.wrap("world".getBytes(UTF_8)), datagram.sender());
            ByteBuffer reply = ByteBuffer.allocateDirect(100);
            assertEquals(server.boundAddress(), client.receive(reply).sender());
            assertEquals("world", text(reply));
        }
    }

    @Test
    void anAutomaticallyBoundClientGetsAReply() throws IOException {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"));
             var client = UnixDatagramSocket.bindAutomatic()) {
            var clientAddress = assertInstanceOf(AbstractUnixAddress.class, client.boundAddress());
            assertEquals(UnixDomainSocketAddress.of(""), client.localAddress());

            client.send(ByteBuffer.wrap("ping".getBytes(UTF_8)), server.localAddress());
            ByteBuffer buffer = ByteBuffer.allocate(100);
            UnixDatagramSocket.Datagram datagram = server.receive(buffer);
            assertEquals(clientAddress, datagram.sender());

            server.send(buffer.flip(), datagram.sender());
            ByteBuffer reply = ByteBuffer.allocate(100);
            client.receive(reply);
            assertEquals("ping", text(reply));
        }
    }

    @Test
    void socketsBoundToAnAbstractNameExchangeDatagrams() throws IOException {
        var name = AbstractUnixAddress.of("pier-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try (var server = UnixDatagramSocket.bind(name);
             var client = UnixDatagramSocket.bindAutomatic()) {
            assertEquals(name, server.boundAddress());
            client.send(ByteBuffer.wrap("abstract".getBytes(UTF_8)), name);
            ByteBuffer buffer = ByteBuffer.allocate(100);
            server.receive(buffer);
            assertEquals("abstract", text(buffer));
            assertThrows(BindException.class, () -> UnixDatagramSocket.bind(name).close());
        }
    }

    @Test
    void aTruncatedDatagramReportsItsFullLength() throws IOException {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"));
             var client = UnixDatagramSocket.bindAutomatic()) {
            client.send(ByteBuffer.wrap("0123456789".getBytes(UTF_8)), server.boundAddress());
            ByteBuffer small = ByteBuffer.allocate(4);

            UnixDatagramSocket.Datagram datagram = server.receive(small);

            assertEquals(10, datagram.length());
            assertTrue(datagram.truncated());
            assertEquals("0123", text(small));
        }
    }

    @Test
    void receiveWithATimeoutReturnsNullWhenNothingComes() throws IOException {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"))) {
            assertNull(server.receive(ByteBuffer.allocate(10), Duration.ofMillis(20)));
        }
    }

    @Test
    void closeWakesABlockedReceiveWithAsynchronousCloseException() throws Exception {
        var server = UnixDatagramSocket.bind(dir.resolve("server"));
        var outcome = new CompletableFuture<Throwable>();
        Thread.ofVirtual().start(() -> {
            try {
                server.receive(ByteBuffer.allocate(10));
                outcome.complete(new AssertionError("received a datagram nobody sent"));
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        while (server.callsInProgress() == 0) {
            Thread.onSpinWait(); // the receiver is inside receive: from here on, close must wake it
        }

        server.close();

        assertEquals(0, server.callsInProgress(), "close returns after the blocked receive has left");
        assertInstanceOf(AsynchronousCloseException.class, outcome.get(5, TimeUnit.SECONDS));
        assertThrows(ClosedChannelException.class, () -> server.receive(ByteBuffer.allocate(10)));
        server.close();
    }

    @Test
    void closeRemovesTheSocketFile() throws IOException {
        Path path = dir.resolve("server");
        var server = UnixDatagramSocket.bind(path);
        assertTrue(Files.exists(path));

        server.close();

        assertFalse(Files.exists(path));
        assertFalse(server.isOpen());
    }

    @Test
    void bindingAnExistingPathFailsClearlyAndLeaksNoDescriptor() throws IOException {
        Path path = dir.resolve("taken");
        try (var holder = UnixDatagramSocket.bind(path)) {
            long before = openDescriptors();
            for (int i = 0; i < 1000; i++) {
                var failure = assertThrows(BindException.class, () -> UnixDatagramSocket.bind(path));
                assertTrue(failure.getMessage().startsWith("cannot bind unixgram:" + path + ": address already in use ("),
                        failure.getMessage());
            }
            long after = openDescriptors();
            // Fewer is no leak: something else in the JVM (a finished test's socket, its cleaner) may close meanwhile.
            assertTrue(after <= before, "descriptors open before: " + before + ", after: " + after);
            assertTrue(Files.exists(path), "a failed bind must not remove the socket file of another socket");
        }
    }

    @Test
    void openingAndClosingSocketsLeaksNoDescriptor() throws IOException {
        long before = openDescriptors();
        for (int i = 0; i < 500; i++) {
            UnixDatagramSocket.bind(dir.resolve("server")).close();
            UnixDatagramSocket.bindAutomatic().close();
        }
        long after = openDescriptors();
        // Fewer is no leak: something else in the JVM (a finished test's socket, its cleaner) may close meanwhile.
        assertTrue(after <= before, "descriptors open before: " + before + ", after: " + after);
    }

    @Test
    void bindingInAMissingDirectoryNamesTheProblem() {
        var failure = assertThrows(BindException.class,
                () -> UnixDatagramSocket.bind(dir.resolve("missing").resolve("server")));
        assertTrue(failure.getMessage().startsWith("no such directory"), failure.getMessage());
    }

    @Test
    void aPathLongerThan107BytesFailsClearly() throws IOException {
        Path tooLong = dir.resolve("x".repeat(108 - dir.toString().length() - 1));
        assertEquals(108, tooLong.toString().length());

        var failure = assertThrows(BindException.class, () -> UnixDatagramSocket.bind(tooLong));

        assertTrue(failure.getMessage().contains("is too long: 108 bytes"), failure.getMessage());
        assertFalse(Files.exists(tooLong));
        Path longest = dir.resolve("x".repeat(107 - dir.toString().length() - 1));
        UnixDatagramSocket.bind(longest).close();
    }

    @Test
    void sendingToAPathWithoutASocketFailsClearly() throws IOException {
        try (var client = UnixDatagramSocket.bindAutomatic()) {
            var failure = assertThrows(SocketException.class,
                    () -> client.send(ByteBuffer.wrap(new byte[1]), UnixDomainSocketAddress.of(dir.resolve("none"))));
            assertTrue(failure.getMessage().startsWith("no socket is bound at unixgram:"), failure.getMessage());
        }
    }

    @Test
    void anOversizedDatagramFailsWithItsSize() throws IOException {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"));
             var client = UnixDatagramSocket.bindAutomatic()) {
            var failure = assertThrows(SocketException.class,
                    () -> client.send(ByteBuffer.allocate(16 << 20), server.boundAddress()));
            assertTrue(failure.getMessage().startsWith("datagram of 16777216 bytes is too large"),
                    failure.getMessage());
        }
    }

    @Test
    void trySendReportsAFullReceiverInsteadOfWaiting() throws IOException {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"));
             var client = UnixDatagramSocket.bindAutomatic()) {
            ByteBuffer datagram = ByteBuffer.allocate(1000);
            int sent = 0;
            while (client.trySend(datagram, server.boundAddress())) {
                datagram.clear();
                sent++;
            }
            assertEquals(0, datagram.position(), "a datagram not sent leaves the buffer as it was");
            int received = 0;
            while (server.receive(ByteBuffer.allocate(1000), Duration.ZERO) != null) {
                received++;
            }
            assertEquals(sent, received);
        }
    }

    @Test
    void sendWaitsForRoomAtAFullReceiver() throws Exception {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"));
             var client = UnixDatagramSocket.bindAutomatic()) {
            fill(client, server);
            CompletableFuture<Integer> send = sendInBackground(client, server);
            while (client.callsInProgress() == 0) {
                Thread.onSpinWait();
            }
            assertFalse(send.isDone());

            server.receive(ByteBuffer.allocate(1000));

            assertEquals(1000, send.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void closeWakesASendWaitingForRoom() throws Exception {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"))) {
            var client = UnixDatagramSocket.bindAutomatic();
            fill(client, server);
            CompletableFuture<Integer> send = sendInBackground(client, server);
            while (client.callsInProgress() == 0) {
                Thread.onSpinWait();
            }

            client.close();

            var failure = assertThrows(ExecutionException.class, () -> send.get(5, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, failure.getCause());
        }
    }

    @Test
    void receiveFillsHeapAndDirectBuffersFromTheirPosition() throws IOException {
        try (var server = UnixDatagramSocket.bind(dir.resolve("server"));
             var client = UnixDatagramSocket.bindAutomatic()) {
            for (ByteBuffer buffer : new ByteBuffer[] {ByteBuffer.wrap(new byte[20], 2, 10).slice(),
                    ByteBuffer.allocateDirect(10)}) {
                buffer.put("ab".getBytes(UTF_8));
                client.send(ByteBuffer.wrap("cdefghijkl".getBytes(UTF_8)).position(2).asReadOnlyBuffer(),
                        server.boundAddress());

                var datagram = server.receive(buffer);

                assertEquals(new UnixDatagramSocket.Datagram(client.boundAddress(), 8, false), datagram);
                assertEquals("abefghijkl", text(buffer));
            }
        }
    }

    /** Sends 1000-byte datagrams until the receiver's queue is full. */
    private static void fill(UnixDatagramSocket client, UnixDatagramSocket server) throws IOException {
        while (client.trySend(ByteBuffer.allocate(1000), server.boundAddress())) {
            // keep sending
        }
    }

    private static CompletableFuture<Integer> sendInBackground(UnixDatagramSocket client, UnixDatagramSocket server) {
        var result = new CompletableFuture<Integer>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(client.send(ByteBuffer.allocate(1000), server.boundAddress()));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static String text(ByteBuffer buffer) {
        buffer.flip();
        return UTF_8.decode(buffer).toString();
    }

    static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
