package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Running out of file descriptors while a connection waits to be accepted: the port must stop asking to accept
 * (a pending connection would otherwise wake every select at once: a busy loop), retry on a timer, and accept the
 * connection once descriptors are free again. The test lowers this JVM's soft descriptor limit to just above what is
 * open and fills the rest with /dev/null handles for a fraction of a second; everything the loop and the test touch
 * meanwhile is loaded beforehand.
 */
@Timeout(60)
class DescriptorExhaustionTest {

    private static final Duration RETRY = Duration.ofMillis(20);

    @Test
    void acceptPausesWhileDescriptorsRunOutAndResumesWhenTheyAreFree() throws Exception {
        RecordingLogger log = new RecordingLogger();
        try (Reactor reactor = Reactor.start(ReactorOptions.defaults().withLogger(log).withAcceptRetryDelay(RETRY))) {
            ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
            warmUp(reactor, port);

            List<FileChannel> hogs = new ArrayList<>();
            SocketChannel client = SocketChannel.open();   // its descriptor is taken before the table fills
            try (SoftDescriptorLimit lowered = SoftDescriptorLimit.leaving(32)) {
                fillDescriptorTable(hogs);
                client.connect(port.address());             // the kernel completes it; accepting it needs a descriptor
                assertTrue(log.await("accepting a connection failed").contains("Too many open files"));

                long passesBefore = passes(reactor);
                CompletableFuture<Void> waited = new CompletableFuture<>();
                reactor.callLater(RETRY.multipliedBy(15), () -> waited.complete(null));
                waited.get(10, SECONDS);
                long passes = passes(reactor) - passesBefore;
                // About two passes per retry; a loop spinning on the pending connection makes many thousands.
                assertTrue(passes < 200, "the loop spun: " + passes + " passes in " + RETRY.multipliedBy(15).toMillis()
                        + " ms");
                assertEquals(1, log.count("accepting a connection failed"), "one warning per episode");
            } finally {
                for (FileChannel hog : hogs) {
                    hog.close();
                }
            }
            try (client) {
                assertTrue(log.await("accepting connections again").contains("port"));
                client.write(StreamTransportContract.ascii("back"));
                assertEquals("back", StreamTransportContract.readExactly(client, 4));
            }
        }
    }

    /** Loads every class the loop and this test use while the table is full: loading one needs a descriptor. */
    private static void warmUp(Reactor reactor, ListeningPort port) throws Exception {
        try (SocketChannel client = SocketChannel.open(port.address())) {
            client.write(StreamTransportContract.ascii("warm"));
            assertEquals("warm", StreamTransportContract.readExactly(client, 4));
        }
        CompletableFuture<Void> timer = new CompletableFuture<>();
        reactor.callLater(Duration.ZERO, () -> timer.complete(null));
        timer.get(10, SECONDS);
        passes(reactor);
        new RecordingLogger().count("");
        SoftDescriptorLimit.leaving(1_000).close();
        new AssertionError("preload").toString();
    }

    private static void fillDescriptorTable(List<FileChannel> hogs) {
        Path devNull = Path.of("/dev/null");
        while (true) {
            try {
                hogs.add(FileChannel.open(devNull));
            } catch (IOException full) {
                return;
            }
        }
    }

    private static long passes(Reactor reactor) throws Exception {
        CompletableFuture<Long> passes = new CompletableFuture<>();
        reactor.callFromThread(() -> passes.complete(reactor.loop().passes()));
        return passes.get(10, SECONDS);
    }
}
