package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pier.blocking.TestServers.Client;
import dev.pier.blocking.TestServers.ClientOpener;
import dev.pier.blocking.TestServers.LineHandler;
import dev.pier.blocking.TestServers.Serving;
import dev.pier.blocking.TestServers.StreamClient;
import dev.pier.blocking.TestServers.UdpClient;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.unix.PeerCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour beyond CPython's tests, on one server type at a time. */
@Timeout(60)
class BlockingServerTest {

    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(TestServers.LOOPBACK, 0);

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    private static TcpServer echoServer(ServerOptions options) throws IOException {
        return new TcpServer(ANY_LOOPBACK_PORT, () -> new LineHandler((line, server) -> line), options);
    }

    @Test
    void hooksRunInSocketserverOrder() throws Exception {
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        var closed = new CountDownLatch(1);
        class RecordingHandler extends StreamRequestHandler {
            @Override
            protected void setup() throws Exception {
                calls.add("setup");
                super.setup();
            }

            @Override
            protected void handle() {
                calls.add("handle");
                throw new IllegalStateException("handler failed");
            }

            @Override
            protected void finish() throws Exception {
                calls.add("finish");
                super.finish();
            }
        }
        var server = closeLater(new TcpServer(ANY_LOOPBACK_PORT, RecordingHandler::new) {
            @Override
            protected boolean verifyRequest(SocketChannel request, SocketAddress client) {
                calls.add("verifyRequest");
                return true;
            }

            @Override
            protected void processRequest(SocketChannel request, SocketAddress client) throws Exception {
                calls.add("processRequest");
                super.processRequest(request, client);
            }

            @Override
            protected void finishRequest(SocketChannel request, SocketAddress client) throws Exception {
                calls.add("finishRequest");
                super.finishRequest(request, client);
            }

            @Override
            protected void handleError(SocketChannel request, SocketAddress client, Exception error) {
                calls.add("handleError");
            }

            @Override
            protected void shutdownRequest(SocketChannel request) {
                calls.add("shutdownRequest");
                super.shutdownRequest(request);
            }

            @Override
            protected void closeRequest(SocketChannel request) {
                calls.add("closeRequest");
                super.closeRequest(request);
                closed.countDown();
            }
        });
        try (var client = new StreamClient(server.address())) {
            server.handleRequest();
            assertNull(client.receive());
        }
        assertTrue(closed.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("verifyRequest", "processRequest", "finishRequest", "setup", "handle", "finish",
                "handleError", "shutdownRequest", "closeRequest"), calls);
    }

    @Test
    void defaultsFollowThePlatform() throws Exception {
        var server = closeLater(echoServer(ServerOptions.defaults()));
        assertTrue(server.channel().getOption(StandardSocketOptions.SO_REUSEADDR));
        assertEquals(8192, server.options().maxPacketSize());
        // The system maximum, as the reactor asks for it: the kernel caps it (Linux at net.core.somaxconn).
        assertEquals(ServerEndpoint.DEFAULT_BACKLOG, server.options().backlog());
    }

    @Test
    void aBusyAddressFailsClearly() throws Exception {
        var first = closeLater(echoServer(ServerOptions.defaults()));
        var busyTcp = assertThrows(BindException.class,
                () -> new TcpServer(first.address(), () -> new LineHandler((l, s) -> l)));
        assertTrue(busyTcp.getMessage().contains("address already in use"), busyTcp.getMessage());

        var udp = closeLater(new UdpServer(ANY_LOOPBACK_PORT, () -> new TestServers.PacketHandler((l, s) -> l)));
        var busyUdp = assertThrows(BindException.class,
                () -> new UdpServer(udp.address(), () -> new TestServers.PacketHandler((l, s) -> l)));
        assertTrue(busyUdp.getMessage().contains("address already in use"), busyUdp.getMessage());

        Path path = dir.resolve("busy.sock");
        closeLater(new UnixStreamServer(path, () -> new LineHandler((l, s) -> l)));
        var busyUnix = assertThrows(BindException.class,
                () -> new UnixStreamServer(path, () -> new LineHandler((l, s) -> l)));
        assertTrue(busyUnix.getMessage().contains("address already in use"), busyUnix.getMessage());
        assertTrue(Files.exists(path), "a failed bind leaves the other server's socket file alone");

        Path datagramPath = dir.resolve("busy-d.sock");
        closeLater(new UnixDatagramServer(datagramPath, () -> new TestServers.PacketHandler((l, s) -> l)));
        var busyUnixDatagram = assertThrows(BindException.class,
                () -> new UnixDatagramServer(datagramPath, () -> new TestServers.PacketHandler((l, s) -> l)));
        assertTrue(busyUnixDatagram.getMessage().contains("address already in use"), busyUnixDatagram.getMessage());
        assertTrue(Files.exists(datagramPath));
    }

    @Test
    void invalidPortsFailClearlyAndLeakNothing() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to count descriptors");
        long before = openDescriptors();
        for (int i = 0; i < 1024; i++) {
            int port = i % 2 == 0 ? -1 : 65_536;
            var failure = assertThrows(IllegalArgumentException.class,
                    () -> new TcpServer("127.0.0.1", port, () -> new LineHandler((l, s) -> l)));
            assertTrue(failure.getMessage().contains("port must be between 0 and 65535"), failure.getMessage());
        }
        assertTrue(openDescriptors() <= before, "descriptors before: " + before + ", after: " + openDescriptors());
    }

    @Test
    void aThousandRequestsAndAThousandFailedBindsLeakNoDescriptor() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to count descriptors");
        var server = closeLater(echoServer(ServerOptions.defaults()));
        Serving serving = Serving.start(server);
        exchangeAndFailToBind(server, 20);   // warms up what the JDK opens once
        long before = openDescriptors();
        exchangeAndFailToBind(server, 1000);
        serving.shutdownAndAwait();
        // The last connection is closed by the server just after its client saw end of stream.
        assertTrue(openDescriptors() <= before + 1, "descriptors before: " + before + ", after: " + openDescriptors());
    }

    private static void exchangeAndFailToBind(TcpServer server, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            try (var client = new StreamClient(server.address())) {
                assertEquals("ping " + i, client.exchange("ping " + i));
            }
            assertThrows(BindException.class,
                    () -> new TcpServer(server.address(), () -> new LineHandler((l, s) -> l)));
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }

    @Test
    void aTooLongUnixPathIsRefusedClearly() {
        Path path = dir.resolve("x".repeat(120));
        var failure = assertThrows(IllegalArgumentException.class,
                () -> new UnixStreamServer(path, () -> new LineHandler((l, s) -> l)));
        assertTrue(failure.getMessage().contains("Unix socket path"), failure.getMessage());
    }

    @Test
    void verifyRequestSeesThePeersIdentityOnUnixSockets() throws Exception {
        var peer = new CompletableFuture<PeerCredentials>();
        var server = closeLater(new UnixStreamServer(dir.resolve("p.sock"), () -> new LineHandler((l, s) -> l)) {
            @Override
            protected boolean verifyRequest(SocketChannel request, SocketAddress client) throws IOException {
                peer.complete(peerCredentials(request));
                return true;
            }
        });
        try (var client = new StreamClient(server.address())) {
            client.sendLast("who");
            server.handleRequest();
            assertEquals("who", client.receive());
        }
        assertEquals(ProcessHandle.current().pid(), peer.get().pid());
        assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), peer.get().uid());
        assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:gid"), peer.get().gid());
    }

    @Test
    void anOversizedDatagramIsReportedNotCut() throws Exception {
        var reported = new CompletableFuture<SocketAddress>();
        var server = closeLater(new UdpServer(ANY_LOOPBACK_PORT, () -> new TestServers.PacketHandler((l, s) -> l),
                ServerOptions.defaults().withMaxPacketSize(100)) {
            @Override
            protected void oversizedDatagram(SocketAddress sender) {
                reported.complete(sender);
            }
        });
        assertOversizedIsReportedNotCut(server, reported, UdpClient::new);
    }

    @Test
    void anOversizedUnixDatagramIsReportedNotCut() throws Exception {
        var reported = new CompletableFuture<SocketAddress>();
        var server = closeLater(new UnixDatagramServer(dir.resolve("o.sock"),
                () -> new TestServers.PacketHandler((l, s) -> l), ServerOptions.defaults().withMaxPacketSize(100)) {
            @Override
            protected void oversizedDatagram(SocketAddress sender) {
                reported.complete(sender);
            }
        });
        assertOversizedIsReportedNotCut(server, reported, TestServers.UnixDatagramClient::new);
    }

    /**
     * Serves {@code server}, which takes datagrams of up to 100 bytes, and sends it one of 101 bytes, then one of 100:
     * the first must be dropped and reported with its sender, the second still answered.
     */
    private static void assertOversizedIsReportedNotCut(DatagramServer server,
                                                        CompletableFuture<SocketAddress> reported,
                                                        ClientOpener opener) throws Exception {
        Serving serving = Serving.start(server);
        try (Client client = opener.open(server.address())) {
            client.send("x".repeat(101));
            String fits = "y".repeat(100);
            assertEquals(fits, client.exchange(fits));
            assertEquals(client.localAddress(), reported.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, server.oversizedDatagrams());
        serving.shutdownAndAwait();
    }

    @Test
    void handleRequestCallsHandleTimeoutWhenNothingArrives() throws Exception {
        var timeouts = new AtomicInteger();
        var server = closeLater(new TcpServer(ANY_LOOPBACK_PORT, () -> new LineHandler((l, s) -> l),
                ServerOptions.defaults().withTimeout(Duration.ofMillis(20))) {
            @Override
            protected void handleTimeout() {
                timeouts.incrementAndGet();
            }
        });
        server.handleRequest();
        assertEquals(1, timeouts.get());
        try (var client = new StreamClient(server.address())) {
            client.sendLast("in time");
            server.handleRequest();
            assertEquals("in time", client.receive());
        }
        assertEquals(1, timeouts.get());
    }

    @Test
    void writesReachTheClientWithoutFlushAndWholeWhenHuge() throws Exception {
        int size = 16 * 1024 * 1024 + 1;
        var clientGotGreeting = new CountDownLatch(1);
        class BigWriter extends StreamRequestHandler {
            @Override
            protected void handle() throws Exception {
                out().write("greeting\n".getBytes(UTF_8));
                clientGotGreeting.await();
                byte[] big = new byte[size];
                for (int i = 0; i < size; i++) {
                    big[i] = (byte) (i % 251);
                }
                out().write(big);
            }
        }
        var server = closeLater(new TcpServer(ANY_LOOPBACK_PORT, BigWriter::new,
                ServerOptions.defaults().withConcurrency(Concurrency.threads())));
        Serving serving = Serving.start(server);
        try (var client = SocketChannel.open()) {
            client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            client.connect(server.address());
            InputStream in = Channels.newInputStream(client);
            assertEquals("greeting\n", new String(in.readNBytes(9), UTF_8));
            clientGotGreeting.countDown();
            byte[] chunk = new byte[1024];   // a slow reader: small reads from a small receive buffer
            long received = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != (byte) ((received + i) % 251)) {
                        throw new AssertionError("wrong byte at offset " + (received + i));
                    }
                }
                received += n;
            }
            assertEquals(size, received);
        }
        serving.shutdownAndAwait();
    }

    @Test
    void aReadTimeoutReachesTheHandlerOnTcpAndUnixSockets() throws Exception {
        var failures = new ArrayList<CompletableFuture<Exception>>();
        for (boolean unix : new boolean[] {false, true}) {
            var failure = new CompletableFuture<Exception>();
            failures.add(failure);
            RequestHandlerFactory<SocketChannel> impatient = () -> new StreamRequestHandler() {
                @Override
                protected Duration timeout() {
                    return Duration.ofMillis(50);
                }

                @Override
                protected void handle() throws IOException {
                    readLine();
                }
            };
            BaseServer<SocketChannel> server = unix
                    ? new UnixStreamServer(dir.resolve("t.sock"), impatient) {
                        @Override
                        protected void handleError(SocketChannel r, SocketAddress c, Exception e) {
                            failure.complete(e);
                        }
                    }
                    : new TcpServer(ANY_LOOPBACK_PORT, impatient) {
                        @Override
                        protected void handleError(SocketChannel r, SocketAddress c, Exception e) {
                            failure.complete(e);
                        }
                    };
            closeLater(server);
            try (Client silent = new StreamClient(server.address())) {
                server.handleRequest();
                assertNull(silent.receive());
            }
        }
        for (var failure : failures) {
            assertInstanceOf(SocketTimeoutException.class, failure.get());
        }
    }

    @Test
    void atTheCapTheServerWaitsForARequestToFinish() throws Exception {
        var started = new Semaphore(0);
        var release = new Semaphore(0);
        var server = closeLater(new TcpServer(ANY_LOOPBACK_PORT, () -> new LineHandler((line, s) -> {
            started.release();
            release.acquire();
            return line;
        }), ServerOptions.defaults().withConcurrency(Concurrency.threads().withMaxConcurrentRequests(2))));
        Serving serving = Serving.start(server);
        List<StreamClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StreamClient client = closeLater(new StreamClient(server.address()));
            client.sendLast("client " + i);
            clients.add(client);
        }
        assertTrue(started.tryAcquire(2, 10, TimeUnit.SECONDS));
        assertFalse(started.tryAcquire(200, TimeUnit.MILLISECONDS), "a third request ran beyond the cap");
        release.release();
        assertTrue(started.tryAcquire(10, TimeUnit.SECONDS), "the third request starts once one finished");
        release.release(2);
        for (int i = 0; i < 3; i++) {
            assertTrue(clients.get(i).receive().startsWith("client "));
        }
        for (StreamClient client : clients) {
            client.close();
        }
        serving.shutdownAndAwait();
    }

    @Test
    void closeWaitsForRunningRequestsWithinTheGracePeriod() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var server = echoServerWith((line, s) -> {
            started.countDown();
            release.await();
            return line;
        }, Concurrency.threads());
        Serving serving = Serving.start(server);
        try (var client = new StreamClient(server.address())) {
            client.sendLast("slow");
            assertTrue(started.await(10, TimeUnit.SECONDS));
            serving.shutdownAndAwait();
            var closing = CompletableFuture.runAsync(server::close);
            assertThrows(TimeoutException.class, () -> closing.get(100, TimeUnit.MILLISECONDS),
                    "close waits for the running request");
            release.countDown();
            closing.get(10, TimeUnit.SECONDS);
            assertEquals("slow", client.receive());
        }
    }

    @Test
    void connectionsQueuedWhenCloseStopsListeningAreServedRatherThanReset() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var server = echoServerWith((line, s) -> {
            if (line.equals("first")) {
                started.countDown();
                release.await();
            }
            return line;
        }, Concurrency.synchronous());
        Serving serving = Serving.start(server);
        try (var first = new StreamClient(server.address()); var queued = new StreamClient(server.address())) {
            first.sendLast("first");
            assertTrue(started.await(10, TimeUnit.SECONDS));
            queued.sendLast("queued");   // the loop is busy with the first: this one waits in the socket's queue
            var closing = CompletableFuture.runAsync(server::close);
            awaitRefused(server.address());
            release.countDown();
            closing.get(10, TimeUnit.SECONDS);
            assertEquals("first", first.receive());
            assertEquals("queued", queued.receive(), "served, not reset");
        }
        serving.awaitStopped();
    }

    /**
     * Polls until {@code address} refuses connections: a server closing has stopped listening. A probe that reaches
     * the queue in the instant between the server taking what was queued and closing the socket is reset, which
     * says the same.
     */
    private static void awaitRefused(SocketAddress address) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (SocketChannel probe = SocketChannel.open(address)) {
                assertTrue(System.nanoTime() < deadline, "still listening: " + address);
            } catch (SocketException refusedOrReset) {
                return;
            }
        }
    }

    @Test
    void servesAnIpv4UdpSocketBoundElsewhereAndRepliesFromIt() throws Exception {
        DatagramChannel bound = DatagramChannel.open(StandardProtocolFamily.INET).bind(ANY_LOOPBACK_PORT);
        SocketAddress address = bound.getLocalAddress();
        var server = closeLater(new UdpServer(bound, () -> new TestServers.PacketHandler((line, s) -> line),
                ServerOptions.defaults().withConcurrency(Concurrency.threads())));
        assertEquals(address, server.address());
        Serving serving = Serving.start(server);
        try (var client = new UdpClient(address)) {
            client.send("through sendto");
            assertEquals("through sendto", client.receive());
        }
        serving.shutdownAndAwait();
    }

    @Test
    void closeGivesUpOnAStuckRequestAfterTheGracePeriod() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var server = echoServerWith((line, s) -> {
            started.countDown();
            release.await();
            return line;
        }, Concurrency.threads().withDaemon(true).withCloseGracePeriod(Duration.ofMillis(50)));
        Serving serving = Serving.start(server);
        try (var client = new StreamClient(server.address())) {
            client.sendLast("stuck");
            assertTrue(started.await(10, TimeUnit.SECONDS));
            serving.shutdownAndAwait();
            long start = System.nanoTime();
            server.close();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close is bounded");
        } finally {
            release.countDown();
        }
    }

    private TcpServer echoServerWith(TestServers.Behaviour behaviour, Concurrency concurrency) throws IOException {
        return closeLater(new TcpServer(ANY_LOOPBACK_PORT, () -> new LineHandler(behaviour),
                ServerOptions.defaults().withConcurrency(concurrency)));
    }

    @Test
    void onlyOneThreadServesAtATime() throws Exception {
        var server = closeLater(echoServer(ServerOptions.defaults()));
        Serving serving = Serving.start(server);
        try (var client = new StreamClient(server.address())) {
            assertEquals("up", client.exchange("up"));   // the loop is running now
        }
        assertThrows(IllegalStateException.class, server::serveForever);
        serving.shutdownAndAwait();
    }

    @Test
    void aServerServesAgainAfterShutdown() throws Exception {
        var server = closeLater(echoServer(ServerOptions.defaults()));
        for (int round = 0; round < 3; round++) {
            Serving serving = Serving.start(server);
            try (var client = new StreamClient(server.address())) {
                assertEquals("round " + round, client.exchange("round " + round));
            }
            serving.shutdownAndAwait();
        }
    }

    @Test
    void deferredBindingBindsOnRequest() throws Exception {
        var server = closeLater(echoServer(ServerOptions.defaults().withBindAndActivate(false)));
        assertEquals(0, server.address().getPort());
        assertThrows(IllegalStateException.class, server::handleRequest);
        server.bindAndActivate();
        try (var client = new StreamClient(server.address())) {
            client.sendLast("late");
            server.handleRequest();
            assertEquals("late", client.receive());
        }
    }

    @Test
    void datagramHandlersReplyWithOneDatagramEvenWhenEmpty() throws Exception {
        var server = closeLater(new UdpServer(ANY_LOOPBACK_PORT, () -> new DatagramRequestHandler() {
            @Override
            protected void handle() {
            }
        }));
        try (var client = new UdpClient(server.address())) {
            client.send("anyone?");
            server.handleRequest();
            assertEquals("", client.receive());
        }
    }

    @Test
    void aRequestHandlerIsUsedOnce() throws Exception {
        var handler = new LineHandler((l, s) -> l);
        var failure = new CompletableFuture<Exception>();
        var server = closeLater(new TcpServer(ANY_LOOPBACK_PORT, () -> handler) {
            @Override
            protected void handleError(SocketChannel request, SocketAddress client, Exception error) {
                failure.complete(error);
            }
        });
        for (String expected : new String[] {"once", null}) {
            try (var client = new StreamClient(server.address())) {
                client.sendLast("once");
                server.handleRequest();
                assertEquals(expected, client.receive());
            }
        }
        assertInstanceOf(IllegalStateException.class, failure.get());
    }
}
