package dev.pier.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.testing.FakeTransport;
import dev.pier.testing.MemoryReactor;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reconnection with exponential back-off, on a memory reactor: the test plays the network and moves the clock. */
@Timeout(10)
class ReconnectingClientFactoryTest {

    private final RecordingLogger log = new RecordingLogger();
    private final MemoryReactor reactor = new MemoryReactor(log);
    private final List<String> events = new ArrayList<>();

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
                super.connectionFailed(address, cause);
                events.add(cause instanceof CancellationException ? "cancelled" : "failed");
            }

            @Override
            public void connectionLost(SocketAddress address, DisconnectReason reason) {
                super.connectionLost(address, reason);
                events.add("lost");
            }
        };
    }

    /** Refuses the attempt in progress, as a port where nothing listens does. */
    private void refuseTheAttempt() {
        assertEquals(1, reactor.pendingConnects().size(), "one attempt in progress");
        reactor.pendingConnects().getFirst().fail(new ConnectException("Connection refused"));
    }

    /** The events since the last call. */
    private List<String> takeEvents() {
        List<String> taken = List.copyOf(events);
        events.clear();
        return taken;
    }

    @Test
    void retriesWithGrowingDelaysUpToTheMaximumThenGivesUp() throws Exception {
        var backoff = new ReconnectingClientFactory.Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(3), 0.1, 4);
        ReconnectingClientFactory factory = recordingFactory(peer -> new Recorder(), backoff, new NoJitter());
        factory.connectTcp(reactor, "127.0.0.1", 7);
        assertEquals(InetSocketAddress.createUnresolved("127.0.0.1", 7), reactor.connects().getFirst().target());
        refuseTheAttempt();
        assertEquals(List.of("failed"), takeEvents());

        // delays 1 s, 2 s, 3 s (capped), 3 s; each retry fails again
        for (Duration delay : new Duration[] {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofSeconds(3)}) {
            reactor.advance(delay.minusMillis(1));
            assertTrue(reactor.pendingConnects().isEmpty(), "no retry before " + delay);
            reactor.advance(Duration.ofMillis(1));
            refuseTheAttempt();
            assertEquals(List.of("failed"), takeEvents(), "retried after " + delay);
        }
        reactor.advance(Duration.ofHours(1));
        assertEquals(5, reactor.connects().size(), "gave up after 4 retries");
        assertTrue(log.await("giving up").contains("after 4 retries"));
    }

    @Test
    void jitterSpreadsTheDelayWithinItsFraction() {
        Random lowest = new Random() {
            @Override
            public double nextDouble() {
                return 0;
            }
        };
        var backoff = new ReconnectingClientFactory.Backoff(Duration.ofSeconds(10), 2, Duration.ofMinutes(1), 0.2, -1);
        ReconnectingClientFactory factory = recordingFactory(peer -> new Recorder(), backoff, lowest);
        factory.connectTcp(reactor, "127.0.0.1", 7);
        refuseTheAttempt();
        reactor.advance(Duration.ofSeconds(8).minusMillis(1));
        assertTrue(reactor.pendingConnects().isEmpty(), "10 s less 20 % is 8 s");
        reactor.advance(Duration.ofMillis(1));
        assertEquals(1, reactor.pendingConnects().size());
    }

    @Test
    void reconnectsAfterALossAndAConnectionResetsTheDelay() {
        var backoff = new ReconnectingClientFactory.Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30), 0, -1);
        ReconnectingClientFactory factory = recordingFactory(peer -> new Recorder(), backoff, new NoJitter());
        factory.connectTcp(reactor, "127.0.0.1", 7);
        for (int round = 0; round < 3; round++) {
            FakeTransport connection = reactor.pendingConnects().getFirst().succeed();
            connection.disconnect();   // the server closes every connection at once
            assertEquals(List.of("connected", "lost"), takeEvents());
            reactor.advance(Duration.ofMillis(999));
            assertTrue(reactor.pendingConnects().isEmpty(), "the delay is back to the initial 1 s after each "
                    + "connection");
            reactor.advance(Duration.ofMillis(1));
        }
        FakeTransport last = reactor.pendingConnects().getFirst().succeed();
        factory.stopTrying();
        last.disconnect();
        assertEquals(List.of("connected", "lost"), takeEvents());
        reactor.advance(Duration.ofHours(1));
        assertEquals(4, reactor.connects().size(), "no retry after stopTrying");
    }

    @Test
    void stopTryingCancelsTheAttemptInProgress() {
        ReconnectingClientFactory factory = recordingFactory(peer -> new Recorder(),
                ReconnectingClientFactory.Backoff.defaults(), new NoJitter());
        factory.connectTcp(reactor, "127.0.0.1", 7);
        factory.stopTrying();
        assertTrue(reactor.connects().getFirst().result().isCancelled());
        assertEquals(List.of("cancelled"), takeEvents());
        reactor.advance(Duration.ofHours(2));
        assertEquals(1, reactor.connects().size(), "no retry after stopTrying");
    }
}
