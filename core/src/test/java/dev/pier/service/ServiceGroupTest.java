package dev.pier.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.Concurrency;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.Transport;
import dev.pier.service.Service.Health;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ServiceGroupTest {

    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration GRACE = Duration.ofSeconds(10);

    /** Answers each line with the line, in the blocking model. */
    static final class LineEcho extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            for (String line; (line = readLine()) != null; ) {
                out().write((line + "\n").getBytes(UTF_8));
                out().flush();
            }
        }
    }

    /** Sends "hello\n" and closes, on the reactor. */
    static final class Hello implements Protocol {
        @Override
        public void connectionMade(Transport transport) {
            transport.write(ByteBuffer.wrap("hello\n".getBytes(UTF_8)));
            transport.loseConnection();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
        }
    }

    private static Service blockingEcho(String name, Concurrency concurrency) {
        return Service.blocking(name, () -> new TcpServer(ANY_LOOPBACK_PORT, LineEcho::new,
                ServerOptions.defaults().withConcurrency(concurrency)));
    }

    private static Service hello(Reactor reactor) {
        return Service.onReactor("hello", reactor, loop -> loop.listenTcp(ANY_LOOPBACK_PORT, peer -> new Hello(), 50));
    }

    @Test
    void aGroupOfBothModelsServesThenStopsAsOne() throws Exception {
        Reactor reactor = Reactor.start();
        Service echo = blockingEcho("echo", Concurrency.threads());
        Service hello = hello(reactor);
        ServiceGroup group = ServiceGroup.of("both", echo, hello);
        assertEquals(Health.NEW, group.health());
        assertEquals(0, group.addresses().size());

        group.start();

        assertEquals(Health.SERVING, group.health());
        assertEquals(2, group.addresses().size());
        assertEquals("ping\n", exchange(echo.addresses().getFirst(), "ping\n"));
        assertEquals("hello\n", exchange(hello.addresses().getFirst(), ""));

        group.stop(GRACE);

        assertEquals(Health.STOPPED, group.health());
        assertEquals(Health.STOPPED, echo.health());
        assertEquals(Health.STOPPED, hello.health());
        group.finished().get(5, TimeUnit.SECONDS);
        assertTrue(reactor.whenStopped().toCompletableFuture().isDone());
        assertFreed(echo.addresses().getFirst());
        assertFreed(hello.addresses().getFirst());
    }

    @Test
    void aServiceThatCannotListenStopsThoseStartedBeforeIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Service first = blockingEcho("first", Concurrency.virtualThreads());
            Service second = Service.blocking("second", () -> new TcpServer((InetSocketAddress) taken.getLocalSocketAddress(),
                    LineEcho::new));
            ServiceGroup group = ServiceGroup.of("pair", first, second);

            assertThrows(BindException.class, group::start);

            assertTrue(first.finished().isDone(), "undone before the failure is thrown");
            assertEquals(Health.STOPPED, first.health());
            assertEquals(Health.STOPPED, group.health());
            assertTrue(group.finished().isCompletedExceptionally());
            assertFreed(first.addresses().getFirst());
        }
    }

    @Test
    void aStopLetsARequestInProgressFinishAndReportsDrainingMeanwhile() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        class Slow extends StreamRequestHandler {
            @Override
            protected void handle() throws IOException {
                handling.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out().write("done\n".getBytes(UTF_8));
            }
        }
        Service slow = Service.blocking("slow", () -> new TcpServer(ANY_LOOPBACK_PORT, Slow::new,
                ServerOptions.defaults().withConcurrency(Concurrency.threads().withCloseGracePeriod(GRACE))));
        ServiceGroup group = ServiceGroup.of("one", slow);
        group.start();
        try (Socket client = new Socket()) {
            client.connect(slow.addresses().getFirst());
            handling.await();

            CompletableFuture<Void> stopping = onThreadOfItsOwn(() -> group.stop(GRACE));
            awaitHealthOtherThan(slow, Health.SERVING);
            assertEquals(Health.DRAINING, group.health());
            assertFalse(stopping.isDone());
            release.countDown();

            assertArrayEquals("done\n".getBytes(UTF_8), client.getInputStream().readAllBytes());
            stopping.get(10, TimeUnit.SECONDS);
            assertEquals(Health.STOPPED, group.health());
        }
    }

    @Test
    void aServiceThatStopsByItselfIsTheGroupsFirstStoppedAndTheGroupNoLongerHealthy() throws Exception {
        Reactor reactor = Reactor.start();
        Service hello = hello(reactor);
        Service echo = blockingEcho("echo", Concurrency.synchronous());
        ServiceGroup group = ServiceGroup.of("both", echo, hello);
        group.start();

        reactor.stop();

        assertSame(hello, group.firstStopped().get(5, TimeUnit.SECONDS));
        assertEquals(Health.DRAINING, group.health());
        group.stop(GRACE);
        assertEquals(Health.STOPPED, group.health());
        group.finished().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aServiceStartsOnceAndAStopBeforeStartDoesNothing() throws Exception {
        Service echo = blockingEcho("echo", Concurrency.synchronous());
        echo.stop(GRACE);
        assertEquals(Health.NEW, echo.health());

        echo.start();
        try {
            var again = assertThrows(IllegalStateException.class, echo::start);
            assertEquals("the service echo was started before: build a new one", again.getMessage());
        } finally {
            echo.stop(GRACE);
        }
        echo.stop(GRACE);
        assertEquals(Health.STOPPED, echo.health());
    }

    /** A service that does what a test says, when it says so. */
    private static final class Scripted implements Service {
        final String name;
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        CountDownLatch startReached = new CountDownLatch(1);
        CountDownLatch releaseStart = new CountDownLatch(0);
        RuntimeException stopFailure;
        volatile Health health = Health.NEW;

        Scripted(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start() {
            health = Health.STARTING;
            startReached.countDown();
            try {
                releaseStart.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            health = Health.SERVING;
        }

        @Override
        public void stop(Duration grace) {
            if (health == Health.NEW) {
                return;
            }
            health = Health.STOPPED;
            finished.complete(null);
            if (stopFailure != null) {
                throw stopFailure;
            }
        }

        @Override
        public CompletableFuture<Void> finished() {
            return finished;
        }

        @Override
        public Health health() {
            return health;
        }

        @Override
        public List<SocketAddress> addresses() {
            return List.of();
        }
    }

    @Test
    void groupsNestAndAStopReachesEveryServiceInThem() throws Exception {
        Service echo = blockingEcho("echo", Concurrency.virtualThreads());
        Scripted inner = new Scripted("inner");
        ServiceGroup pair = ServiceGroup.of("pair", echo, inner);
        Scripted outer = new Scripted("outer");
        ServiceGroup all = ServiceGroup.of("all", pair, outer);

        all.start();
        assertEquals(Health.SERVING, all.health());
        assertEquals(echo.addresses(), all.addresses());
        all.stop(GRACE);

        assertEquals(Health.STOPPED, all.health());
        assertEquals(Health.STOPPED, pair.health());
        assertEquals(Health.STOPPED, echo.health());
        assertEquals(Health.STOPPED, inner.health());
        assertTrue(all.finished().isDone());
    }

    @Test
    void whatStopsThrowIsThrownOnceEveryServiceStopped() throws Exception {
        Scripted stubborn = new Scripted("stubborn");
        stubborn.stopFailure = new IllegalStateException("cannot remove the socket file");
        Scripted other = new Scripted("other");
        other.stopFailure = new IllegalStateException("nor this one");
        Service echo = blockingEcho("echo", Concurrency.threads());
        ServiceGroup group = ServiceGroup.of("three", stubborn, echo, other);
        group.start();

        var failure = assertThrows(IllegalStateException.class, () -> group.stop(GRACE));

        assertEquals("cannot remove the socket file", failure.getMessage());
        assertEquals("nor this one", failure.getSuppressed()[0].getMessage());
        assertEquals(Health.STOPPED, echo.health());
        assertEquals(Health.STOPPED, group.health());
    }

    @Test
    void aStopDuringTheStartWinsTheServicesNotYetStartedNeverStart() throws Exception {
        Scripted slowToStart = new Scripted("slow");
        slowToStart.releaseStart = new CountDownLatch(1);
        Scripted next = new Scripted("next");
        ServiceGroup group = ServiceGroup.of("two", slowToStart, next);
        CompletableFuture<Void> starting = onThreadOfItsOwn(() -> {
            try {
                group.start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        slowToStart.startReached.await();
        assertEquals(Health.STARTING, group.health());

        CompletableFuture<Void> stopping = onThreadOfItsOwn(() -> group.stop(GRACE));
        awaitHealthOtherThan(group, Health.STARTING);
        assertFalse(stopping.isDone(), "the stop waits for the start in progress");
        slowToStart.releaseStart.countDown();
        starting.get(10, TimeUnit.SECONDS);
        stopping.get(10, TimeUnit.SECONDS);

        assertEquals(Health.STOPPED, slowToStart.health());
        assertEquals(Health.NEW, next.health());
        assertEquals(Health.STOPPED, group.health());
    }

    @Test
    void aServiceThatFailsEndsTheGroupWithItsFailure() throws Exception {
        Scripted failing = new Scripted("failing");
        Scripted healthy = new Scripted("healthy");
        ServiceGroup group = ServiceGroup.of("two", failing, healthy);
        group.start();

        failing.health = Health.STOPPED;
        failing.finished.completeExceptionally(new IllegalStateException("the loop failed"));
        assertSame(failing, group.firstStopped().get(5, TimeUnit.SECONDS));
        assertEquals(Health.DRAINING, group.health());
        group.stop(GRACE);

        var end = assertThrows(java.util.concurrent.ExecutionException.class, () -> group.finished().get());
        assertEquals("the loop failed", end.getCause().getMessage());
    }

    private static CompletableFuture<Void> onThreadOfItsOwn(Runnable task) {
        return CompletableFuture.runAsync(task, runnable -> Thread.ofPlatform().start(runnable));
    }

    /** Health has no listener: a change shows on the next look, which a bounded loop takes. */
    private static void awaitHealthOtherThan(Service service, Health health) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (service.health() == health) {
            assertTrue(System.nanoTime() < deadline, service.name() + " still " + health);
            Thread.yield();
        }
    }

    private static String exchange(SocketAddress address, String request) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(address);
            client.getOutputStream().write(request.getBytes(UTF_8));
            client.shutdownOutput();
            InputStream in = client.getInputStream();
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    private static void assertFreed(SocketAddress address) throws IOException {
        try (ServerSocket again = new ServerSocket()) {
            again.bind(address);
        }
    }
}
