package dev.pier.unix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.libc.LibC;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DescriptorsTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void ofGivesTheSocketDescriptorOfEachKindOfChannel() throws IOException {
        try (var server = ServerSocketChannel.open().bind(LOOPBACK);
             var client = SocketChannel.open(server.getLocalAddress());
             var datagram = DatagramChannel.open().bind(LOOPBACK)) {
            for (var channel : List.of(server, client, datagram)) {
                assertTrue(link(Descriptors.of(channel)).startsWith("socket:["), channel.toString());
            }
            assertEquals(3, Stream.of(server, client, datagram).mapToInt(Descriptors::of)
                    .distinct().count());
        }
    }

    @Test
    void ofRefusesClosedChannelsAndChannelsWithoutASocket() throws IOException {
        var channel = SocketChannel.open();
        channel.close();
        assertThrows(IllegalStateException.class, () -> Descriptors.of(channel));
        Path file = Files.createTempFile("pier", ".txt");
        try (var fileChannel = FileChannel.open(file)) {
            assertThrows(IllegalArgumentException.class, () -> Descriptors.of(fileChannel));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void dupDup2AndCloseManageDescriptors() throws IOException {
        try (var channel = DatagramChannel.open()) {
            int original = Descriptors.of(channel);
            int copy = Descriptors.dup(original);
            assertNotEquals(original, copy);
            assertEquals(link(original), link(copy));

            int target = Descriptors.dup(copy);
            try (var other = DatagramChannel.open()) {
                Descriptors.dup2(Descriptors.of(other), target);
                assertEquals(link(Descriptors.of(other)), link(target));
            }
            Descriptors.close(target);
            Descriptors.close(copy);

            assertFalse(Files.exists(Path.of("/proc/self/fd", Integer.toString(copy)), LinkOption.NOFOLLOW_LINKS));
            var failure = assertThrows(IOException.class, () -> Descriptors.close(copy));
            assertTrue(failure.getMessage().startsWith("cannot close descriptor " + copy), failure.getMessage());
        }
    }

    @Test
    void aPassedDescriptorReachesTheSameConnection() throws IOException {
        try (var pair = UnixStreamPair.open();
             var tcpServer = ServerSocketChannel.open().bind(LOOPBACK);
             var tcpClient = SocketChannel.open(tcpServer.getLocalAddress())) {
            SocketChannel accepted = tcpServer.accept();

            Descriptors.sendDescriptor(pair.client(), Descriptors.of(accepted), ByteBuffer.wrap("x".getBytes(UTF_8)));
            accepted.close(); // the receiver holds its own descriptor for the connection now
            ByteBuffer payload = ByteBuffer.allocate(10);
            Descriptors.Received received = Descriptors.receiveDescriptor(pair.server(), payload);

            assertEquals(1, received.bytesRead());
            assertEquals("x", UTF_8.decode(payload.flip()).toString());
            try {
                writeThrough(received.fd(), "through the passed descriptor");
            } finally {
                Descriptors.close(received.fd());
            }
            ByteBuffer arrived = ByteBuffer.allocate(100);
            while (tcpClient.read(arrived) >= 0) {
                // read until the end of the stream: closing the last descriptor of the connection ends it
            }
            assertEquals("through the passed descriptor", UTF_8.decode(arrived.flip()).toString());
        }
    }

    @Test
    void bytesWithoutADescriptorAndTheEndOfTheStreamAreReported() throws IOException {
        try (var pair = UnixStreamPair.open()) {
            pair.client().write(ByteBuffer.wrap("plain".getBytes(UTF_8)));
            pair.client().shutdownOutput();

            assertEquals(new Descriptors.Received(-1, 5), Descriptors.receiveDescriptor(pair.server(),
                    ByteBuffer.allocate(10)));
            assertEquals(new Descriptors.Received(-1, -1), Descriptors.receiveDescriptor(pair.server(),
                    ByteBuffer.allocate(10)));
        }
    }

    @Test
    void aNonBlockingChannelStillWaitsForTheDescriptor() throws Exception {
        try (var pair = UnixStreamPair.open(); var passed = DatagramChannel.open()) {
            pair.server().configureBlocking(false);
            var receiving = CompletableFuture.supplyAsync(() -> {
                try {
                    return Descriptors.receiveDescriptor(pair.server(), ByteBuffer.allocate(1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Descriptors.sendDescriptor(pair.client(), Descriptors.of(passed), ByteBuffer.wrap(new byte[] {7}));
            Descriptors.Received received = receiving.get(5, TimeUnit.SECONDS);
            try {
                assertEquals(link(Descriptors.of(passed)), link(received.fd()));
            } finally {
                Descriptors.close(received.fd());
            }
        }
    }

    @Test
    void descriptorsTravelOnlyOverUnixSockets() throws IOException {
        try (var server = ServerSocketChannel.open().bind(LOOPBACK);
             var client = SocketChannel.open(server.getLocalAddress())) {
            var failure = assertThrows(IllegalArgumentException.class,
                    () -> Descriptors.sendDescriptor(client, 0, ByteBuffer.wrap(new byte[1])));
            assertTrue(failure.getMessage().startsWith("sendDescriptor needs a Unix domain SocketChannel"),
                    failure.getMessage());
        }
    }

    @Test
    void descriptorsTheJdkCannotWrapAreRefusedBeforeTouchingStandardInput() throws IOException {
        String standardInput = link(0);
        try (var datagram = UnixDatagramSocket.bindAutomatic()) {
            var failure = assertThrows(IllegalArgumentException.class,
                    () -> Descriptors.adoptAsInheritedChannel(datagram.fd()));
            assertTrue(failure.getMessage().contains("is a Unix datagram socket"), failure.getMessage());
        }
        int standardOutput = Descriptors.dup(1);
        try {
            var failure = assertThrows(IllegalArgumentException.class,
                    () -> Descriptors.adoptAsInheritedChannel(standardOutput));
            assertTrue(failure.getMessage().contains("is not a socket"), failure.getMessage());
        } finally {
            Descriptors.close(standardOutput);
        }
        assertEquals(standardInput, link(0));
    }

    private static void writeThrough(int fd, String text) {
        try (Arena arena = Arena.ofConfined()) {
            var bytes = arena.allocateFrom(text);
            assertEquals(text.length(), LibC.write(LibC.newCallState(arena), fd, bytes, text.length()));
        }
    }

    static String link(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
    }
}
