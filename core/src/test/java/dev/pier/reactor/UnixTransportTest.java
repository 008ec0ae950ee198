package dev.pier.reactor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The stream transport contract over Unix domain stream sockets in a temporary directory. */
class UnixTransportTest extends StreamTransportContract {

    private final AtomicInteger sockets = new AtomicInteger();

    @Override
    ListeningPort listen(Reactor reactor, ProtocolFactory factory) {
        return reactor.listenUnix(dir.resolve("s" + sockets.incrementAndGet() + ".sock"), factory);
    }

    @Override
    CompletableFuture<Protocol> connect(Reactor reactor, ListeningPort port, ClientFactory factory) {
        return reactor.connectUnix(((UnixDomainSocketAddress) port.address()).getPath(), factory);
    }

    @Override
    CompletableFuture<Protocol> connectToNothing(Reactor reactor, ClientFactory factory) {
        return reactor.connectUnix(dir.resolve("nobody-listens.sock"), factory);
    }

    @Override
    SocketChannel openClient(ListeningPort port) throws IOException {
        return SocketChannel.open(port.address());
    }

    @Test
    void theSocketFileIsRemovedWhenListeningStopsAndAStaleOneIsReported() throws Exception {
        Path path = dir.resolve("service.sock");
        ListeningPort port = reactor.listenUnix(path, peer -> new Echo());
        assertTrue(Files.exists(path));
        UncheckedIOException busy = assertThrows(UncheckedIOException.class,
                () -> reactor.listenUnix(path, peer -> new Echo()));
        assertTrue(busy.getMessage().startsWith("cannot listen on Unix socket " + path), busy.getMessage());
        assertTrue(busy.getMessage().contains("delete it"), busy.getMessage());
        port.stopListening().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(path));
    }

    @Override
    String connectManyTarget(ListeningPort port) {
        return "unix:" + ((UnixDomainSocketAddress) port.address()).getPath();
    }
}
