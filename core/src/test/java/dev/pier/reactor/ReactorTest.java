package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.pier.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop itself: timers on an injected clock, threads, stopping, ports. */
@Timeout(30)
class ReactorTest {

    private final ManualClock clock = new ManualClock();
    private final RecordingLogger log = new RecordingLogger();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private Reactor startWithManualClock() {
        return track(Reactor.start(ReactorOptions.defaults().withNanoTime(clock::nanoTime).withLogger(log)));
    }

    private Reactor track(Reactor reactor) {
        toClose.add(reactor);
        return reactor;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    /**
     * Moves the clock and returns once every timer due at the new time has run: a zero-delay timer scheduled now
     * runs after all of them, in the same loop pass.
     */
    private void advance(Reactor reactor, Duration by) throws Exception {
        clock.advance(by);
        CompletableFuture<Void> done = new CompletableFuture<>();
        reactor.callLater(Duration.ZERO, () -> done.complete(null));
        done.get(10, SECONDS);
    }

    /** Returns once the loop has run a task handed in now. */
    private static void roundTrip(Reactor reactor) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        reactor.callFromThread(() -> done.complete(null));
        done.get(10, SECONDS);
    }

    private static <T> T onLoop(Reactor reactor, Callable<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        reactor.callFromThread(() -> {
            try {
                result.complete(action.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, SECONDS);
    }

    // ---- timers ----

    @Test
    void callLaterRunsWhenTheClockReachesTheDeadline() throws Exception {
        Reactor reactor = startWithManualClock();
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        reactor.callLater(Duration.ofSeconds(5), () -> ran.complete(Thread.currentThread()));
        roundTrip(reactor);

        advance(reactor, Duration.ofMillis(4999));
        assertFalse(ran.isDone(), "not yet due");

        advance(reactor, Duration.ofMillis(1));
        assertTrue(ran.get(10, SECONDS).getName().startsWith("pier-reactor-"), "ran on the loop thread");
    }

    @Test
    void resetDelayAndCancelMoveOrDropACall() throws Exception {
        Reactor reactor = startWithManualClock();
        List<String> ran = new ArrayList<>();
        DelayedCall pushed = onLoop(reactor, () -> reactor.callLater(Duration.ofSeconds(10), () -> ran.add("pushed")));
        DelayedCall pulled = onLoop(reactor, () -> reactor.callLater(Duration.ofSeconds(10), () -> ran.add("pulled")));
        DelayedCall delayed =
                onLoop(reactor, () -> reactor.callLater(Duration.ofSeconds(10), () -> ran.add("delayed")));
        DelayedCall cancelled = onLoop(reactor, () -> reactor.callLater(Duration.ofSeconds(1), () -> ran.add("x")));
        onLoop(reactor, () -> {
            cancelled.cancel();
            return null;
        });

        clock.advance(Duration.ofSeconds(5));
        onLoop(reactor, () -> {   // timers run before tasks in a loop pass: nothing was due at 5 s
            pushed.reset(Duration.ofSeconds(10));   // due at 15 s
            pulled.reset(Duration.ofSeconds(1));    // due at 6 s
            delayed.delay(Duration.ofSeconds(2));   // due at 12 s
            return null;
        });
        advance(reactor, Duration.ofSeconds(1));
        assertEquals(List.of("pulled"), onLoop(reactor, () -> List.copyOf(ran)));
        advance(reactor, Duration.ofSeconds(5));
        assertEquals(List.of("pulled"), onLoop(reactor, () -> List.copyOf(ran)), "nothing due at 11 s");
        advance(reactor, Duration.ofSeconds(1));
        assertEquals(List.of("pulled", "delayed"), onLoop(reactor, () -> List.copyOf(ran)));
        advance(reactor, Duration.ofSeconds(3));
        assertEquals(List.of("pulled", "delayed", "pushed"), onLoop(reactor, () -> List.copyOf(ran)));

        assertFalse(onLoop(reactor, pushed::isActive));
        assertFalse(onLoop(reactor, cancelled::isActive));
        ExecutionException afterRun = assertThrows(ExecutionException.class,
                () -> onLoop(reactor, () -> { pushed.reset(Duration.ofSeconds(1)); return null; }));
        assertInstanceOf(IllegalStateException.class, afterRun.getCause());
    }

    @Test
    void timersDueTogetherRunInDeadlineOrder() throws Exception {
        Reactor reactor = startWithManualClock();
        List<Integer> order = new ArrayList<>();
        onLoop(reactor, () -> {
            for (int i = 5; i >= 1; i--) {
                int n = i;
                reactor.callLater(Duration.ofMillis(n), () -> order.add(n));
            }
            return null;
        });
        advance(reactor, Duration.ofSeconds(1));
        assertEquals(List.of(1, 2, 3, 4, 5), onLoop(reactor, () -> List.copyOf(order)));
    }

    @Test
    void aSlowCallbackIsReported() throws Exception {
        Reactor reactor = startWithManualClock();
        reactor.callFromThread(() -> clock.advance(Duration.ofSeconds(2)));   // as if it computed for 2 s
        assertTrue(log.await("held the event loop").contains("2000 ms"));
    }

    // ---- threads ----

    @Test
    void callFromThreadRunsTasksOnTheLoopInOrder() throws Exception {
        Reactor reactor = track(Reactor.start());
        List<Integer> seen = new ArrayList<>();
        CompletableFuture<Thread> loopThread = new CompletableFuture<>();
        Thread other = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 1000; i++) {
                int n = i;
                reactor.callFromThread(() -> seen.add(n));
            }
            reactor.callFromThread(() -> loopThread.complete(Thread.currentThread()));
        });
        other.join();
        assertTrue(loopThread.get(10, SECONDS).getName().startsWith("pier-reactor-"));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            expected.add(i);
        }
        assertEquals(expected, onLoop(reactor, () -> List.copyOf(seen)));
    }

    @Test
    void deferToThreadRunsOnAVirtualThreadAndCompletesOnTheLoop() throws Exception {
        Reactor reactor = track(Reactor.start());
        CountDownLatch attached = new CountDownLatch(1);
        CompletableFuture<Boolean> result = reactor.deferToThread(() -> {
            attached.await();
            return Thread.currentThread().isVirtual();
        });
        CompletableFuture<String> completedOn = result.thenApply(v -> Thread.currentThread().getName());
        attached.countDown();
        // Wait on the dependent first: a thread waiting in result.get() could run the dependent itself.
        assertTrue(completedOn.get(10, SECONDS).startsWith("pier-reactor-"), "completed on the loop thread");
        assertTrue(result.get(10, SECONDS), "the work ran on a virtual thread");

        CompletableFuture<Object> failing = reactor.deferToThread(() -> {
            throw new IOException("disk on fire");
        });
        ExecutionException failure = assertThrows(ExecutionException.class, () -> failing.get(10, SECONDS));
        assertEquals("disk on fire", failure.getCause().getMessage());
    }

    @Test
    void callInThreadRunsBlockingWorkOffTheLoop() throws Exception {
        Reactor reactor = track(Reactor.start());
        CompletableFuture<Boolean> virtual = new CompletableFuture<>();
        reactor.callInThread(() -> virtual.complete(Thread.currentThread().isVirtual()));
        assertTrue(virtual.get(10, SECONDS));
    }

    // ---- running and stopping ----

    @Test
    void runBlocksTheCallerUntilStopFromAnotherThread() throws Exception {
        Reactor reactor = track(Reactor.create());
        CompletableFuture<Void> returned = new CompletableFuture<>();
        Thread runner = Thread.ofPlatform().start(() -> {
            reactor.run();
            returned.complete(null);
        });
        roundTrip(reactor);
        assertTrue(reactor.isRunning());
        reactor.stop();
        returned.get(10, SECONDS);
        runner.join();
        assertFalse(reactor.isRunning());
        assertThrows(IllegalStateException.class, reactor::run, "a reactor runs once");
    }

    @Test
    void shutdownHooksDelayTheStopUntilTheirWorkIsDone() throws Exception {
        Reactor reactor = track(Reactor.start());
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        CompletableFuture<Void> hookCalled = new CompletableFuture<>();
        reactor.addShutdownHook(() -> {
            hookCalled.complete(null);
            return flushed;
        });
        reactor.stop();
        hookCalled.get(10, SECONDS);
        roundTrip(reactor);
        assertFalse(reactor.whenStopped().toCompletableFuture().isDone(), "waits for the hook's work");
        flushed.complete(null);
        reactor.whenStopped().toCompletableFuture().get(10, SECONDS);
    }

    @Test
    void aGracePeriodBoundsHooksThatNeverFinish() throws Exception {
        Reactor reactor = track(Reactor.start(ReactorOptions.defaults().withNanoTime(clock::nanoTime)));
        reactor.addShutdownHook(CompletableFuture::new);
        reactor.stop(Duration.ofSeconds(5));
        roundTrip(reactor);
        assertFalse(reactor.whenStopped().toCompletableFuture().isDone());
        clock.advance(Duration.ofSeconds(5));
        reactor.callFromThread(() -> {});
        reactor.whenStopped().toCompletableFuture().get(10, SECONDS);
    }

    @Test
    void aZeroGraceStopDuringADrainClosesWhatIsLeftAtOnceAndConnectionsAreCounted() throws Exception {
        Reactor reactor = track(Reactor.start(ReactorOptions.defaults().withNanoTime(clock::nanoTime)));
        ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
        try (SocketChannel client = SocketChannel.open(port.address())) {
            client.write(ByteBuffer.wrap(new byte[] {1}));
            client.read(ByteBuffer.allocate(1));   // echoed: the loop holds the connection
            assertEquals(1, reactor.connectionCount());
            reactor.stop(Duration.ofSeconds(30));
            roundTrip(reactor);
            assertFalse(reactor.whenStopped().toCompletableFuture().isDone(), "drains the open connection");
            reactor.stop(Duration.ZERO);
            reactor.whenStopped().toCompletableFuture().get(10, SECONDS);
            assertEquals(0, reactor.connectionCount());
            assertThrows(IOException.class, () -> client.read(ByteBuffer.allocate(1)), "a reset, not an end");
        }
    }

    @Test
    void listenServesAChannelBoundElsewhereAndClosesItWhenItStops() throws Exception {
        Reactor reactor = track(Reactor.start(ReactorOptions.defaults()));
        ServerSocketChannel bound = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        ListeningPort port = reactor.listen(bound, peer -> new Echo());
        assertEquals(bound.getLocalAddress(), port.address());
        try (SocketChannel client = SocketChannel.open(port.address())) {
            client.write(ByteBuffer.wrap(new byte[] {7}));
            ByteBuffer echoed = ByteBuffer.allocate(1);
            client.read(echoed);
            assertEquals(7, echoed.get(0));
        }
        port.stopListening().toCompletableFuture().get(10, SECONDS);
        assertFalse(bound.isOpen(), "the port owns the channel");
    }

    @Test
    void listenRefusesAChannelNotBound() throws Exception {
        Reactor reactor = track(Reactor.start(ReactorOptions.defaults()));
        ServerSocketChannel unbound = ServerSocketChannel.open();
        assertThrows(IllegalArgumentException.class, () -> reactor.listen(unbound, peer -> new Echo()));
        assertFalse(unbound.isOpen());
    }

    @Test
    void closingAReactorThatNeverRanReleasesItsPorts() throws Exception {
        Reactor reactor = Reactor.create();
        ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
        reactor.close();
        try (ServerSocketChannel again = ServerSocketChannel.open().bind(port.address())) {
            assertEquals(port.address(), again.getLocalAddress());
        }
    }

    @Test
    void aStoppedReactorRefusesNewWorkClearly() throws Exception {
        Reactor reactor = Reactor.start();
        reactor.close();
        IllegalStateException listen = assertThrows(IllegalStateException.class,
                () -> reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1"));
        assertTrue(listen.getMessage().contains("has stopped"), listen.getMessage());
        CompletableFuture<Protocol> connect = reactor.connectTcp("127.0.0.1", 9, peer -> new Echo());
        assertInstanceOf(IllegalStateException.class,
                assertThrows(ExecutionException.class, () -> connect.get(10, SECONDS)).getCause());
    }

    // ---- ports ----

    @Test
    void listeningOnABusyPortFailsInTheCallerWithTheAddress() throws Exception {
        Reactor reactor = track(Reactor.start());
        try (ServerSocketChannel busy = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) busy.getLocalAddress()).getPort();
            UncheckedIOException failure = assertThrows(UncheckedIOException.class,
                    () -> reactor.listenTcp(port, peer -> new Echo(), "127.0.0.1"));
            assertTrue(failure.getMessage().startsWith("cannot listen on TCP /127.0.0.1:" + port), failure.getMessage());
            assertTrue(failure.getMessage().contains(
                    "address already in use (another program listens there: stop it or choose another port"),
                    failure.getMessage());
        }
    }

    @Test
    void stopListeningReleasesTheAddressAndKeepsConnections() throws Exception {
        Reactor reactor = track(Reactor.start());
        CompletableFuture<Void> factoryStopped = new CompletableFuture<>();
        ProtocolFactory factory = new ProtocolFactory() {
            public Protocol buildProtocol(SocketAddress peer) {
                return new Echo();
            }
            public void stopFactory() {
                factoryStopped.complete(null);
            }
        };
        ListeningPort port = reactor.listenTcp(0, factory, "127.0.0.1");
        try (SocketChannel client = SocketChannel.open(port.address())) {
            client.write(StreamTransportContract.ascii("a"));
            assertEquals("a", StreamTransportContract.readExactly(client, 1));
            port.stopListening().toCompletableFuture().get(10, SECONDS);
            factoryStopped.get(10, SECONDS);
            try (ServerSocketChannel again = ServerSocketChannel.open().bind(port.address())) {
                assertEquals(port.address(), again.getLocalAddress());
            }
            client.write(StreamTransportContract.ascii("b"));
            assertEquals("b", StreamTransportContract.readExactly(client, 1), "the accepted connection goes on");
        }
    }

    @Test
    void connectionsQueuedWhenAPortStopsListeningAreServedRatherThanReset() throws Exception {
        Reactor reactor = track(Reactor.start());
        ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
        CountDownLatch connected = new CountDownLatch(1);
        CompletableFuture<CompletionStage<Void>> stopping = new CompletableFuture<>();
        // The loop, held until the client is in the socket's queue, stops listening before it ever selects again.
        reactor.callFromThread(() -> {
            try {
                connected.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopping.complete(port.stopListening());
        });
        try (SocketChannel queued = SocketChannel.open(port.address())) {
            connected.countDown();
            stopping.get(10, SECONDS).toCompletableFuture().get(10, SECONDS);
            queued.write(StreamTransportContract.ascii("q"));
            assertEquals("q", StreamTransportContract.readExactly(queued, 1), "served, not reset");
        }
    }

    @Test
    void connectsByHostName() throws Exception {
        Reactor reactor = track(Reactor.start());
        ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
        Recorder client = new Recorder();
        assertSame(client, reactor.connectTcp("localhost", port.port(), peer -> client).get(10, SECONDS));
    }

    /**
     * {@code 0.0.0.0} means every IPv4 interface, as for the blocking servers, Python's and Twisted's: not the JDK's
     * dual-stack socket, which would take IPv6 clients too and hold the port on IPv6 (where binding it would fail).
     */
    @Test
    void anIpv4WildcardListensOnIpv4AloneOverTcpAndUdp() throws Exception {
        try (var probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress("::1", 0));
        } catch (IOException noIpv6) {
            abort("no IPv6 loopback here: " + noIpv6.getMessage());
        }
        Reactor reactor = track(Reactor.start());
        ListeningPort tcp = reactor.listenTcp(0, peer -> new Echo(), "0.0.0.0");
        ListeningPort udp = reactor.listenUdp(0, new DatagramEcho(), "0.0.0.0");
        assertEquals("0.0.0.0", ((InetSocketAddress) tcp.address()).getHostString());
        assertEquals("0.0.0.0", ((InetSocketAddress) udp.address()).getHostString());
        try (var v6 = ServerSocketChannel.open(StandardProtocolFamily.INET6);
                var v6Datagrams = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            v6.bind(new InetSocketAddress("::1", tcp.port()));
            v6Datagrams.bind(new InetSocketAddress("::1", udp.port()));
        }
    }

    @Test
    void connectsFromABindAddressAndOverIpv6() throws Exception {
        Reactor reactor = track(Reactor.start());
        ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
        Recorder client = new Recorder();
        reactor.connectTcp("127.0.0.1", port.port(), peer -> client, Duration.ofSeconds(5),
                new InetSocketAddress("127.0.0.1", 0)).get(10, SECONDS);
        assertEquals("127.0.0.1", ((InetSocketAddress) client.transport.localAddress()).getHostString());

        ListeningPort v6;
        try {
            v6 = reactor.listenTcp(0, peer -> new Echo(), "::1");
        } catch (UncheckedIOException noIpv6) {
            abort("no IPv6 loopback here: " + noIpv6.getMessage());
            return;
        }
        Recorder v6client = new Recorder();
        reactor.connectTcp("::1", v6.port(), peer -> v6client).get(10, SECONDS);
        assertEquals(v6.address(), v6client.transport.remoteAddress());
    }

    @Test
    void aConnectAttemptTimesOutOnTheLoopClock() throws Exception {
        Reactor reactor = startWithManualClock();
        // A listener that never accepts, with its accept queue filled: further handshakes get no answer.
        try (ServerSocketChannel full = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1)) {
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    SocketChannel filler = SocketChannel.open();
                    fillers.add(filler);
                    filler.configureBlocking(false);
                    filler.connect(full.getLocalAddress());
                }
                RecordingClientFactory factory = new RecordingClientFactory(Recorder::new);
                int port = ((InetSocketAddress) full.getLocalAddress()).getPort();
                CompletableFuture<Protocol> attempt = reactor.connectTcp("127.0.0.1", port, factory,
                        Duration.ofSeconds(3));
                roundTrip(reactor);
                assertFalse(attempt.isDone(), "still waiting for the handshake");
                advance(reactor, Duration.ofSeconds(3));
                Throwable cause = factory.failed.get(10, SECONDS);
                assertInstanceOf(ConnectException.class, cause);
                assertTrue(cause.getMessage().contains("timed out"), cause.getMessage());
            } finally {
                for (SocketChannel filler : fillers) {
                    filler.close();
                }
            }
        }
    }
}
