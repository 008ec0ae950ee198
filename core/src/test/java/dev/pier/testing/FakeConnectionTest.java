package dev.pier.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.protocols.LineReceiver;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.HalfCloseableProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeConnectionTest {

    /** Replies to each line in upper case; "quit" closes. */
    static final class Upper extends LineReceiver {
        final List<String> events = new ArrayList<>();

        @Override
        protected void lineReceived(String line) {
            if (line.equals("quit")) {
                sendLine("bye");
                transport().loseConnection();
            } else {
                sendLine(line.toUpperCase(Locale.ROOT));
            }
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            events.add(reason.isClean() ? "closed" : "lost");
        }
    }

    /** Sends its lines on connect and records replies. */
    static class Client extends LineReceiver implements HalfCloseableProtocol {
        final List<String> events = new ArrayList<>();
        private final List<String> toSend;

        Client(String... lines) {
            toSend = List.of(lines);
        }

        @Override
        protected void connectionMade() {
            toSend.forEach(this::sendLine);
        }

        @Override
        protected void lineReceived(String line) {
            events.add(line);
        }

        @Override
        public void readConnectionLost() {
            events.add("eof");
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            events.add(reason.isClean() ? "closed" : "lost");
        }
    }

    @Test
    void bytesCrossOnlyWhenPumpedAndACloseReachesBothSides() {
        Upper server = new Upper();
        Client client = new Client("hello", "world", "quit");
        FakeConnection connection = FakeConnection.connect(server, client);
        assertEquals(List.of(), client.events);

        assertTrue(connection.pump());
        assertEquals(List.of("HELLO", "WORLD", "bye", "closed"), client.events);
        assertEquals(List.of("closed"), server.events);
        assertTrue(connection.isClosed());
        assertFalse(connection.pump());
    }

    @Test
    void anAbortIsALossOnBothSides() {
        Upper server = new Upper();
        Client client = new Client("hello");
        FakeConnection connection = FakeConnection.connect(server, client);
        client.transport().abortConnection();
        connection.pump();
        assertEquals(List.of("lost"), server.events);
        assertEquals(List.of("lost"), client.events);
    }

    @Test
    void aPausedReaderKeepsTheConnectionOpenUntilItReads() {
        Upper server = new Upper();
        Client client = new Client("quit");
        FakeConnection connection = FakeConnection.connect(server, client);
        client.transport().pauseReading();
        connection.pump();
        assertEquals(List.of(), client.events);
        assertFalse(connection.isClosed());
        client.transport().resumeReading();
        connection.pump();
        assertEquals(List.of("bye", "closed"), client.events);
    }

    @Test
    void shutdownOutputIsEndOfStreamForAHalfCloseablePeer() {
        Client server = new Client();
        Client client = new Client("one");
        FakeConnection connection = FakeConnection.connect(server, client);
        client.transport().shutdownOutput();
        connection.pump();
        assertEquals(List.of("one", "eof"), server.events);
        assertFalse(connection.isClosed());
        server.sendLine("reply");
        server.transport().loseConnection();
        connection.pump();
        assertEquals(List.of("reply", "closed"), client.events);
    }

    @Test
    void shutdownOutputClosesAPeerThatIsNotHalfCloseable() {
        Upper server = new Upper();
        Client client = new Client("one");
        FakeConnection connection = FakeConnection.connect(server, client);
        client.transport().shutdownOutput();
        connection.pump();
        assertEquals(List.of("ONE", "closed"), client.events);
        assertEquals(List.of("closed"), server.events);
    }

    @Test
    void bothSidesShareOneClockAndSeeEachOthersAddresses() {
        ManualClock clock = new ManualClock();
        FakeConnection connection = FakeConnection.connect(new Upper(), new Client(), clock);
        assertEquals(clock, connection.serverTransport().scheduler());
        assertEquals(clock, connection.clientTransport().scheduler());
        assertEquals(connection.serverTransport().localAddress(), connection.clientTransport().remoteAddress());
        assertEquals(connection.clientTransport().localAddress(), connection.serverTransport().remoteAddress());
    }
}
