package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

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

    @Test
    void anAbortedConnectionEndsWithAResetNotAnEndOfStream() throws Exception {
        // Half of a reply, then an abort when the client says it got it: a reply cut short.
        Recorder server = new Recorder((recorder, bytes) -> recorder.transport.abortConnection());
        server.made.thenAccept(t -> t.write(ascii("half")));
        ListeningPort port = listen(reactor, peer -> server);
        try (SocketChannel client = openClient(port)) {
            InputStream in = client.socket().getInputStream();
            assertArrayEquals(ascii("half").array(), in.readNBytes(4));
            client.write(ascii("got it"));
            assertThrows(SocketException.class, in::read, "a reset, which no reader mistakes for the end");
        }
        assertFalse(server.lost.get(10, SECONDS).isClean());
    }
}
