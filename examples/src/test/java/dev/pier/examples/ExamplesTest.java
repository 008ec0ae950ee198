package dev.pier.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pier.blocking.BaseServer;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Reactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each example on a free port of the loopback interface, in this JVM, asked once as a client would. */
@Timeout(30)
class ExamplesTest {

    private static final byte[] SCIENCE = resource("science.txt");
    private static final byte[] FASCINATION = resource("fascination.txt");

    @Test
    void theShoutServerAnswersEachLineInCapitals() throws Exception {
        try (var server = ShoutServer.shoutServer(0)) {
            CompletableFuture<Void> serving = serveInBackground(server);
            assertEquals("HELLO\nPIER\n", new String(ask(server.address(), "hello\npier\n"), UTF_8));
            server.shutdown();
            serving.get();
        }
    }

    @Test
    void theFastPoetryServerSendsThePoem() throws Exception {
        try (var reactor = Reactor.start()) {
            ListeningPort port = FastPoetryServer.servePoem(reactor, 0, SCIENCE);
            assertArrayEquals(SCIENCE, fetch(port.address()));
        }
    }

    @Test
    void theBlockingPoetryServerSendsThePoemPieceByPiece() throws Exception {
        try (var server = BlockingPoetryServer.poetryServer(0, SCIENCE, 100, Duration.ofMillis(1))) {
            CompletableFuture<Void> serving = serveInBackground(server);
            assertArrayEquals(SCIENCE, fetch(server.address()));
            server.shutdown();
            serving.get();
        }
    }

    @Test
    void theSelectorPoetryServerSendsThePoem() throws Exception {
        try (var server = new SelectorPoetryServer(0, SCIENCE)) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try {
                    server.serve();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, Thread::startVirtualThread);
            assertArrayEquals(SCIENCE, fetch(server.address()));
            server.stop();
            serving.get();
        }
    }

    @Test
    void theSlowPoetryServerSendsThePoemPieceByPiece() throws Exception {
        try (var reactor = Reactor.start()) {
            ListeningPort port = SlowPoetryServer.serveSlowly(reactor, 0, SCIENCE, 100, Duration.ofMillis(1));
            assertArrayEquals(SCIENCE, fetch(port.address()));
        }
    }

    @Test
    void severalPoemsAreServedEachOnItsPort() throws Exception {
        try (var reactor = Reactor.start()) {
            List<ListeningPort> ports = SeveralPoemsServer.servePoems(reactor, 0, List.of(SCIENCE, FASCINATION));
            assertArrayEquals(FASCINATION, fetch(ports.get(1).address()));
            assertArrayEquals(SCIENCE, fetch(ports.get(0).address()));
        }
    }

    @Test
    void oneProcessServesThePoemAndTheShoutingUntilToldToStop() throws Exception {
        Map<String, SocketAddress> addresses = new ConcurrentHashMap<>();
        var ready = new CountDownLatch(2);
        var stop = new CompletableFuture<Void>();
        CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
            try {
                SeveralServices.serve(SCIENCE, 0, 0, stop, (service, address) -> {
                    addresses.put(service, address);
                    ready.countDown();
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        try {
            ready.await();
            assertArrayEquals(SCIENCE, fetch(addresses.get("poetry")));
            assertEquals("LOUDER\n", new String(ask(addresses.get("shout"), "louder\n"), UTF_8));
        } finally {
            stop.complete(null);
        }
        serving.get(20, TimeUnit.SECONDS);
    }

    /** Connects and returns all the server sent until it closed: a poem. */
    private static byte[] fetch(SocketAddress server) throws IOException {
        try (var socket = new Socket()) {
            socket.connect(server);
            return socket.getInputStream().readAllBytes();
        }
    }

    /** Connects, sends {@code request}, ends the sending side, and returns all the server sent until it closed. */
    private static byte[] ask(SocketAddress server, String request) throws IOException {
        try (var socket = new Socket()) {
            socket.connect(server);
            socket.getOutputStream().write(request.getBytes(UTF_8));
            socket.shutdownOutput();
            return socket.getInputStream().readAllBytes();
        }
    }

    private static CompletableFuture<Void> serveInBackground(BaseServer<?> server) {
        return CompletableFuture.runAsync(() -> {
            try {
                server.serveForever();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }

    private static byte[] resource(String name) {
        try (InputStream in = ExamplesTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
