package dev.pier.app.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The socket files of Unix servers. */
final class SocketFiles {

    private static final int FILE_TYPE = 0170000;
    private static final int SOCKET = 0140000;

    private SocketFiles() {}

    /**
     * Removes {@code path} if it is a socket file nobody listens on any more, left behind by a server that was
     * killed: binding would otherwise fail as if the address were in use. A live socket is left alone.
     *
     * @throws IOException if {@code path} is a file of another kind, which a server must not replace
     */
    static void removeIfStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (((int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & FILE_TYPE) != SOCKET) {
            throw new IOException(path + " exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            // A stream server is listening there.
        } catch (ConnectException refused) {
            Files.deleteIfExists(path);
        } catch (IOException wrongType) {
            // A datagram socket is bound there: a stream connection to it fails with another error than refused.
        }
    }
}
