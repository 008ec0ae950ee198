package dev.pier.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pier.blocking.ForkedChildMain.Scripted;
import dev.pier.blocking.TestServers.Behaviour;
import dev.pier.blocking.TestServers.Client;
import dev.pier.blocking.TestServers.Kind;
import dev.pier.blocking.TestServers.Recorder;
import dev.pier.blocking.TestServers.Serving;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CPython's socketserver tests as scenarios, run for every server type with every concurrency strategy
 * ({@link TestServers#strategies()}); TCP and Unix stream servers behind TLS layers are types too, so every stream
 * scenario runs over TLS as well.
 */
@Timeout(30)
class ServerMatrixTest {

    /** A test run once per server type and concurrency strategy, with parameters {@code (Kind, Concurrency)}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("dev.pier.blocking.ServerMatrixTest#matrix")
    @interface MatrixTest {
    }

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private final List<BaseServer<?>> servers = new ArrayList<>();

    static Stream<Arguments> matrix() {
        return Stream.of(Kind.values())
                .flatMap(kind -> TestServers.strategies().map(strategy -> Arguments.of(kind, strategy)));
    }

    private BaseServer<?> server(Kind kind, Concurrency concurrency, Behaviour behaviour) throws Exception {
        BaseServer<?> server = kind.create(behaviour, recorder, options(kind, concurrency, behaviour), dir);
        servers.add(server);
        return server;
    }

    /** The options for {@code concurrency}; a forking server's children rebuild the same server by name. */
    private ServerOptions options(Kind kind, Concurrency concurrency, Behaviour behaviour) {
        if (concurrency instanceof Forking forking) {
            concurrency = ForkedChildMain.forServer(forking, kind, behaviour, dir);
        }
        return ServerOptions.defaults().withConcurrency(concurrency);
    }

    /** The errors handleError saw, as "client TAB message": in a forking server they were recorded by children. */
    private List<String> recordedErrors(BaseServer<?> server, Concurrency concurrency) throws Exception {
        if (concurrency instanceof Forking) {
            awaitChildrenWithRequests(server);
            return Recorder.journaledErrors(dir.resolve(ForkedChildMain.JOURNAL));
        }
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < recorder.errors.size(); i++) {
            errors.add(recorder.errorClients.get(i) + "\t" + recorder.errors.get(i).getMessage());
        }
        return errors;
    }

    /** Waits until the forked children that were handed a request have exited. */
    private static void awaitChildrenWithRequests(BaseServer<?> server) throws Exception {
        for (ProcessHandle child : ((ForkingDispatcher) server.dispatcher()).busyChildren()) {
            child.onExit().get(20, TimeUnit.SECONDS);
        }
    }

    private static final Behaviour ECHO = Scripted.ECHO;

    @AfterEach
    void closeServers() {
        servers.forEach(BaseServer::close);
    }

    @MatrixTest
    void echoesThreeSequentialClientsThenShutsDownAndCloses(Kind kind, Concurrency concurrency) throws Exception {
        BaseServer<?> server = server(kind, concurrency, ECHO);
        switch (server.address()) {
            case InetSocketAddress inet -> {
                assertNotEquals(0, inet.getPort(), "port 0 is resolved to the bound port");
                assertEquals(TestServers.LOOPBACK, inet.getAddress());
            }
            case UnixDomainSocketAddress unix -> {
                assertEquals(dir, unix.getPath().getParent());
                assertTrue(Files.exists(unix.getPath()));
            }
            default -> throw new AssertionError(server.address());
        }
        Serving serving = Serving.start(server);
        for (int i = 0; i < 3; i++) {
            try (Client client = kind.connect(server)) {
                assertEquals("hello world", client.exchange("hello world"));
            }
        }
        serving.shutdownAndAwait();
        List<ProcessHandle> children = server.dispatcher() instanceof ForkingDispatcher forking
                ? forking.children() : List.of();
        server.close();
        assertTrue(kind.listeningClosed(server));
        assertTrue(children.stream().noneMatch(ProcessHandle::isAlive), "no forked child remains after close");
    }

    @MatrixTest
    void shutdownRightAfterStartingReturnsEveryTime(Kind kind, Concurrency concurrency) throws Exception {
        for (int i = 0; i < 20; i++) {
            try (BaseServer<?> server = kind.create(ECHO, recorder, options(kind, concurrency, ECHO), dir)) {
                Serving.start(server).shutdownAndAwait();
            }
        }
    }

    @MatrixTest
    void closingWithoutServingIsFineAndIdempotent(Kind kind, Concurrency concurrency) throws Exception {
        BaseServer<?> server = server(kind, concurrency, ECHO);
        server.close();
        server.close();
        assertTrue(server.isClosed());
        assertTrue(kind.listeningClosed(server));
        assertThrows(IllegalStateException.class, server::serveForever);
    }

    @MatrixTest
    void tryWithResourcesLeavesTheSocketClosed(Kind kind, Concurrency concurrency) throws Exception {
        BaseServer<?> closed;
        try (BaseServer<?> server = kind.create(ECHO, recorder, options(kind, concurrency, ECHO), dir)) {
            closed = server;
            Serving serving = Serving.start(server);
            try (Client client = kind.connect(server)) {
                assertEquals("hi", client.exchange("hi"));
            }
            serving.shutdownAndAwait();
        }
        assertTrue(kind.listeningClosed(closed));
    }

    @MatrixTest
    void anExceptionInAHandlerGoesToHandleErrorAndServingContinues(Kind kind, Concurrency concurrency)
            throws Exception {
        BaseServer<?> server = server(kind, concurrency, Scripted.FAIL_ON_BOOM);
        Serving serving = Serving.start(server);
        SocketAddress clientAddress;
        try (Client client = kind.connect(server)) {
            clientAddress = client.localAddress();
            String reply = client.exchange("boom");
            if (kind.stream) {
                assertNull(reply, "the failed connection is closed");
            } else {
                assertEquals("", reply, "a datagram handler replies even when handle() threw");
            }
        }
        if (!(concurrency instanceof Forking)) {
            assertTrue(recorder.firstError.await(20, TimeUnit.SECONDS));
        }
        try (Client client = kind.connect(server)) {
            assertEquals("still serving", client.exchange("still serving"));
        }
        serving.shutdownAndAwait();
        assertEquals(List.of(clientAddress + "\tboom"), recordedErrors(server, concurrency),
                "handleError ran once and was told who the client was");
    }

    static final class FatalError extends Error {
        FatalError() {
            super("fatal");
        }
    }

    @MatrixTest
    void anErrorIsNotSwallowedByHandleError(Kind kind, Concurrency concurrency) throws Exception {
        BaseServer<?> server = server(kind, concurrency, Scripted.FATAL_ON_FATAL);
        Serving serving = Serving.start(server);
        try (Client client = kind.connect(server)) {
            String reply = client.exchange("fatal");
            assertEquals(kind.stream ? null : "", reply, "the request is closed (and a datagram answered)");
        }
        if (concurrency instanceof Forking) {
            // The error ends the child that handled the request; the parent serves on.
            try (Client client = kind.connect(server)) {
                assertEquals("still serving", client.exchange("still serving"));
            }
            serving.shutdownAndAwait();
        } else {
            var failure = assertThrows(ExecutionException.class, serving::awaitStopped);
            assertInstanceOf(FatalError.class, failure.getCause(),
                    "serveForever propagates the error, from whichever thread handled the request");
        }
        assertEquals(List.of(), recordedErrors(server, concurrency), "handleError is not called for an Error");
    }

    @MatrixTest
    void aRejectedRequestIsShutDownExactlyOnceAndTheClientSeesEndOfStream(Kind kind, Concurrency concurrency)
            throws Exception {
        var rejected = new AtomicReference<Object>();
        recorder.verify = (request, client) -> !rejected.compareAndSet(null, request);
        BaseServer<?> server = server(kind, concurrency, ECHO);
        Serving serving = Serving.start(server);
        try (Client client = kind.connect(server)) {
            if (kind.stream) {
                assertNull(client.receive(), "a rejected connection is closed at once");
            } else {
                client.send("rejected");
            }
        }
        try (Client client = kind.connect(server)) {
            assertEquals("accepted", client.exchange("accepted"));
        }
        serving.shutdownAndAwait();
        assertEquals(1, recorder.shutdownsOf(rejected.get()));
    }

    @MatrixTest
    void shutdownCalledByAHandlerStopsTheLoopWithoutDeadlock(Kind kind, Concurrency concurrency) throws Exception {
        BaseServer<?> server = server(kind, concurrency, Scripted.SHUTDOWN_SERVER);
        Serving serving = Serving.start(server);
        try (Client client = kind.connect(server)) {
            assertEquals("stopping", client.exchange("stop"));
        }
        if (concurrency instanceof Forking) {
            // A forked child shares nothing with its parent, not even the serving loop's state.
            try (Client client = kind.connect(server)) {
                assertEquals("stopping", client.exchange("still serving"));
            }
            serving.shutdownAndAwait();
            return;
        }
        serving.awaitStopped();
    }

    @MatrixTest
    void closeCalledByAHandlerStopsServingAndClosesTheSocket(Kind kind, Concurrency concurrency) throws Exception {
        if (concurrency instanceof Forking) {
            // A forked child closes only its own copy of the server; the parent serves on.
            BaseServer<?> server = server(kind, concurrency, Scripted.CLOSE_SERVER);
            Serving serving = Serving.start(server);
            for (int i = 0; i < 2; i++) {
                try (Client client = kind.connect(server)) {
                    assertEquals("closing", client.exchange("close"));
                }
            }
            serving.shutdownAndAwait();
            assertFalse(server.isClosed());
            return;
        }
        var closeReturned = new CountDownLatch(1);
        BaseServer<?> server = server(kind, concurrency, (line, s) -> {
            s.close();
            closeReturned.countDown();
            return "closing";
        });
        Serving serving = Serving.start(server);
        try (Client client = kind.connect(server)) {
            if (kind.stream) {
                assertEquals("closing", client.exchange("close"));
            } else {
                client.send("close");   // the reply cannot go out: the handler closed the socket it goes through
            }
        }
        serving.awaitStopped();
        assertTrue(closeReturned.await(20, TimeUnit.SECONDS));
        assertTrue(server.isClosed());
        assertTrue(kind.listeningClosed(server));
    }

    @MatrixTest
    void threadsOfFinishedRequestsAreNotKept(Kind kind, Concurrency concurrency) throws Exception {
        assumeTrue(concurrency instanceof ThreadPerRequest, "only thread strategies start threads");
        List<Thread> handlerThreads = Collections.synchronizedList(new ArrayList<>());
        BaseServer<?> server = server(kind, concurrency, (line, s) -> {
            handlerThreads.add(Thread.currentThread());
            return line;
        });
        Serving serving = Serving.start(server);
        for (int i = 0; i < 10; i++) {
            try (Client client = kind.connect(server)) {
                assertEquals("request " + i, client.exchange("request " + i));
            }
        }
        for (Thread thread : List.copyOf(handlerThreads)) {
            thread.join();
        }
        assertEquals(10, handlerThreads.size());
        assertEquals(0, ((ThreadPerRequest.Dispatcher) server.dispatcher()).runningCount());
        serving.shutdownAndAwait();
    }
}
