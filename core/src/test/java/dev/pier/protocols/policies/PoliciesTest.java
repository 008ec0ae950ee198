package dev.pier.protocols.policies;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.HalfCloseableProtocol;
import dev.pier.reactor.Producer;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.Transport;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PoliciesTest {

    private final ManualClock clock = new ManualClock();
    private final List<Recorder> built = new ArrayList<>();
    private final ProtocolFactory recorders = peer -> {
        Recorder recorder = new Recorder();
        built.add(recorder);
        return recorder;
    };

    /** The protocol most recently built by {@link #recorders}, as wrapped policies hide it. */
    private Recorder lastBuilt() {
        return built.getLast();
    }

    /** Records what it receives; gives tests its transport. */
    static class Recorder implements Protocol {
        final List<String> received = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            events.add("made");
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            received.add(US_ASCII.decode(data).toString());
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            events.add("lost");
        }
    }

    static final class HalfCloser extends Recorder implements HalfCloseableProtocol {
        @Override
        public void readConnectionLost() {
            events.add("read lost");
        }
    }

    private static InetSocketAddress peer(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    private FakeTransport connect(ProtocolFactory factory, SocketAddress peer) {
        Protocol protocol = factory.buildProtocol(peer);
        assertNotNull(protocol, "the connection was refused");
        return new FakeTransport(clock).setRemoteAddress(peer).makeConnection(protocol);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Nested
    class IdleTimeouts {
        private final ProtocolFactory factory = Policies.idleTimeout(recorders, Duration.ofSeconds(30));

        @Test
        void anIdleConnectionIsAbortedAfterTheTimeout() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            clock.advance(ms(29_999));
            assertFalse(transport.isDisconnecting());
            clock.advance(ms(1));
            assertTrue(transport.isAborted());
        }

        @Test
        void receivedDataPushesTheTimeoutBack() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            clock.advance(Duration.ofSeconds(20));
            transport.receive("still here");
            clock.advance(Duration.ofSeconds(29));
            assertFalse(transport.isDisconnecting());
            clock.advance(Duration.ofSeconds(1));
            assertTrue(transport.isAborted());
            assertEquals(List.of("still here"), lastBuilt().received);
        }

        @Test
        void writesCountAsActivity() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            Recorder protocol = lastBuilt();
            clock.advance(Duration.ofSeconds(25));
            protocol.transport.write("tick".getBytes(US_ASCII));
            clock.advance(Duration.ofSeconds(25));
            assertFalse(transport.isDisconnecting());
            assertEquals("tick", transport.writtenString());
        }

        @Test
        void aClosedConnectionLeavesNoTimer() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            transport.disconnect();
            assertEquals(List.of(), clock.pendingCalls());
            assertEquals(List.of("made", "lost"), lastBuilt().events);
        }

        @Test
        void halfCloseableProtocolsStayHalfCloseable() {
            ProtocolFactory halfClosing = Policies.idleTimeout(peer -> new HalfCloser(), Duration.ofSeconds(1));
            Protocol wrapped = halfClosing.buildProtocol(peer("127.0.0.1", 1));
            assertInstanceOf(HalfCloseableProtocol.class, wrapped);
            FakeTransport.connect(wrapped, clock);
            ((HalfCloseableProtocol) wrapped).readConnectionLost();
            assertEquals(List.of("made", "read lost"), ((HalfCloser) ((LayeredProtocol) wrapped).protocol()).events);
        }

        @Test
        void aProtocolThatCannotHalfCloseIsClosedWhenThePeerEndsItsStream() {
            Protocol wrapped = factory.buildProtocol(peer("127.0.0.1", 1));
            FakeTransport transport = FakeTransport.connect(wrapped, clock);
            ((HalfCloseableProtocol) wrapped).readConnectionLost();
            assertTrue(transport.isDisconnecting());
            assertFalse(transport.isAborted());
        }

        @Test
        void aRefusalByTheWrappedFactoryIsPassedOn() {
            assertNull(Policies.idleTimeout(peer -> null, Duration.ofSeconds(1)).buildProtocol(peer("127.0.0.1", 1)));
        }

        @Test
        void nonPositiveTimeoutsAreRejected() {
            assertThrows(IllegalArgumentException.class,
                    () -> Policies.idleTimeout(recorders, Duration.ZERO));
        }
    }

    @Test
    void idleTimeoutHelperFiresOnceAfterSilence() {
        List<Long> fired = new ArrayList<>();
        IdleTimeout idle = IdleTimeout.start(clock, Duration.ofSeconds(10), () -> fired.add(clock.elapsed().toSeconds()));
        clock.advance(Duration.ofSeconds(6));
        idle.touch();
        clock.advance(Duration.ofSeconds(6));
        idle.touch();
        clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of(22L), fired);
        assertFalse(idle.isActive());

        idle.setTimeout(Duration.ofSeconds(2));
        assertTrue(idle.isActive());
        idle.cancel();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of(22L), fired);
        assertEquals(Duration.ofSeconds(2), idle.timeout());
    }

    @Nested
    class ConnectionLimits {
        private final List<String> factoryEvents = new ArrayList<>();
        private final ProtocolFactory inner = new ProtocolFactory() {
            @Override
            public Protocol buildProtocol(SocketAddress peer) {
                return recorders.buildProtocol(peer);
            }

            @Override
            public void startFactory() {
                factoryEvents.add("start");
            }

            @Override
            public void stopFactory() {
                factoryEvents.add("stop");
            }
        };

        @Test
        void theTotalLimitRefusesUntilAConnectionEnds() {
            ProtocolFactory limited = Policies.limitConnections(inner, 2, Integer.MAX_VALUE);
            FakeTransport first = connect(limited, peer("127.0.0.1", 1));
            connect(limited, peer("127.0.0.2", 2));
            assertNull(limited.buildProtocol(peer("127.0.0.3", 3)));
            first.disconnect();
            first.disconnect();
            assertNotNull(limited.buildProtocol(peer("127.0.0.3", 3)));
            assertNull(limited.buildProtocol(peer("127.0.0.4", 4)), "a disconnect frees exactly one slot");
        }

        @Test
        void thePerPeerLimitCountsByAddressNotPort() {
            ProtocolFactory limited = Policies.limitConnections(inner, 100, 2);
            FakeTransport a = connect(limited, peer("127.0.0.1", 1000));
            connect(limited, peer("127.0.0.1", 1001));
            assertNull(limited.buildProtocol(peer("127.0.0.1", 1002)));
            assertNotNull(limited.buildProtocol(peer("127.0.0.2", 1000)));
            a.disconnect(new DisconnectReason.Lost(new RuntimeException("reset")));
            assertNotNull(limited.buildProtocol(peer("127.0.0.1", 1003)));
        }

        @Test
        void anOverflowReplyIsSentThenTheConnectionClosed() {
            ProtocolFactory limited = Policies.limitConnections(inner, 1, 1, "busy\r\n".getBytes(US_ASCII));
            connect(limited, peer("127.0.0.1", 1));
            FakeTransport refused = connect(limited, peer("127.0.0.2", 2));
            assertEquals("busy\r\n", refused.writtenString());
            assertTrue(refused.isDisconnecting());
            assertFalse(refused.isAborted(), "the reply must be sent before the close");
            refused.receive("ignored");
            refused.disconnect();
            assertEquals("busy\r\n", connect(limited, peer("127.0.0.3", 3)).writtenString(),
                    "a refused connection frees no slot");
            assertEquals(1, ((ConnectionLimiter) limited).openConnections());
        }

        @Test
        void aRefusalByTheWrappedFactoryTakesNoSlot() {
            ConnectionLimiter limited = (ConnectionLimiter) Policies.limitConnections(peer -> null, 1, 1);
            assertNull(limited.buildProtocol(peer("127.0.0.1", 1)));
            assertNull(limited.buildProtocol(peer("127.0.0.1", 1)));
            assertEquals(0, limited.openConnections());
        }

        @Test
        void factoryLifecycleIsPassedOn() {
            ProtocolFactory limited = Policies.limitConnections(inner, 1, 1);
            limited.startFactory();
            limited.stopFactory();
            assertEquals(List.of("start", "stop"), factoryEvents);
        }

        @Test
        void limitsBelowOneAreRejected() {
            assertThrows(IllegalArgumentException.class, () -> Policies.limitConnections(inner, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> Policies.limitConnections(inner, 1, 0));
        }
    }

    @Nested
    class ReadThrottling {
        private final ProtocolFactory factory = Policies.throttleReads(recorders, 100);

        @Test
        void readingPausesUntilTheBudgetIsPaid() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            transport.receive("12345");
            assertFalse(transport.isReadingPaused(), "50 ms worth is within the slack");
            transport.receive("x".repeat(300));
            assertTrue(transport.isReadingPaused());
            transport.receive("later");
            assertEquals(1, transport.pendingReceiveCount());
            clock.advance(ms(3049));
            assertTrue(transport.isReadingPaused());
            clock.advance(ms(1));
            assertEquals(0, transport.pendingReceiveCount(), "the waiting chunk is read once resumed");
        }

        @Test
        void aPauseByTheProtocolOutlastsTheThrottle() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            Recorder protocol = lastBuilt();
            transport.receive("x".repeat(100));
            assertTrue(transport.isReadingPaused());
            protocol.transport.pauseReading();
            clock.advance(Duration.ofSeconds(2));
            assertTrue(transport.isReadingPaused(), "the protocol still wants it paused");
            protocol.transport.resumeReading();
            assertFalse(transport.isReadingPaused());
        }

        @Test
        void aResumeByTheProtocolDoesNotBreakTheThrottle() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            Recorder protocol = lastBuilt();
            transport.receive("x".repeat(100));
            protocol.transport.resumeReading();
            assertTrue(transport.isReadingPaused());
            transport.disconnect();
            assertEquals(List.of(), clock.pendingCalls());
        }
    }

    @Nested
    class WriteThrottling {
        private final ProtocolFactory factory = Policies.throttleWrites(recorders, 100);

        @Test
        void writesAreReleasedAtTheRate() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            Transport throttled = lastBuilt().transport;
            throttled.write("abcdefghijklmnopqrstuvwxyz0123456789".getBytes(US_ASCII));
            assertEquals("abcdefghij", transport.writtenString());
            assertEquals(26, throttled.bufferedBytes());
            clock.advance(ms(100));
            assertEquals("abcdefghijklmnopqrst", transport.writtenString());
            clock.advance(ms(200));
            assertEquals(36, transport.written().length);
            assertEquals(0, throttled.bufferedBytes());
            clock.advance(Duration.ofSeconds(1));
            assertEquals(List.of(), clock.pendingCalls());
        }

        @Test
        void loseConnectionWaitsForTheQueueAndLaterWritesAreDropped() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            Transport throttled = lastBuilt().transport;
            throttled.write(new byte[25]);
            throttled.loseConnection();
            throttled.write(new byte[5]);
            assertFalse(transport.isDisconnecting());
            clock.advance(ms(200));
            assertTrue(transport.isDisconnecting());
            assertEquals(25, transport.written().length);
        }

        @Test
        void abortDropsTheQueue() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            Transport throttled = lastBuilt().transport;
            throttled.write(new byte[25]);
            throttled.abortConnection();
            assertTrue(transport.isAborted());
            assertEquals(List.of(), clock.pendingCalls());
            assertEquals(10, transport.written().length);
        }

        @Test
        void aStreamingProducerIsPausedWhileTheQueueHoldsBytes() {
            FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
            Transport throttled = lastBuilt().transport;
            List<String> calls = new ArrayList<>();
            throttled.registerProducer(new Producer() {
                @Override
                public void pauseProducing() {
                    calls.add("pause");
                }

                @Override
                public void resumeProducing() {
                    calls.add("resume");
                }

                @Override
                public void stopProducing() {
                    calls.add("stop");
                }
            }, true);
            throttled.write(new byte[15]);
            assertEquals(List.of("pause"), calls);
            clock.advance(ms(100));
            assertEquals(List.of("pause", "resume"), calls);
            transport.disconnect();
            assertEquals(List.of("pause", "resume", "stop"), calls);
        }
    }

    @Test
    void policiesCompose() {
        ProtocolFactory factory = Policies.limitConnections(
                Policies.idleTimeout(Policies.throttleWrites(recorders, 1000), Duration.ofSeconds(5)),
                1, 1);
        FakeTransport transport = connect(factory, peer("127.0.0.1", 1));
        assertNull(factory.buildProtocol(peer("127.0.0.2", 2)));
        clock.advance(Duration.ofSeconds(5));
        assertTrue(transport.isAborted());
        transport.disconnect();
        assertNotNull(factory.buildProtocol(peer("127.0.0.2", 2)));
    }
}
