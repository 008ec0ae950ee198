package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.ManualClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reconnection with exponential back-off, driven by a manual clock. */
@Timeout(30)
class ReconnectingClientFactoryTest {

    private final ManualClock clock = new ManualClock();
    private final RecordingLogger log = new RecordingLogger();
    private final Reactor reactor = Reactor.start(Reactor.Options.defaults().withNanoTime(clock::nanoTime).withLogger(log)
            .withSlowCallbackThreshold(Duration.ofDays(1)));   // the test moves the clock during callbacks
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        reactor.close();
    }

    /** A Random whose jitter draw is always the middle: no jitter. */
    private static final class NoJitter extends Random {
        @Override
        public double nextDouble() {
            return 0.5;
        }
    }

    private ReconnectingClientFactory recordingFactory(ProtocolFactory protocols,
                                                       ReconnectingClientFactory.Backoff backoff, Random random) {
        return new ReconnectingClientFactory(protocols, backoff, random) {
            @Override
            public Protocol buildProtocol(SocketAddress peer) {
                events.add("connected");
                return super.buildProtocol(peer);
            }

            @Override
            public void connectionFailed(SocketAddress address, Throwable cause) {
                super.connectionFailed(address, cause);   // schedules the retry before the test moves the clock
                events.add(cause instanceof CancellationException ? "cancelled" : "failed");
            }

            @Override
            public void connectionLost(SocketAddress address, DisconnectReason reason) {
                super.connectionLost(address, reason);
                events.add("lost");
            }
        };
    }

    private void advance(Duration by) throws Exception {
        clock.advance(by);
        // A zero-delay timer scheduled now runs after every timer due at the new time.
        CompletableFuture<Void> pass = new CompletableFuture<>();
        reactor.callLater(Duration.ZERO, () -> pass.complete(null));
        pass.get(10, SECONDS);
    }

    private static int deadPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    @Test
    void retriesWithGrowingDelaysUpToTheMaximumThenGivesUp() throws Exception {
        var backoff = new ReconnectingClientFactory.Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(3), 0.1, 4);
        ReconnectingClientFactory factory = recordingFactory(peer -> new Recorder(), backoff, new NoJitter());
        factory.connectTcp(reactor, "127.0.0.1", deadPort());
        assertEquals("failed", events.poll(10, SECONDS));

        // delays 1 s, 2 s, 3 s (capped), 3 s; each retry fails again
        for (Duration delay : new Duration[] {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofSeconds(3)}) {
            advance(delay.minusMillis(1));
            assertNull(events.poll(), "no retry before " + delay);
            advance(Duration.ofMillis(1));
            assertEquals("failed", events.poll(10, SECONDS), "retried after " + delay);
        }
        advance(Duration.ofHours(1));
        assertNull(events.poll(), "gave up after 4 retries");
        assertTrue(log.await("giving up").contains("after 4 retries"));
    }

    @Test
    void jitterSpreadsTheDelayWithinItsFraction() throws Exception {
        Random lowest = new Random() {
            @Override
            public double nextDouble() {
                return 0;
            }
        };
        var backoff = new ReconnectingClientFactory.Backoff(Duration.ofSeconds(10), 2, Duration.ofMinutes(1), 0.2, -1);
        ReconnectingClientFactory factory = recordingFactory(peer -> new Recorder(), backoff, lowest);
        factory.connectTcp(reactor, "127.0.0.1", deadPort());
        assertEquals("failed", events.poll(10, SECONDS));
        advance(Duration.ofSeconds(8).minusMillis(1));
        assertNull(events.poll(), "10 s less 20 % is 8 s");
        advance(Duration.ofMillis(1));
        assertEquals("failed", events.poll(10, SECONDS));
        reactor.callFromThread(factory::stopTrying);
    }

    @Test
    void reconnectsAfterALossAndAConnectionResetsTheDelay() throws Exception {
        // The server closes every connection at once, so the client keeps losing it.
        ListeningPort port = reactor.listenTcp(0, peer -> new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                t.loseConnection();
            }
        }, "127.0.0.1");
        var backoff = new ReconnectingClientFactory.Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30), 0, -1);
        ReconnectingClientFactory factory = recordingFactory(peer -> new Recorder(), backoff, new NoJitter());
        factory.connectTcp(reactor, "127.0.0.1", port.port());
        for (int round = 0; round < 3; round++) {
            assertEquals("connected", events.poll(10, SECONDS));
            assertEquals("lost", events.poll(10, SECONDS));
            advance(Duration.ofMillis(999));
            assertNull(events.poll(), "the delay is back to the initial 1 s after each connection");
            advance(Duration.ofMillis(1));
        }
        assertEquals("connected", events.poll(10, SECONDS));
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        reactor.callFromThread(() -> {
            factory.stopTrying();
            stopped.complete(null);
        });
        stopped.get(10, SECONDS);
        assertEquals("lost", events.poll(10, SECONDS));
        advance(Duration.ofHours(1));
        assertNull(events.poll(), "no retry after stopTrying");
    }
}
