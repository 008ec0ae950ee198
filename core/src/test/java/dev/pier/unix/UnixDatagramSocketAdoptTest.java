package dev.pier.unix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Adopting a copy of a socket's descriptor, as a forking server's child does to reply from the server's address. */
@Timeout(10)
class UnixDatagramSocketAdoptTest {

    @TempDir
    Path dir;

    @Test
    void anAdoptedCopySendsFromTheOriginalAddressAndClosingItKeepsTheSocketFile() throws Exception {
        Path path = dir.resolve("server.sock");
        try (var server = UnixDatagramSocket.bind(path);
             var client = UnixDatagramSocket.bindAutomatic()) {
            try (var copy = UnixDatagramSocket.adopt(Descriptors.dup(server.fd()))) {
                assertEquals(server.boundAddress(), copy.boundAddress());
                copy.send(UTF_8.encode("from the copy"), client.boundAddress());
            }
            ByteBuffer reply = ByteBuffer.allocate(100);
            assertEquals(server.boundAddress(), client.receive(reply).sender());
            assertEquals("from the copy", UTF_8.decode(reply.flip()).toString());
            assertTrue(Files.exists(path), "the socket file belongs to the socket that bound it");

            client.send(UTF_8.encode("still open"), server.boundAddress());
            ByteBuffer received = ByteBuffer.allocate(100);
            server.receive(received);
            assertEquals("still open", UTF_8.decode(received.flip()).toString());
        }
    }

    @Test
    void onlyAUnixDatagramSocketCanBeAdopted() throws Exception {
        try (var udp = DatagramChannel.open()) {
            int copy = Descriptors.dup(Descriptors.of(udp));
            try {
                assertThrows(IllegalArgumentException.class, () -> UnixDatagramSocket.adopt(copy));
            } finally {
                Descriptors.close(copy);
            }
        }
    }
}
