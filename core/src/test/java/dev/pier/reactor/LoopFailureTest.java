package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An error that leaves the loop unable to serve ends it loudly: run() throws, whenStopped() fails. */
@Timeout(30)
class LoopFailureTest {

    private final RecordingLogger log = new RecordingLogger();

    @Test
    void anOutOfMemoryErrorInATimerMakesRunThrowIt() {
        OutOfMemoryError error = new OutOfMemoryError("test: Java heap space");
        try (Reactor reactor = Reactor.create(ReactorOptions.defaults().withLogger(log))) {
            reactor.callLater(Duration.ZERO, () -> {
                throw error;
            });
            assertSame(error, assertThrows(OutOfMemoryError.class, reactor::run));
            assertSame(error, failureOf(reactor));
        }
    }

    @Test
    void aClassThatCannotBeLoadedStopsALoopRunningOnItsOwnThread() throws Exception {
        NoClassDefFoundError error = new NoClassDefFoundError("test: Too many open files");
        try (Reactor reactor = Reactor.start(ReactorOptions.defaults().withLogger(log))) {
            reactor.callFromThread(() -> {
                throw error;
            });
            assertSame(error, failureOf(reactor));
            assertTrue(!reactor.isRunning());
        }
    }

    @Test
    void anErrorFromAProtocolStopsTheLoopAndClosesItsConnections() throws Exception {
        Error error = new Error("test: broken protocol");
        try (Reactor reactor = Reactor.start(ReactorOptions.defaults().withLogger(log))) {
            ListeningPort port = reactor.listenTcp(0, peer -> new Echo() {
                @Override
                public void dataReceived(ByteBuffer data) {
                    throw error;
                }
            }, "127.0.0.1");
            try (SocketChannel client = SocketChannel.open(port.address())) {
                client.write(ByteBuffer.wrap(new byte[] {1}));
                assertSame(error, failureOf(reactor));
                assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the connection was closed");
            }
        }
    }

    @Test
    void aDeferredTaskThatRunsOutOfMemoryStopsTheLoopToo() throws Exception {
        OutOfMemoryError error = new OutOfMemoryError("test: in a worker");
        try (Reactor reactor = Reactor.start(ReactorOptions.defaults().withLogger(log))) {
            CompletableFuture<Object> result = reactor.deferToThread(() -> {
                throw error;
            });
            assertSame(error, failureOf(reactor));
            assertSame(error, assertThrows(ExecutionException.class, () -> result.get(10, SECONDS)).getCause());
        }
    }

    @Test
    void anExceptionFromACallbackIsLoggedAndTheLoopServesOn() throws Exception {
        try (Reactor reactor = Reactor.start(ReactorOptions.defaults().withLogger(log))) {
            reactor.callFromThread(() -> {
                throw new IllegalStateException("test: a protocol's bug");
            });
            assertTrue(log.await("failed").contains("a protocol's bug"));
            CompletableFuture<Void> next = new CompletableFuture<>();
            reactor.callFromThread(() -> next.complete(null));
            next.get(10, SECONDS);
            reactor.stop();
            reactor.whenStopped().toCompletableFuture().get(10, SECONDS);
        }
    }

    private static Throwable failureOf(Reactor reactor) {
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> reactor.whenStopped().toCompletableFuture().get(10, SECONDS));
        return failed.getCause();
    }
}
