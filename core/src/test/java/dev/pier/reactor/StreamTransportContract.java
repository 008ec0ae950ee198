package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every stream transport (TCP, Unix stream, and any later native one) must show. A transport's test
 * class extends this and says how to listen and connect; a transport chosen through the reactor's options (a
 * native epoll loop, say) overrides {@link #options()} as well.
 */
@Timeout(60)
abstract class StreamTransportContract {

    @TempDir
    Path dir;

    Reactor reactor;
    final RecordingLogger log = new RecordingLogger();

    /** Listens on a fresh loopback address. */
    abstract ListeningPort listen(Reactor reactor, ProtocolFactory factory);

    abstract CompletableFuture<Protocol> connect(Reactor reactor, ListeningPort port, ClientFactory factory);

    /** Connects through the reactor to an address where nothing listens. */
    abstract CompletableFuture<Protocol> connectToNothing(Reactor reactor, ClientFactory factory) throws IOException;

    /** A plain blocking client socket connected to {@code port}. */
    abstract SocketChannel openClient(ListeningPort port) throws IOException;

    /** {@code port} as the {@link ConnectMany} program's target argument. */
    abstract String connectManyTarget(ListeningPort port);

    /**
     * Bytes a transport may queue beyond {@code payload} bytes its protocol wrote: record framing and handshake
     * messages of a layer such as TLS. None for a plain transport.
     */
    long framingAllowance(long payload) {
        return 0;
    }

    ReactorOptions options() {
        return ReactorOptions.defaults().withLogger(log);
    }

    @BeforeEach
    void startReactor() {
        reactor = Reactor.start(options());
    }

    @AfterEach
    void closeReactor() {
        reactor.close();
    }

    // ---- basics ----

    @Test
    void echoesBetweenReactorClientAndServer() throws Exception {
        Recorder server = new Recorder((r, bytes) -> r.transport.write(bytes));
        ListeningPort port = listen(reactor, peer -> server);
        Recorder client = new Recorder((r, bytes) -> {
            if (r.size() == 5) {
                r.transport.loseConnection();
            }
        });
        RecordingClientFactory factory = new RecordingClientFactory(() -> client);

        Protocol connected = connect(reactor, port, factory).get(10, SECONDS);
        assertSame(client, connected);
        reactor.callFromThread(() -> {
            client.transport.setNoDelay(true);      // options a transport lacks are ignored
            client.transport.setKeepAlive(true);
            client.transport.write(ascii("hello"));
        });

        assertEquals(DisconnectReason.DONE, client.lost.get(10, SECONDS));
        assertEquals("hello", client.text());
        assertTrue(server.lost.get(10, SECONDS).isClean(), "the server saw a clean close");
        assertEquals(DisconnectReason.DONE, factory.lost.get(10, SECONDS), "the client factory heard the loss");
    }

    @Test
    void echoesForAPlainSocketClientAndKnowsBothAddresses() throws Exception {
        Recorder server = new Recorder((r, bytes) -> r.transport.write(bytes));
        ListeningPort port = listen(reactor, peer -> server);
        try (SocketChannel client = openClient(port)) {
            client.write(ascii("ping"));
            assertEquals("ping", readExactly(client, 4));
            Transport transport = server.made.get(10, SECONDS);
            assertEquals(port.address(), transport.localAddress());
            assertEquals(client.getLocalAddress(), transport.remoteAddress());
        }
        assertTrue(server.lost.get(10, SECONDS).isClean());
    }

    @Test
    void transportMethodsBelongToTheLoopThread() throws Exception {
        Recorder server = new Recorder();
        ListeningPort port = listen(reactor, peer -> server);
        try (SocketChannel client = openClient(port)) {
            Transport transport = server.made.get(10, SECONDS);
            IllegalStateException wrongThread = assertThrows(IllegalStateException.class,
                    () -> transport.write(ascii("from the test thread")));
            assertTrue(wrongThread.getMessage().contains("callFromThread"), wrongThread.getMessage());
        }
    }

    @Test
    void factoryReturningNullRefusesTheConnection() throws Exception {
        ListeningPort port = listen(reactor, peer -> null);
        try (SocketChannel client = openClient(port)) {
            assertEquals("", readToEnd(client));
        }
    }

    // ---- half-close ----

    @Test
    void peerEndOfStreamReachesAHalfCloseableProtocolThatCanStillWrite() throws Exception {
        Recorder server = new Recorder.HalfClosing();
        server.readClosed.thenRun(() -> {
            server.transport.write(ascii("got " + server.size()));
            server.transport.loseConnection();
        });
        ListeningPort port = listen(reactor, peer -> server);
        try (SocketChannel client = openClient(port)) {
            client.write(ascii("abc"));
            client.shutdownOutput();
            assertEquals("got 3", readToEnd(client));
        }
        assertTrue(server.lost.get(10, SECONDS).isClean());
    }

    @Test
    void peerEndOfStreamClosesAnOrdinaryProtocolAfterItsRepliesAreSent() throws Exception {
        CompletableFuture<DisconnectReason> lost = new CompletableFuture<>();
        ListeningPort port = listen(reactor, peer -> new Echo() {
            @Override
            public void connectionLost(DisconnectReason reason) {
                lost.complete(reason);
            }
        });
        try (SocketChannel client = openClient(port)) {
            client.write(ascii("abc"));
            client.shutdownOutput();
            assertEquals("abc", readToEnd(client));
        }
        assertTrue(lost.get(10, SECONDS).isClean());
    }

    @Test
    void shutdownOutputSendsEndOfStreamWhileStillReading() throws Exception {
        CompletableFuture<String> heard = new CompletableFuture<>();
        Recorder server = new Recorder.HalfClosing((r, bytes) -> {
            if (r.size() == 4) {
                heard.complete(r.text());
            }
        });
        server.made.thenAccept(t -> {
            t.write(ascii("bye"));
            t.shutdownOutput();
        });
        ListeningPort port = listen(reactor, peer -> server);
        try (SocketChannel client = openClient(port)) {
            assertEquals("bye", readToEnd(client));
            server.writeClosed.get(10, SECONDS);
            client.write(ascii("more"));
            assertEquals("more", heard.get(10, SECONDS));
            client.shutdownOutput();
            assertTrue(server.lost.get(10, SECONDS).isClean(), "both directions closed: a clean end");
        }
    }

    // ---- closing ----

    @Test
    void abortDropsQueuedBytesAndClosesAtOnce() throws Exception {
        Recorder server = new Recorder();
        server.made.thenAccept(t -> {
            t.write(new byte[1 << 20]);
            t.abortConnection();
        });
        ListeningPort port = listen(reactor, peer -> server);
        try (SocketChannel client = openClient(port)) {
            assertEquals(0, readToEndTolerant(client).length, "nothing queued before the abort was sent");
        }
        assertFalse(server.lost.get(10, SECONDS).isClean());
    }

    @Test
    void writesAfterLoseConnectionAreDroppedAndQueuedOnesDelivered() throws Exception {
        ListeningPort port = listen(reactor, peer -> new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                t.write(ascii("kept"));
                t.loseConnection();
                t.write(ascii("dropped"));
            }
        });
        try (SocketChannel client = openClient(port)) {
            assertEquals("kept", readToEnd(client));
        }
    }

    @Test
    void aClientLeavingMidWriteEndsOnlyItsConnection() throws Exception {
        CompletableFuture<Void> producerStopped = new CompletableFuture<>();
        Recorder writer = new Recorder();
        writer.made.thenAccept(t -> t.registerProducer(new Producer() {
            public void pauseProducing() {}
            public void resumeProducing() {
                t.write(new byte[64 * 1024]);
            }
            public void stopProducing() {
                producerStopped.complete(null);
            }
        }, false));
        AtomicInteger connections = new AtomicInteger();
        ListeningPort port = listen(reactor, peer -> connections.getAndIncrement() == 0 ? writer : new Echo());

        try (SocketChannel leaving = openClient(port)) {
            ByteBuffer some = ByteBuffer.allocate(200 * 1024);
            while (some.hasRemaining()) {
                leaving.read(some);
            }
        }
        assertFalse(writer.lost.get(10, SECONDS).isClean(), "the writer learns its peer went away");
        producerStopped.get(10, SECONDS);
        try (SocketChannel other = openClient(port)) {
            other.write(ascii("still here"));
            assertEquals("still here", readExactly(other, 10));
        }
    }

    @Test
    void anExceptionInACallbackClosesOnlyThatConnectionAndIsLogged() throws Exception {
        ListeningPort port = listen(reactor, peer -> new Echo() {
            @Override
            public void dataReceived(ByteBuffer data) {
                if (StandardCharsets.US_ASCII.decode(data.duplicate()).toString().equals("boom")) {
                    throw new IllegalStateException("protocol bug");
                }
                super.dataReceived(data);
            }
        });
        try (SocketChannel failing = openClient(port); SocketChannel healthy = openClient(port)) {
            failing.write(ascii("boom"));
            assertEquals(0, readToEndTolerant(failing).length);
            assertTrue(log.await("protocol callback failed").contains("protocol bug"));
            healthy.write(ascii("fine"));
            assertEquals("fine", readExactly(healthy, 4));
        }
    }

    // ---- backpressure ----

    @Test
    void aPeerThatNeverReadsIsCutOffAtTheBufferLimit() throws Exception {
        long limit = 1 << 20;
        try (Reactor small = Reactor.start(options().withMaxBufferedBytes(limit))) {
            AtomicLong mostBuffered = new AtomicLong();
            Recorder flooder = new Recorder();
            flooder.made.thenAccept(t -> flood(small, t, flooder, mostBuffered));
            ListeningPort port = listen(small, peer -> flooder);
            try (SocketChannel neverReads = openClient(port)) {
                DisconnectReason reason = flooder.lost.get(30, SECONDS);
                DisconnectReason.Lost lostReason = assertInstanceOf(DisconnectReason.Lost.class, reason);
                assertTrue(lostReason.cause().getMessage().contains("queued"), lostReason.cause().getMessage());
                assertTrue(mostBuffered.get() <= limit, "buffer stayed bounded: " + mostBuffered.get());
                assertTrue(log.await("does not read").contains("aborting"));
            }
        }
    }

    private static void flood(Reactor reactor, Transport t, Recorder flooder, AtomicLong mostBuffered) {
        if (flooder.lost.isDone()) {
            return;
        }
        t.write(new byte[64 * 1024]);
        mostBuffered.accumulateAndGet(t.bufferedBytes(), Math::max);
        reactor.callLater(Duration.ZERO, () -> flood(reactor, t, flooder, mostBuffered));
    }

    @Test
    void aStreamingProducerIsPausedAboveTheHighWaterMarkAndResumedBelowTheLow() throws Exception {
        int total = 4 << 20;
        int chunk = 8 * 1024;
        CompletableFuture<Void> firstPause = new CompletableFuture<>();
        AtomicLong mostBuffered = new AtomicLong();
        AtomicInteger resumes = new AtomicInteger();
        ListeningPort port = listen(reactor, peer -> new Recorder() {
            int sent;
            boolean paused;

            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.registerProducer(new Producer() {
                    public void pauseProducing() {
                        paused = true;
                        firstPause.complete(null);
                    }
                    public void resumeProducing() {
                        paused = false;
                        resumes.incrementAndGet();
                        produce();
                    }
                    public void stopProducing() {}
                }, true);
                produce();
            }

            void produce() {
                while (!paused && sent < total) {
                    byte[] bytes = new byte[chunk];
                    for (int i = 0; i < chunk; i++) {
                        bytes[i] = (byte) ((sent + i) % 251);
                    }
                    transport.write(bytes);
                    sent += chunk;
                    mostBuffered.accumulateAndGet(transport.bufferedBytes(), Math::max);
                }
                if (sent == total) {
                    transport.unregisterProducer();
                    transport.loseConnection();
                }
            }
        });
        try (SocketChannel client = openClient(port)) {
            firstPause.get(10, SECONDS);
            byte[] all = readToEnd(client).getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(total, all.length);
            for (int i = 0; i < total; i++) {
                if (all[i] != (byte) (i % 251)) {
                    throw new AssertionError("byte " + i + " is wrong");
                }
            }
        }
        assertTrue(mostBuffered.get() <= 64 * 1024 + chunk + framingAllowance(64 * 1024 + chunk),
                "never far above the high-water mark: " + mostBuffered);
        assertTrue(resumes.get() > 0, "resumed after draining");
    }

    @Test
    void aPullProducerIsAskedForMoreEachTimeTheBufferEmpties() throws Exception {
        int chunks = 64;
        int chunk = 32 * 1024;
        AtomicLong mostBuffered = new AtomicLong();
        ListeningPort port = listen(reactor, peer -> new Recorder() {
            int sent;

            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.registerProducer(new Producer() {
                    public void pauseProducing() {
                        throw new AssertionError("a pull producer is never paused");
                    }
                    public void resumeProducing() {
                        if (sent == chunks) {
                            t.unregisterProducer();
                            t.loseConnection();
                            return;
                        }
                        t.write(new byte[chunk]);
                        sent++;
                        mostBuffered.accumulateAndGet(t.bufferedBytes(), Math::max);
                    }
                    public void stopProducing() {}
                }, false);
            }
        });
        try (SocketChannel client = openClient(port)) {
            assertEquals(chunks * chunk, readToEnd(client).length());
        }
        assertTrue(mostBuffered.get() <= chunk + framingAllowance(chunk), "one chunk at a time: " + mostBuffered);
    }

    @Test
    void pauseReadingMakesThePeersWritesBackUpUntilResumed() throws Exception {
        CompletableFuture<Void> paused = new CompletableFuture<>();
        Recorder server = new Recorder.HalfClosing((r, bytes) -> {
            if (!paused.isDone()) {
                r.transport.pauseReading();
                paused.complete(null);
            }
        });
        ListeningPort port = listen(reactor, peer -> server);
        long sent = 5;
        try (SocketChannel client = openClient(port)) {
            client.write(ascii("first"));
            paused.get(10, SECONDS);
            client.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            for (int n; (n = client.write(chunk.clear())) > 0; ) {
                sent += n;   // until the socket buffers on both sides are full
            }
            CompletableFuture<Integer> sizeWhilePaused = new CompletableFuture<>();
            reactor.callFromThread(() -> sizeWhilePaused.complete(server.size()));
            assertEquals(5, sizeWhilePaused.get(10, SECONDS), "nothing read while paused");
            reactor.callFromThread(() -> server.transport.resumeReading());
            client.configureBlocking(true);
            client.shutdownOutput();
            server.readClosed.get(10, SECONDS);
        }
        assertEquals(sent, server.size());
    }

    // ---- connecting ----

    @Test
    void aRefusedConnectionReachesConnectionFailed() throws Exception {
        RecordingClientFactory factory = new RecordingClientFactory(Recorder::new);
        CompletableFuture<Protocol> attempt = connectToNothing(reactor, factory);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> attempt.get(10, SECONDS));
        assertInstanceOf(IOException.class, failure.getCause());
        assertInstanceOf(IOException.class, factory.failed.get(10, SECONDS));
        assertEquals(0, factory.built.get());
    }

    @Test
    void cancellingAConnectAttemptClosesItAndTellsTheFactory() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        ListeningPort port = listen(reactor, peer -> {
            accepted.incrementAndGet();
            return new Echo();
        });
        RecordingClientFactory factory = new RecordingClientFactory(Recorder::new);
        CountDownLatch release = new CountDownLatch(1);
        reactor.callFromThread(() -> awaitUninterruptibly(release));   // hold the loop so the attempt is pending
        CompletableFuture<Protocol> attempt = connect(reactor, port, factory);
        assertTrue(attempt.cancel(true));
        release.countDown();

        assertInstanceOf(CancellationException.class, factory.failed.get(10, SECONDS));
        assertEquals(0, factory.built.get(), "no protocol was built for the cancelled attempt");
        // The loop goes on serving.
        Recorder client = new Recorder();
        connect(reactor, port, new RecordingClientFactory(() -> client)).get(10, SECONDS);
    }

    // ---- stopping ----

    @Test
    void gracefulStopLetsConnectionsFinishAndStopsListening() throws Exception {
        Reactor draining = Reactor.start(options());
        try {
            ListeningPort port = listen(draining, peer -> new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.write(ascii("part1,"));
                    t.scheduler().callLater(Duration.ofMillis(50), () -> {
                        t.write(ascii("part2"));
                        t.loseConnection();
                    });
                }
            });
            try (SocketChannel client = openClient(port)) {
                assertEquals("part1,", readExactly(client, 6));
                draining.stop(Duration.ofSeconds(30));
                port.stopListening().toCompletableFuture().get(10, SECONDS);
                assertThrows(IOException.class, () -> openClient(port).close(), "no longer listening");
                assertEquals("part2", readToEnd(client));
            }
            draining.whenStopped().toCompletableFuture().get(10, SECONDS);
        } finally {
            draining.close();
        }
    }

    @Test
    void gracefulStopClosesWhatIsLeftWhenTheGraceEnds() throws Exception {
        withAnIdleConnection((draining, port, client, idle) -> {
            draining.stop(Duration.ofMillis(100));
            assertEquals("", readToEnd(client));
            draining.whenStopped().toCompletableFuture().get(10, SECONDS);
            assertTrue(idle.lost.isDone());
        });
    }

    /** What a test does to a reactor of its own that holds one idle connection, made and open. */
    @FunctionalInterface
    private interface IdleConnectionTest {
        void run(Reactor reactor, ListeningPort port, SocketChannel client, Recorder idle) throws Exception;
    }

    /** Runs {@code test} on a reactor of its own (a test may stop it) with one idle connection to it. */
    private void withAnIdleConnection(IdleConnectionTest test) throws Exception {
        Reactor draining = Reactor.start(options());
        try {
            Recorder idle = new Recorder();
            ListeningPort port = listen(draining, peer -> idle);
            try (SocketChannel client = openClient(port)) {
                idle.made.get(10, SECONDS);
                test.run(draining, port, client, idle);
            }
        } finally {
            draining.close();
        }
    }

    @Test
    void everyCallThatChangesAConnectionRefusesAnotherThreadThanTheLoop() throws Exception {
        Recorder server = new Recorder();
        ListeningPort port = listen(reactor, peer -> server);
        try (SocketChannel client = openClient(port)) {
            Transport transport = server.made.get(10, SECONDS);
            List<Runnable> changes = List.of(() -> transport.write(new byte[] {1}), transport::loseConnection,
                    transport::abortConnection, transport::shutdownOutput, transport::pauseReading,
                    transport::resumeReading, () -> transport.registerProducer(null, true),
                    transport::unregisterProducer);
            for (Runnable change : changes) {
                var refused = assertThrows(IllegalStateException.class, change::run);
                assertTrue(refused.getMessage().contains("use callFromThread"), refused.getMessage());
            }
            assertEquals(client.getLocalAddress(), transport.remoteAddress(), "facts may be read from anywhere");
        }
    }

    @Test
    void aSecondStopWithoutGraceEndsTheDrainAtOnce() throws Exception {
        withAnIdleConnection((draining, port, client, idle) -> {
            draining.stop(Duration.ofMinutes(10));
            port.stopListening().toCompletableFuture().get(10, SECONDS);
            draining.stop(Duration.ZERO);
            try {
                assertEquals("", readToEnd(client));
            } catch (SocketException reset) {
                // over TCP the work left undone ends with a reset; Unix sockets have none
            }
            draining.whenStopped().toCompletableFuture().get(10, SECONDS);
            assertTrue(idle.lost.isDone());
        });
    }

    @Test
    void closedConnectionsAndStoppedPortsLeaveNoDescriptorBehind() throws Exception {
        echoOnce(reactor);   // the JDK opens some descriptors once, on first use
        long before = openDescriptors();
        for (int round = 0; round < 3; round++) {
            echoOnce(reactor);
        }
        long after = openDescriptors();
        // Fewer is no leak: something else in the JVM (a finished test's socket, its cleaner) may close meanwhile.
        assertTrue(after <= before, "descriptors open before: " + before + ", after: " + after);
    }

    /** Listens, echoes over 20 reactor connections, closes them all and stops listening. */
    private void echoOnce(Reactor reactor) throws Exception {
        CountDownLatch serverSideClosed = new CountDownLatch(20);
        ListeningPort port = listen(reactor, peer -> new Echo() {
            @Override
            public void connectionLost(DisconnectReason reason) {
                serverSideClosed.countDown();
            }
        });
        List<Recorder> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Recorder client = new Recorder((r, bytes) -> r.transport.loseConnection());
            clients.add(client);
            connect(reactor, port, peer -> client).get(10, SECONDS);
            reactor.callFromThread(() -> client.transport.write(ascii("x")));
        }
        for (Recorder client : clients) {
            client.lost.get(10, SECONDS);
        }
        assertTrue(serverSideClosed.await(10, SECONDS));
        port.stopListening().toCompletableFuture().get(10, SECONDS);
        roundTrip(reactor);   // closed descriptors are released when the selector next deregisters their keys
    }

    private static void roundTrip(Reactor reactor) throws Exception {
        for (int pass = 0; pass < 2; pass++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            reactor.callFromThread(() -> done.complete(null));
            done.get(10, SECONDS);
        }
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    // ---- scale ----

    @Test
    void tenThousandConcurrentConnectionsOnOneLoop() throws Exception {
        int count = 10_000;
        long limit = descriptorLimit();
        assumeTrue(limit < 0 || limit >= count + 1_000,
                "skipped: needs a descriptor limit of " + (count + 1_000) + " (ulimit -n), have " + limit);
        AtomicInteger open = new AtomicInteger();
        CountDownLatch allClosed = new CountDownLatch(count);
        ListeningPort port = listen(reactor, peer -> new Echo() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                open.incrementAndGet();
            }

            @Override
            public void connectionLost(DisconnectReason reason) {
                open.decrementAndGet();
                allClosed.countDown();
            }
        });
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classes = Path.of(ConnectMany.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process child = new ProcessBuilder(java.toString(), "-Xshare:auto", "-cp", classes,
                ConnectMany.class.getName(), connectManyTarget(port), Integer.toString(count))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            assertEquals("connected " + count, out.readLine(), "every client got its echo");
            CompletableFuture<Integer> openNow = new CompletableFuture<>();
            reactor.callFromThread(() -> openNow.complete(open.get()));
            assertEquals(count, openNow.get(10, SECONDS), "all connections open at once");
            child.getOutputStream().close();
            assertTrue(allClosed.await(30, SECONDS), "every connection saw connectionLost");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    // ---- helpers ----

    static long descriptorLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String readExactly(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("end of stream after " + buffer.position() + " of " + length + " bytes");
            }
        }
        return new String(buffer.array(), StandardCharsets.ISO_8859_1);
    }

    static String readToEnd(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer.clear()) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads to end of stream; a reset also counts as the end. */
    static byte[] readToEndTolerant(SocketChannel channel) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                all.write(buffer.array(), 0, buffer.position());
            }
        } catch (IOException reset) {
            // the peer aborted: that is an end too
        }
        return all.toByteArray();
    }

}
