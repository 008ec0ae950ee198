package dev.pier.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.layer.LayeredProtocol;
import dev.pier.metrics.ServerStatistics;
import dev.pier.protocols.policies.Policies;
import dev.pier.testing.ManualClock;
import dev.pier.tls.KeyMaterial;
import dev.pier.tls.TestPki;
import dev.pier.tls.TlsServer;
import dev.pier.tls.TlsServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a listening port counts, read from another thread as a metrics endpoint does; and the loop's lag. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PortStatisticsTest {

    /** What the loops log, expected failures among it, is kept from the test's output. */
    private final RecordingLogger log = new RecordingLogger();
    private final Reactor reactor = Reactor.start(ReactorOptions.defaults().withLogger(log));

    @AfterEach
    void stop() {
        reactor.close();
    }

    @Test
    void countsEveryConnectionAndTheBytesBothWays() throws Exception {
        ListeningPort port = reactor.listenTcp(0, peer -> new Echo(), "127.0.0.1");
        byte[] payload = "hello, counters\n".getBytes(US_ASCII);
        for (int i = 0; i < 3; i++) {
            try (var socket = new Socket("127.0.0.1", port.port())) {
                socket.getOutputStream().write(payload);
                assertArrayEquals(payload, socket.getInputStream().readNBytes(payload.length));
            }
        }
        ServerStatistics seen = awaitStatistics(port, s -> s.bytesSent() == 3L * payload.length);
        assertEquals(new ServerStatistics(3, 0, 3L * payload.length, 3L * payload.length, 0), seen);
    }

    @Test
    void aGroupCountsWhatEachOfItsLoopsServed(@TempDir Path dir) throws Exception {
        try (ReactorGroup group = ReactorGroup.start(2, ReactorOptions.defaults())) {
            ListeningPort port = group.listenUnix(dir.resolve("echo.sock"), peer -> new Echo());
            for (int i = 0; i < 4; i++) {
                try (var channel = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("echo.sock")))) {
                    channel.write(ByteBuffer.wrap(new byte[] {'x'}));
                    channel.read(ByteBuffer.allocate(1));
                }
            }
            assertEquals(new ServerStatistics(4, 0, 4, 4, 0), awaitStatistics(port, s -> s.bytesSent() == 4));
        }
    }

    @Test
    void aConnectionOverTheLimitIsAcceptedThenRefused() throws Exception {
        ListeningPort port = reactor.listenTcp(0, Policies.limitConnections(peer -> new Echo(), 1, 1), "127.0.0.1");
        try (var first = new Socket("127.0.0.1", port.port())) {
            first.getOutputStream().write('x');
            assertEquals('x', first.getInputStream().read(), "the first one is served");
            try (var second = new Socket("127.0.0.1", port.port())) {
                assertEquals(-1, second.getInputStream().read(), "the second one is closed at once");
            }
            assertEquals(new ServerStatistics(2, 1, 1, 1, 0), awaitStatistics(port, s -> s.refused() == 1));
        }
    }

    @Test
    void aProtocolThatThrowsIsAnError() throws Exception {
        ListeningPort port = reactor.listenTcp(0, peer -> new AbstractProtocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw new IllegalStateException("a bug in the protocol (expected by the test)");
            }
        }, "127.0.0.1");
        try (var socket = new Socket("127.0.0.1", port.port())) {
            socket.getOutputStream().write('x');
            assertThrows(IOException.class, () -> readUntilClosed(socket.getInputStream()), "reset");
        }
        ServerStatistics seen = awaitStatistics(port, s -> s.errors() == 1);
        assertEquals(new ServerStatistics(1, 0, 1, 0, 1), seen);
    }

    @Test
    void aFailedTlsHandshakeIsARefusalAndTheServerCountsBothOutcomes(@TempDir Path dir) throws Exception {
        TestPki.assumeOpenssl();
        TestPki pki = new TestPki(dir);
        TestPki.Ca ca = pki.ca("statistics");
        TestPki.Leaf leaf = pki.leaf(ca, "localhost", "ec", "DNS:localhost,IP:127.0.0.1");
        TlsServer tls = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(leaf.key(), leaf.cert())));
        ListeningPort port = reactor.listenTcp(0, LayeredProtocol.wrap(peer -> new Echo(), List.of(tls)),
                "127.0.0.1");

        try (var socket = (SSLSocket) TestPki.trusting(ca.cert()).getSocketFactory()
                .createSocket("localhost", port.port())) {
            socket.startHandshake();
            socket.getOutputStream().write("ok\n".getBytes(US_ASCII));
            assertArrayEquals("ok\n".getBytes(US_ASCII), socket.getInputStream().readNBytes(3));
        }
        try (var plain = new Socket("127.0.0.1", port.port())) {
            plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
            readUntilClosedQuietly(plain.getInputStream());
        }

        ServerStatistics seen = awaitStatistics(port, s -> s.refused() == 1);
        assertEquals(2, seen.accepted());
        assertEquals(0, seen.errors(), "a refusal is not an error");
        assertTrue(seen.bytesReceived() > 3 && seen.bytesSent() > 3, "the TLS records count: " + seen);
        assertEquals(1, tls.completedHandshakes());
        assertEquals(1, tls.failedHandshakes());
    }

    @Test
    void theLoopLagIsHowLateACallForNowRan() throws Exception {
        ManualClock clock = new ManualClock();
        try (Reactor manual = Reactor.start(ReactorOptions.defaults().withNanoTime(clock::nanoTime).withLogger(log))) {
            // On the loop, in one pass: the first probe is scheduled, then a task holds the loop for two seconds of
            // its clock; the probe runs after it.
            CompletableFuture<Duration> first = new CompletableFuture<>();
            manual.callFromThread(() -> {
                first.complete(manual.loopLag());
                manual.callFromThread(() -> clock.advance(Duration.ofSeconds(2)));
            });
            assertEquals(Duration.ZERO, first.get(), "nothing measured yet");
            assertEquals(Duration.ofSeconds(2), await(manual::loopLag, lag -> !lag.isZero()));
        }
    }

    @Test
    void aProbeStillWaitingCountsAsLongAsItWaited() throws Exception {
        ManualClock clock = new ManualClock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Reactor manual = Reactor.start(ReactorOptions.defaults().withNanoTime(clock::nanoTime).withLogger(log))) {
            manual.callFromThread(() -> {
                manual.loopLag();
                manual.callFromThread(() -> {
                    held.countDown();
                    awaitQuietly(release);   // a callback that blocks the loop
                });
            });
            held.await();
            clock.advance(Duration.ofSeconds(5));
            assertEquals(Duration.ofSeconds(5), manual.loopLag(), "held for as long as the clock moved");
            release.countDown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The port's statistics once {@code done}, polled: the loop counts on its own thread. */
    private static ServerStatistics awaitStatistics(ListeningPort port, Predicate<ServerStatistics> done)
            throws InterruptedException {
        return await(port::statistics, done);
    }

    private static <T> T await(Supplier<T> value, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        T seen = value.get();
        while (!done.test(seen) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
            seen = value.get();
        }
        return seen;
    }

    private static void readUntilClosed(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // what the server sent before it closed
        }
    }

    private static void readUntilClosedQuietly(InputStream in) {
        try {
            readUntilClosed(in);
        } catch (IOException reset) {
            // the alert, then the close: either way it ends
        }
    }
}
