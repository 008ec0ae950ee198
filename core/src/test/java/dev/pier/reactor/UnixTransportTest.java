package dev.pier.reactor;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

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

    @Override
    String connectManyTarget(ListeningPort port) {
        return "unix:" + ((UnixDomainSocketAddress) port.address()).getPath();
    }
}
