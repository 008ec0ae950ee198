package dev.pier.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PeerCredentialsTest {

    @Test
    void bothEndsOfALocalConnectionSeeThisProcess() throws IOException {
        try (var pair = UnixStreamPair.open()) {
            var expected = new PeerCredentials(ProcessHandle.current().pid(), effectiveId("Uid"), effectiveId("Gid"));

            assertEquals(expected, PeerCredentials.of(pair.server()));
            assertEquals(expected, PeerCredentials.of(pair.client()));
        }
    }

    @Test
    void aTcpChannelIsRefusedClearly() throws IOException {
        try (var server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             var client = SocketChannel.open(server.getLocalAddress());
             var accepted = server.accept()) {
            var failure = assertThrows(IllegalArgumentException.class, () -> PeerCredentials.of(accepted));
            assertTrue(failure.getMessage().startsWith("PeerCredentials.of needs a Unix domain SocketChannel"),
                    failure.getMessage());
        }
    }

    @Test
    void unconnectedAndClosedChannelsAreRefused() throws IOException {
        var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        assertThrows(NotYetConnectedException.class, () -> PeerCredentials.of(channel));
        channel.close();
        assertThrows(ClosedChannelException.class, () -> PeerCredentials.of(channel));
    }

    /** The effective id from a {@code Uid:} or {@code Gid:} line: real, effective, saved, filesystem. */
    static int effectiveId(String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith(field + ":"))
                .map(line -> Integer.parseInt(line.split("\\s+")[2]))
                .findFirst()
                .orElseThrow();
    }
}
