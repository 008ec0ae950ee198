package dev.pier.unix;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two connected Unix stream channels, like {@code socketpair}: bound in a short temporary directory (sun_path holds
 * 107 bytes at most), which close removes with everything else.
 */
record UnixStreamPair(SocketChannel client, SocketChannel server) implements AutoCloseable {

    static UnixStreamPair open() throws IOException {
        Path dir = Files.createTempDirectory("pier");
        var address = UnixDomainSocketAddress.of(dir.resolve("s"));
        try (var listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address)) {
            var client = SocketChannel.open(address);
            return new UnixStreamPair(client, listener.accept());
        } finally {
            Files.deleteIfExists(address.getPath());
            Files.delete(dir);
        }
    }

    @Override
    public void close() throws IOException {
        try (client; server) {
            // both close
        }
    }
}
