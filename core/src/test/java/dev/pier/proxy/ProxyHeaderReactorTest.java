package dev.pier.proxy;

import static dev.pier.proxy.ProxyTesting.ascii;
import static dev.pier.proxy.ProxyTesting.concat;
import static dev.pier.proxy.ProxyTesting.inet;
import static dev.pier.proxy.ProxyTesting.inetBlock;
import static dev.pier.proxy.ProxyTesting.tlv;
import static dev.pier.proxy.ProxyTesting.v2;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The layer on a real reactor, with a raw client socket playing the proxy on loopback. */
class ProxyHeaderReactorTest {

    private final ProxyProtocol proxy = ProxyProtocol.layer();
    private final CompletableFuture<SocketAddress> remoteWhenMade = new CompletableFuture<>();
    private final CompletableFuture<String> authority = new CompletableFuture<>();
    private Reactor reactor;
    private ListeningPort port;

    /** Echoes, after recording the client and authority the header named. */
    private final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            remoteWhenMade.complete(transport.remoteAddress());
            authority.complete(transport.layer(ProxyHeaderLayer.class).orElseThrow().header().authority().orElse(""));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    @BeforeEach
    void listen() {
        reactor = Reactor.start();
        port = reactor.listenTcp(0, LayeredProtocol.wrap(peer -> new Echo(), List.of(proxy)), "127.0.0.1");
    }

    @AfterEach
    void stop() {
        reactor.close();
    }

    @Test
    void theProtocolSeesTheClientTheVersion2HeaderNames() throws Exception {
        InetSocketAddress client = inet("203.0.113.7", 61000);
        byte[] header = v2(0x21, 0x11, inetBlock(client, inet("198.51.100.2", 443)),
                tlv(ProxyHeader.TYPE_AUTHORITY, ascii("example.com")));
        try (SocketChannel socket = SocketChannel.open(port.address())) {
            socket.write(ByteBuffer.wrap(concat(header, ascii("hello"))));
            assertEquals(client, remoteWhenMade.get(10, SECONDS));
            assertEquals("example.com", authority.get(10, SECONDS));
            assertArrayEquals(ascii("hello"), socket.socket().getInputStream().readNBytes(5),
                    "the bytes after the header reach the protocol, and its writes the client");
        }
        assertEquals(1, proxy.acceptedConnections());
    }

    @Test
    void aClientWithoutAHeaderIsCutOff() throws Exception {
        try (SocketChannel socket = SocketChannel.open(port.address())) {
            socket.write(ByteBuffer.wrap(ascii("GET / HTTP/1.1\r\n\r\n")));
            InputStream in = socket.socket().getInputStream();
            assertThrows(IOException.class, () -> {
                if (in.read() == -1) {
                    throw new IOException("closed");   // a reset is expected; an end of stream would do too
                }
            });
        }
        assertFalse(remoteWhenMade.isDone(), "the protocol never heard of it");
        assertEquals(1, proxy.rejectedConnections());
    }
}
