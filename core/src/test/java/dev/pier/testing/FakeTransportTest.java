package dev.pier.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.Producer;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Transport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeTransportTest {

    /** Records every callback; echoes what it receives. */
    static final class Recorder implements Protocol {
        final List<String> events = new ArrayList<>();
        final List<ByteBuffer> kept = new ArrayList<>();
        Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            events.add("made");
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            kept.add(data);
            events.add("data " + US_ASCII.decode(data.duplicate()));
            transport.write(data);
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            events.add("lost " + reason.isClean());
        }
    }

    static final class CountingProducer implements Producer {
        int pauses;
        int resumes;
        int stops;

        @Override
        public void pauseProducing() {
            pauses++;
        }

        @Override
        public void resumeProducing() {
            resumes++;
        }

        @Override
        public void stopProducing() {
            stops++;
        }
    }

    @Test
    void drivesTheProtocolAndRecordsWrites() {
        Recorder protocol = new Recorder();
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("ab".getBytes(US_ASCII), "c".getBytes(US_ASCII));
        transport.disconnect();

        assertEquals(List.of("made", "data ab", "data c", "lost true"), protocol.events);
        assertEquals("abc", transport.writtenString(US_ASCII));
        assertArrayEquals("abc".getBytes(US_ASCII), transport.written());
        assertSame(protocol, transport.protocol());
        assertTrue(transport.isConnectionLost());
        transport.clear();
        assertEquals("", transport.writtenString());
    }

    @Test
    void receivedBuffersAreOverwrittenAfterTheCallback() {
        Recorder protocol = new Recorder();
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.receive("secret");
        ByteBuffer kept = protocol.kept.getFirst();
        kept.rewind();
        assertFalse("secret".equals(US_ASCII.decode(kept).toString()), "a kept buffer must not stay valid");
    }

    @Test
    void recordsClosesAndDropsWritesAfterLoseConnection() {
        FakeTransport transport = FakeTransport.connect(new Recorder());
        transport.write("a".getBytes(US_ASCII));
        transport.loseConnection();
        transport.write("b".getBytes(US_ASCII));
        assertTrue(transport.isDisconnecting());
        assertFalse(transport.isAborted());
        assertEquals("a", transport.writtenString());
        transport.abortConnection();
        assertTrue(transport.isAborted());
    }

    @Test
    void pausedReadingHoldsChunksUntilResumed() {
        Recorder protocol = new Recorder();
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.pauseReading();
        transport.receive("x", "y");
        assertEquals(List.of("made"), protocol.events);
        assertEquals(2, transport.pendingReceiveCount());
        transport.resumeReading();
        assertEquals(List.of("made", "data x", "data y"), protocol.events);
    }

    @Test
    void afterDisconnectNothingCanBeReceivedAndDisconnectIsOnce() {
        Recorder protocol = new Recorder();
        FakeTransport transport = FakeTransport.connect(protocol);
        transport.disconnect(new DisconnectReason.Lost(new RuntimeException("reset")));
        transport.disconnect();
        assertEquals(List.of("made", "lost false"), protocol.events);
        assertThrows(IllegalStateException.class, () -> transport.receive("late"));
    }

    @Test
    void streamingProducerIsPausedOverTheHighWaterMarkAndResumedOnFlush() {
        FakeTransport transport = FakeTransport.connect(new Recorder()).setAutoFlush(false).setWaterMarks(4, 8);
        CountingProducer producer = new CountingProducer();
        transport.registerProducer(producer, true);
        transport.write(new byte[8]);
        assertEquals(0, producer.pauses);
        transport.write(new byte[1]);
        assertEquals(1, producer.pauses);
        assertEquals(9, transport.bufferedBytes());
        transport.flush();
        assertEquals(0, transport.bufferedBytes());
        assertEquals(1, producer.resumes);
        transport.disconnect();
        assertEquals(1, producer.stops);
        assertNull(transport.producer());
    }

    @Test
    void pullProducerIsAskedOnRegistrationAndEachFlush() {
        FakeTransport transport = FakeTransport.connect(new Recorder());
        CountingProducer producer = new CountingProducer();
        transport.registerProducer(producer, false);
        assertEquals(1, producer.resumes);
        transport.flush();
        assertEquals(2, producer.resumes);
        assertThrows(IllegalStateException.class, () -> transport.registerProducer(new CountingProducer(), true));
        transport.unregisterProducer();
        transport.flush();
        assertEquals(2, producer.resumes);
    }

    @Test
    void addressesAndSchedulerAreConfigurable() {
        ManualClock clock = new ManualClock();
        InetSocketAddress peer = new InetSocketAddress("127.0.0.2", 4000);
        FakeTransport transport = new FakeTransport(clock).setRemoteAddress(peer);
        assertSame(peer, transport.remoteAddress());
        assertSame(clock, transport.scheduler());
        assertSame(clock, transport.clock());
        transport.setNoDelay(true);
        assertTrue(transport.noDelay());
    }

    @Test
    void datagramTransportRecordsSentDatagrams() {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9999);
        List<String> events = new ArrayList<>();
        FakeDatagramTransport port = FakeDatagramTransport.start(new dev.pier.reactor.DatagramProtocol() {
            dev.pier.reactor.DatagramTransport transport;

            @Override
            public void startProtocol(dev.pier.reactor.DatagramTransport transport) {
                this.transport = transport;
            }

            @Override
            public void datagramReceived(ByteBuffer data, java.net.SocketAddress sender) {
                transport.write(data, sender);
            }

            @Override
            public void stopProtocol() {
                events.add("stopped");
            }
        });
        port.receive("ping".getBytes(US_ASCII), peer);
        assertEquals(List.of(new FakeDatagramTransport.Datagram("ping".getBytes(US_ASCII), peer)), port.sent());
        port.stop();
        port.stop();
        assertEquals(List.of("stopped"), events);
    }
}
