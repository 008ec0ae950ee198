package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketFilesTest {

    @TempDir
    Path directory;

    @Test
    void removesTheSocketFileOfAServerThatIsGone() throws Exception {
        Path path = directory.resolve("stale.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path), "closing a Unix server leaves its file behind");
        SocketFiles.removeIfStale(path);
        assertFalse(Files.exists(path));
    }

    @Test
    void leavesTheSocketFileOfALiveServer() throws Exception {
        Path path = directory.resolve("live.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(path));
            SocketFiles.removeIfStale(path);
            assertTrue(Files.exists(path));
        }
    }

    @Test
    void refusesAFileThatIsNotASocket() throws Exception {
        Path path = Files.writeString(directory.resolve("notes.sock"), "not a socket");
        IOException refused = assertThrows(IOException.class, () -> SocketFiles.removeIfStale(path));
        assertEquals(path + " exists and is not a socket", refused.getMessage());
        assertTrue(Files.exists(path));
    }

    @Test
    void doesNothingWhenThereIsNoFile() throws Exception {
        SocketFiles.removeIfStale(directory.resolve("absent.sock"));
        assertFalse(Files.exists(directory.resolve("absent.sock")));
    }
}
