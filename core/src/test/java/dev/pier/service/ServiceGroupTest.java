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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

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

            first.finished().get(5, TimeUnit.SECONDS);
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

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> group.stop(GRACE));
            while (slow.health() == Health.SERVING) {
                Thread.onSpinWait();
            }
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
