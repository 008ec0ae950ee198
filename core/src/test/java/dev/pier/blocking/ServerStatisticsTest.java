package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.TestServers.Serving;
import dev.pier.metrics.ServerStatistics;
import dev.pier.tls.TlsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a blocking server counts, read from another thread as a metrics endpoint does, for each concurrency. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerStatisticsTest {

    static Stream<Concurrency> inProcess() {
        return Stream.of(Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads());
    }

    /** Echoes until the client is done. */
    static final class Echo extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            in().transferTo(out());
        }
    }

    /** Fails at once. */
    static final class Failing extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            throw new IOException("a handler that fails (expected by the test)");
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void countsEveryConnectionAndTheBytesBothWays(Concurrency concurrency) throws Exception {
        try (var server = server(concurrency, List.of(), Echo::new)) {
            Serving serving = Serving.start(server);
            byte[] payload = "hello, counters\n".getBytes(US_ASCII);
            for (int i = 0; i < 3; i++) {
                try (var socket = new Socket()) {
                    socket.connect(server.address());
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                    assertArrayEquals(payload, socket.getInputStream().readAllBytes());
                }
            }
            long total = 3L * payload.length;
            assertEquals(new ServerStatistics(3, 0, total, total, 0),
                    awaitStatistics(server, s -> s.bytesSent() == total));
            serving.shutdownAndAwait();
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void aLargeStreamEchoedThroughTransferToComesBackWholeAndCounted(Concurrency concurrency, @TempDir Path dir)
            throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024 + 7];   // the buffer grows to its largest, then a partial chunk
        new Random(7).nextBytes(payload);
        ServerOptions options = ServerOptions.defaults().withConcurrency(concurrency);
        try (var tcp = server(concurrency, List.of(), Echo::new);
             var unix = new UnixStreamServer(dir.resolve("echo.sock"), Echo::new, options)) {
            for (BaseServer<SocketChannel> server : List.<BaseServer<SocketChannel>>of(tcp, unix)) {
                Serving serving = Serving.start(server);
                try (SocketChannel client = SocketChannel.open(server.address())) {
                    // Written from another thread while this one reads: neither side's buffers hold it all.
                    var written = CompletableFuture.runAsync(() -> {
                        try {
                            client.write(ByteBuffer.wrap(payload));
                            client.shutdownOutput();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    assertArrayEquals(payload, Channels.newInputStream(client).readAllBytes());
                    written.get(20, TimeUnit.SECONDS);
                }
                assertEquals(new ServerStatistics(1, 0, payload.length, payload.length, 0),
                        awaitStatistics(server, s -> s.bytesSent() == payload.length));
                serving.shutdownAndAwait();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void aRequestVerifyRequestTurnsDownIsRefused(Concurrency concurrency) throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(TestServers.LOOPBACK, 0), Echo::new,
                ServerOptions.defaults().withConcurrency(concurrency)) {
            @Override
            protected boolean verifyRequest(SocketChannel request, SocketAddress client) {
                return false;
            }
        }) {
            Serving serving = Serving.start(server);
            try (var socket = new Socket()) {
                socket.connect(server.address());
                assertEquals(-1, socket.getInputStream().read());
            }
            assertEquals(new ServerStatistics(1, 1, 0, 0, 0), awaitStatistics(server, s -> s.refused() == 1));
            serving.shutdownAndAwait();
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void anExceptionForHandleErrorIsAnError(Concurrency concurrency) throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(TestServers.LOOPBACK, 0), Failing::new,
                ServerOptions.defaults().withConcurrency(concurrency)) {
            @Override
            protected void handleError(SocketChannel request, SocketAddress client, Exception error) {
                // expected: counted, not logged
            }
        }) {
            Serving serving = Serving.start(server);
            try (var socket = new Socket()) {
                socket.connect(server.address());
                assertEquals(-1, socket.getInputStream().read());
            }
            assertEquals(new ServerStatistics(1, 0, 0, 0, 1), awaitStatistics(server, s -> s.errors() == 1));
            serving.shutdownAndAwait();
        }
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void aFailedTlsHandshakeIsARefusalNotAnError(Concurrency concurrency, @TempDir Path dir) throws Exception {
        TlsServer tls = TestTls.server(dir);
        try (var server = new TcpServer(new InetSocketAddress(TestServers.LOOPBACK, 0), Echo::new,
                ServerOptions.defaults().withConcurrency(concurrency).withLayers(List.of(tls))) {
            @Override
            protected void handleError(SocketChannel request, SocketAddress client, Exception error) {
                // the refused handshake: counted, not logged
            }
        }) {
            Serving serving = Serving.start(server);
            int port = ((InetSocketAddress) server.address()).getPort();
            try (var socket = (SSLSocket) TestTls.client().getSocketFactory().createSocket("localhost", port)) {
                socket.startHandshake();
                socket.getOutputStream().write("ok\n".getBytes(US_ASCII));
                socket.shutdownOutput();
                assertArrayEquals("ok\n".getBytes(US_ASCII), socket.getInputStream().readNBytes(3));
            }
            try (var plain = new Socket()) {
                plain.connect(server.address());
                plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                readUntilClosedQuietly(plain.getInputStream());
            }
            ServerStatistics seen = awaitStatistics(server, s -> s.refused() == 1);
            assertEquals(2, seen.accepted());
            assertEquals(0, seen.errors(), "a refusal is not an error: " + seen);
            assertTrue(seen.bytesReceived() > 3 && seen.bytesSent() > 3, "the TLS records count: " + seen);
            assertEquals(1, tls.completedHandshakes());
            assertEquals(1, tls.failedHandshakes());
            serving.shutdownAndAwait();
        }
    }

    private static TcpServer server(Concurrency concurrency, List<dev.pier.layer.LayerFactory> layers,
            RequestHandlerFactory<SocketChannel> handlers) throws IOException {
        return new TcpServer(new InetSocketAddress(TestServers.LOOPBACK, 0), handlers,
                ServerOptions.defaults().withConcurrency(concurrency).withLayers(layers));
    }

    /** The statistics once {@code done}, polled: requests are counted on their own threads. */
    private static ServerStatistics awaitStatistics(BaseServer<?> server, Predicate<ServerStatistics> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ServerStatistics seen = server.statistics();
        while (!done.test(seen) && System.nanoTime() < deadline) {
            Thread.yield();
            seen = server.statistics();
        }
        return seen;
    }

    private static void readUntilClosedQuietly(InputStream in) {
        try {
            while (in.read() >= 0) {
                // the alert
            }
        } catch (IOException reset) {
            // the alert, then the close: either way it ends
        }
    }
}
