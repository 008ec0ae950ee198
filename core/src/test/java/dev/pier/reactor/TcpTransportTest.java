package dev.pier.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;

/** The stream transport contract over TCP on 127.0.0.1. */
class TcpTransportTest extends StreamTransportContract {

    @Override
    ListeningPort listen(Reactor reactor, ProtocolFactory factory) {
        return reactor.listenTcp(0, factory, "127.0.0.1");
    }

    @Override
    CompletableFuture<Protocol> connect(Reactor reactor, ListeningPort port, ClientFactory factory) {
        return reactor.connectTcp("127.0.0.1", port.port(), factory);
    }

    @Override
    CompletableFuture<Protocol> connectToNothing(Reactor reactor, ClientFactory factory) throws IOException {
        int freePort;
        try (ServerSocketChannel probe = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            freePort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        return reactor.connectTcp("127.0.0.1", freePort, factory);
    }

    @Override
    SocketChannel openClient(ListeningPort port) throws IOException {
        return SocketChannel.open(port.address());
    }

    @Override
    String connectManyTarget(ListeningPort port) {
        return "tcp:127.0.0.1:" + port.port();
    }
}
