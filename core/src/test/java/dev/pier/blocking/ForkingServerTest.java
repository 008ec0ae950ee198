package dev.pier.blocking;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.ForkedChildMain.Scripted;
import dev.pier.blocking.TestServers.Behaviour;
import dev.pier.blocking.TestServers.Client;
import dev.pier.blocking.TestServers.Kind;
import dev.pier.blocking.TestServers.Recorder;
import dev.pier.blocking.TestServers.Serving;
import dev.pier.blocking.TestServers.StreamClient;
import dev.pier.metrics.ServerStatistics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What forking adds to the scenarios of {@link ServerMatrixTest}: isolation, crashes, reaping and close. */
@Timeout(60)
class ForkingServerTest {

    @TempDir
    Path dir;

    private final List<BaseServer<?>> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        servers.forEach(BaseServer::close);
    }

    private BaseServer<?> tcpServer(Behaviour behaviour, Forking forking) throws IOException {
        return server(Kind.TCP, behaviour, forking);
    }

    private BaseServer<?> server(Kind kind, Behaviour behaviour, Forking forking) throws IOException {
        BaseServer<?> server = kind.create(behaviour, new Recorder(), ServerOptions.defaults()
                .withConcurrency(ForkedChildMain.forServer(forking, kind, behaviour, dir)), dir);
        servers.add(server);
        return server;
    }

    /** One child at a time, so that the requests in a row go to the same child until it has served its share. */
    private static Forking oneChildServing(int requestsPerChild) {
        return Concurrency.forking().withRequestsPerChild(requestsPerChild).withMaxChildren(1).withWarmChildren(1);
    }

    private static long pidServing(BaseServer<?> server, Kind kind) throws Exception {
        try (Client client = kind.connect(server)) {
            return Long.parseLong(client.exchange("pid"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"TCP", "UNIX_STREAM", "UDP", "UNIX_DATAGRAM"})
    void aChildServesItsShareOfRequestsThenANewChildTakesOver(Kind kind) throws Exception {
        BaseServer<?> server = server(kind, Scripted.PROCESS, oneChildServing(3));
        Serving serving = Serving.start(server);
        long first = pidServing(server, kind);
        assertEquals(first, pidServing(server, kind));
        assertEquals(first, pidServing(server, kind));
        long next = pidServing(server, kind);
        assertNotEquals(first, next, "after its third request the child made way for a new one");
        Optional<ProcessHandle> retired = ProcessHandle.of(first);
        if (retired.isPresent()) {
            retired.get().onExit().get(20, TimeUnit.SECONDS);   // the child exits after its last request
        }
        assertEquals(next, pidServing(server, kind));
        serving.shutdownAndAwait();
    }

    @Test
    void theRequestsOfAChildShareItsMemoryButNotOthersRequests() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.STATIC_COUNTER, oneChildServing(2));
        Serving serving = Serving.start(server);
        List<String> counted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Client client = Kind.TCP.connect(server)) {
                counted.add(client.exchange("a"));
            }
        }
        assertEquals(List.of("1", "2", "1"), counted, "the second request of a child sees what the first left");
        serving.shutdownAndAwait();
    }

    @Test
    void aChildWhoseHandlerThrewCountsAnErrorAndTakesItsNextRequest() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.FAIL_ON_BOOM, oneChildServing(2));
        Serving serving = Serving.start(server);
        try (var failing = (StreamClient) Kind.TCP.connect(server)) {
            failing.send("boom");
            assertEndOfStreamOrReset(failing);
        }
        try (Client next = Kind.TCP.connect(server)) {
            assertEquals("hello", next.exchange("hello"));
        }
        assertEquals(1, server.statistics().errors(), "counted once the child said so, before its next request");
        serving.shutdownAndAwait();
    }

    @Test
    void aChildServingSeveralRequestsLeavesNoDescriptorOpenAfterEach() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, oneChildServing(4));
        Serving serving = Serving.start(server);
        List<String> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (Client client = Kind.TCP.connect(server)) {
                open.add(client.exchange("descriptors"));
            }
        }
        assertEquals(1, open.stream().distinct().count(), "descriptors open during each request: " + open);
        serving.shutdownAndAwait();
    }

    @Test
    void killingAChildServingSeveralRequestsCostsOnlyItsCurrentRequest() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, oneChildServing(5));
        Serving serving = Serving.start(server);
        long pid = pidServing(server, Kind.TCP);
        try (var victim = (StreamClient) Kind.TCP.connect(server)) {
            assertEquals(Long.toString(pid), victim.exchange("pid"), "the child's second request");
            ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
            assertTrue(child.destroyForcibly());
            child.onExit().get(20, TimeUnit.SECONDS);
            assertThrows(IOException.class, victim::receive, "a reply cut short ends with a reset, not a close");
        }
        assertNotEquals(pid, pidServing(server, Kind.TCP));
        serving.shutdownAndAwait();
    }

    @Test
    void closeLeavesNoChildOfSeveralRequestsBehind() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS,
                Concurrency.forking().withRequestsPerChild(10).withWarmChildren(2));
        Serving serving = Serving.start(server);
        List<ProcessHandle> served = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            served.add(ProcessHandle.of(pidServing(server, Kind.TCP)).orElseThrow());
        }
        List<ProcessHandle> children = children(server).children();
        serving.shutdownAndAwait();
        server.close();
        assertEquals(List.of(), children(server).children());
        assertTrue(children.stream().noneMatch(ProcessHandle::isAlive), "close leaves no child behind");
        assertTrue(served.stream().noneMatch(ProcessHandle::isAlive));
    }

    private static ForkingDispatcher children(BaseServer<?> server) {
        return (ForkingDispatcher) server.dispatcher();
    }

    @Test
    void aHandlersChangeToAStaticFieldIsNotSeenByTheNextRequest() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.STATIC_COUNTER, Concurrency.forking());
        Serving serving = Serving.start(server);
        try (Client first = Kind.TCP.connect(server)) {
            assertEquals("1", first.exchange("a"));
            assertEquals("2", first.exchange("b"), "one request keeps its own state");
        }
        try (Client second = Kind.TCP.connect(server)) {
            assertEquals("1", second.exchange("a"), "the next request starts from the program's state");
        }
        serving.shutdownAndAwait();
        assertEquals(0, Scripted.counter, "the server's own process never ran the handler");
    }

    @Test
    void aChildKnowsItIsOneAndItsServerHasTheParentsAddress() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking().withWarmChildren(1));
        Serving serving = Serving.start(server);
        try (Client client = Kind.TCP.connect(server)) {
            assertEquals(server.address().toString(), client.exchange("address"));
            assertEquals("true", client.exchange("child"));
        }
        assertFalse(Forking.isForkedChild());
        serving.shutdownAndAwait();
    }

    @Test
    void killingAChildInTheMiddleOfARequestCostsOnlyThatRequest() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking());
        Serving serving = Serving.start(server);
        try (var victim = (StreamClient) Kind.TCP.connect(server)) {
            long pid = Long.parseLong(victim.exchange("pid"));
            ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
            assertTrue(child.destroyForcibly());
            child.onExit().get(20, TimeUnit.SECONDS);
            assertThrows(IOException.class, victim::receive, "a reply cut short ends with a reset, not a close");
            try (Client next = Kind.TCP.connect(server)) {
                assertNotEquals(pid, Long.parseLong(next.exchange("pid")));
            }
        }
        serving.shutdownAndAwait();
    }

    @Test
    void theParentCountsTheRequestsItTookAndThoseWhoseChildDied() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking());
        Serving serving = Serving.start(server);
        try (var victim = (StreamClient) Kind.TCP.connect(server)) {
            long pid = Long.parseLong(victim.exchange("pid"));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThrows(IOException.class, victim::receive);
        }
        try (Client next = Kind.TCP.connect(server)) {
            Long.parseLong(next.exchange("pid"));
        }
        serving.shutdownAndAwait();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.statistics().errors() == 0 && System.nanoTime() < deadline) {
            Thread.yield();   // the parent counts the death when it reaps the child
        }
        assertEquals(new ServerStatistics(2, 0, 0, 0, 1), server.statistics(),
                "the children's bytes are theirs: the parent counts none");
    }

    @Test
    void childrenKilledWhileStartingAreReplacedWithoutFailingARequest() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking().withWarmChildren(2));
        Serving serving = Serving.start(server);
        // As an operator or the OOM killer might, whether they have connected or not: the first two children started.
        Set<ProcessHandle> killed = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (killed.size() < 2 && System.nanoTime() < deadline) {
            for (ProcessHandle child : children(server).children()) {
                if (killed.size() < 2 && killed.add(child)) {
                    child.destroyForcibly();
                }
            }
            Thread.yield();   // the starter starts them one at a time once the server serves
        }
        assertEquals(2, killed.size(), "two children started");
        try (Client client = Kind.TCP.connect(server)) {
            Long.parseLong(client.exchange("pid"));
        }
        serving.shutdownAndAwait();
    }

    @Test
    void aHandlerCallingSystemExitCostsOnlyThatRequest() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking());
        Serving serving = Serving.start(server);
        try (var exiting = (StreamClient) Kind.TCP.connect(server)) {
            exiting.send("exit");
            assertEndOfStreamOrReset(exiting);
        }
        try (Client next = Kind.TCP.connect(server)) {
            Long.parseLong(next.exchange("pid"));
        }
        serving.shutdownAndAwait();
    }

    private static void assertEndOfStreamOrReset(StreamClient client) {
        try {
            assertNull(client.receive(), "the connection ends with its process");
        } catch (IOException reset) {
            // the kernel may reset a connection whose process died with unread input
        }
    }

    @Test
    void aForkingServerNeverReapsAProcessItDidNotStart() throws Exception {
        Process own = new ProcessBuilder("sh", "-c", "exit 7").start();
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking());
        Serving serving = Serving.start(server);
        for (int i = 0; i < 2; i++) {
            try (Client client = Kind.TCP.connect(server)) {
                assertNotEquals(own.pid(), Long.parseLong(client.exchange("pid")));
            }
        }
        serving.shutdownAndAwait();
        server.close();
        assertTrue(own.waitFor(20, TimeUnit.SECONDS));
        assertEquals(7, own.exitValue(), "the test's own child keeps its exit status for the test to reap");
    }

    @Test
    void closeWaitsForABusyChildAndLeavesNoChildBehind() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking());
        Serving serving = Serving.start(server);
        try (Client client = Kind.TCP.connect(server)) {
            ProcessHandle busy = ProcessHandle.of(Long.parseLong(client.exchange("pid"))).orElseThrow();
            serving.shutdownAndAwait();
            List<ProcessHandle> children = children(server).children();
            assertTrue(children.contains(busy));
            CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);
            client.close();   // the handler sees the end of its input and finishes
            closed.get(20, TimeUnit.SECONDS);
            assertFalse(busy.isAlive());
            assertTrue(children.stream().noneMatch(ProcessHandle::isAlive), "close leaves no child behind");
        }
    }

    @Test
    void closeKillsAChildStillBusyAfterTheGracePeriod() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS,
                Concurrency.forking().withCloseGracePeriod(Duration.ofMillis(100)));
        Serving serving = Serving.start(server);
        try (var client = (StreamClient) Kind.TCP.connect(server)) {
            ProcessHandle busy = ProcessHandle.of(Long.parseLong(client.exchange("pid"))).orElseThrow();
            serving.shutdownAndAwait();
            server.close();
            assertFalse(busy.isAlive(), "the child that would not finish was killed");
            assertEndOfStreamOrReset(client);
        }
        assertEquals(List.of(), children(server).children());
    }

    @Test
    void atTheCapTheServerWaitsForAChildToExit() throws Exception {
        BaseServer<?> server = tcpServer(Scripted.PROCESS,
                Concurrency.forking().withMaxChildren(1).withWarmChildren(0));
        Serving serving = Serving.start(server);
        try (var first = (StreamClient) Kind.TCP.connect(server);
             var second = (StreamClient) Kind.TCP.connect(server)) {
            long firstPid = Long.parseLong(first.exchange("pid"));
            second.send("pid");
            assertEquals(List.of(ProcessHandle.of(firstPid).orElseThrow()), children(server).children(),
                    "the second request gets no child while the first holds the only one");
            first.close();
            assertNotEquals(firstPid, Long.parseLong(second.receive()));
        }
        serving.shutdownAndAwait();
    }

    @Test
    void aChildProgramThatBuildsNoServerFailsEachRequestWithAClearError() throws Exception {
        String message = errorOfOneFailedRequest(Concurrency.forking().withChildMain(NotAServerMain.class)
                .withWarmChildren(0));
        assertTrue(message.contains("exited with status 0 before taking a request")
                && message.contains("must build the same server"), message);
    }

    @Test
    void aChildJvmThatCannotStartFailsTheRequestWithItsOwnWords() throws Exception {
        String message = errorOfOneFailedRequest(ForkedChildMain.forServer(Concurrency.forking()
                .withChildJvmOptions("-XX:+NoSuchPierOption").withWarmChildren(0), Kind.TCP, Scripted.ECHO, dir));
        assertTrue(message.contains("saying: Unrecognized VM option 'NoSuchPierOption'"), message);
    }

    @Test
    void childrenGetWhatTheParentKeptForThemBeforeServing() throws Exception {
        Forking.keepForChildren("forking-server-test", "read by the parent".getBytes(UTF_8));
        BaseServer<?> server = tcpServer(Scripted.PROCESS, Concurrency.forking());
        Serving serving = Serving.start(server);
        try (Client client = Kind.TCP.connect(server)) {
            assertEquals("read by the parent", client.exchange("kept forking-server-test"));
        }
        try (Client client = Kind.TCP.connect(server)) {
            assertEquals("none", client.exchange("kept nothing-under-this-name"));
        }
        assertEquals(Optional.empty(), Forking.keptByParent("forking-server-test"), "a parent has no parent");
        serving.shutdownAndAwait();
    }

    @Test
    void aChildThatDoesNotConnectInTimeIsKilledAndItsRequestFails() throws Exception {
        String message = errorOfOneFailedRequest(Concurrency.forking().withChildMain(HangingChildMain.class)
                .withWarmChildren(0).withChildStartTimeout(Duration.ofSeconds(2)));
        assertTrue(message.contains("did not connect within PT2S and was killed"), message);
        assertEquals(List.of(), children(servers.getLast()).children(), "the hanging child is gone");
    }

    /**
     * The error of the one request sent to a TCP echo server whose children cannot serve it; the server is left
     * running, its request closed.
     */
    private String errorOfOneFailedRequest(Forking forking) throws Exception {
        var recorder = new Recorder();
        BaseServer<?> server = Kind.TCP.create(Scripted.ECHO, recorder,
                ServerOptions.defaults().withConcurrency(forking), dir);
        servers.add(server);
        Serving.start(server);
        try (Client client = Kind.TCP.connect(server)) {
            client.send("hello");
            assertNull(client.receive(), "the request is closed");
        }
        assertTrue(recorder.firstError.await(20, TimeUnit.SECONDS));
        return recorder.errors.getFirst().getMessage();
    }
}
