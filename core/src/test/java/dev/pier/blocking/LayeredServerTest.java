package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pier.blocking.TestServers.Serving;
import dev.pier.layer.LayerFactory;
import dev.pier.layer.TestLayers.FromLine;
import dev.pier.layer.TestLayers.Upcase;
import dev.pier.protocols.policies.Policies;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The layers the reactor runs serve a blocking handler too: its streams read and write through them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LayeredServerTest {

    static Stream<Concurrency> inProcess() {
        return Stream.of(Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads());
    }

    /** Echoes each line, prefixed with the peer its layers named. */
    static final class NamingEcho extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            String peer = layer(FromLine.class).isPresent() ? "from " + clientAddress() + " " : "";
            for (String line; (line = readLine()) != null; ) {
                out().write((peer + line + "\n").getBytes(US_ASCII));
            }
        }
    }

    private static TcpServer server(Concurrency concurrency, List<LayerFactory> layers,
            RequestHandlerFactory<SocketChannel> handlers) throws IOException {
        return new TcpServer(new InetSocketAddress(TestServers.LOOPBACK, 0), handlers,
                ServerOptions.defaults().withConcurrency(concurrency).withLayers(layers));
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void aHandlerReadsAndWritesThroughItsLayers(Concurrency concurrency) throws Exception {
        try (var server = server(concurrency, List.of(peer -> new FromLine(), peer -> new Upcase()), NamingEcho::new);
             var socket = new Socket()) {
            Serving serving = Serving.start(server);
            socket.connect(server.address());
            socket.getOutputStream().write("FROM 192.0.2.1 9\nhello\n".getBytes(US_ASCII));
            socket.shutdownOutput();
            assertEquals("from 192.0.2.1/<unresolved>:9 HELLO\n",
                    new String(socket.getInputStream().readAllBytes(), US_ASCII));
            serving.shutdownAndAwait();
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void aConnectionItsLayersRefuseNeverReachesTheHandler(Concurrency concurrency) throws Exception {
        try (var server = server(concurrency, List.of(peer -> new FromLine()), NamingEcho::new);
             var socket = new Socket()) {
            Serving serving = Serving.start(server);
            socket.connect(server.address());
            socket.getOutputStream().write("GET / HTTP/1.0\n\n".getBytes(US_ASCII));
            assertThrows(IOException.class, () -> readUntilClosed(socket.getInputStream()));
            serving.shutdownAndAwait();
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void timersOfLayersRunForABlockingConnection(Concurrency concurrency) throws Exception {
        try (var server = server(concurrency, List.of(Policies.idleTimeout(Duration.ofMillis(100))), NamingEcho::new);
             var socket = new Socket()) {
            Serving serving = Serving.start(server);
            socket.connect(server.address());
            // Silent: the idle timer resets the connection, which ends this read.
            assertThrows(IOException.class, () -> readUntilClosed(socket.getInputStream()));
            serving.shutdownAndAwait();
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void writesHeldByALayerAreAllSentBeforeTheConnectionCloses(Concurrency concurrency) throws Exception {
        byte[] reply = new byte[3000];
        for (int i = 0; i < reply.length; i++) {
            reply[i] = (byte) i;
        }
        class Writer extends StreamRequestHandler {
            @Override
            protected void handle() throws IOException {
                out().write(reply);
            }
        }
        try (var server = server(concurrency, List.of(Policies.throttleWrites(20_000)), Writer::new);
             var socket = new Socket()) {
            Serving serving = Serving.start(server);
            socket.connect(server.address());
            assertArrayEquals(reply, socket.getInputStream().readAllBytes());
            serving.shutdownAndAwait();
        }
    }

    @Test
    void datagramServersTakeNoLayers() {
        var error = assertThrows(IllegalArgumentException.class, () -> new UdpServer(
                new InetSocketAddress(TestServers.LOOPBACK, 0), () -> new TestServers.PacketHandler((l, s) -> l),
                ServerOptions.defaults().withLayers(List.of(peer -> new Upcase()))));
        assertEquals("layers run on stream connections; a datagram server takes none", error.getMessage());
    }

    private static void readUntilClosed(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // the server sends nothing; the read ends when the connection does
        }
        throw new IOException("closed cleanly rather than reset");
    }
}
