package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.DisconnectReason;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PoetryServerTest {

    private static final Poem ECSTASY = Poem.bundled("ecstasy.txt");
    private static final Duration TICK = Duration.ofMillis(700);

    private final ManualClock clock = new ManualClock();
    private final LogCapture log = new LogCapture(PoetryServer.class);

    @AfterEach
    void stopCapturing() {
        log.close();
    }

    private FakeTransport connect(PoetryServer server) {
        return FakeTransport.connect(server.buildProtocol(null), clock);
    }

    @Test
    void fastServerWritesTheWholePoemAndClosesWhenDrained() {
        PoetryServer server = new PoetryServer(ECSTASY, Pace.FAST);
        FakeTransport client = connect(server);

        assertArrayEquals(ECSTASY.text(), client.written());
        assertTrue(client.isDisconnecting());
        assertFalse(client.isAborted());
        assertEquals(1, server.clientsInFlight());

        client.disconnect();
        assertEquals(0, server.clientsInFlight());
        assertEquals(1, log.messages().size());
        assertTrue(log.messages().getFirst().startsWith("served 3003 bytes to "), log.messages().toString());
    }

    @Test
    void whatTheClientSaysIsIgnored() {
        FakeTransport client = new FakeTransport(clock).setAutoFlush(false);
        client.makeConnection(new PoetryServer(ECSTASY, Pace.slow(10, TICK)).buildProtocol(null));
        client.receive("GET / HTTP/1.0\r\n\r\n");
        assertEquals("The Ecstas", client.writtenString());
    }

    @Test
    void fastServerSendsABigPoemAtTheReadersPace() {
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'x');
        FakeTransport client = new FakeTransport(clock).setAutoFlush(false);
        client.makeConnection(new PoetryServer(new Poem("big.txt", big), Pace.FAST).buildProtocol(null));

        assertTrue(client.written().length < 128 * 1024, "wrote " + client.written().length + " before any was sent");
        assertFalse(client.isDisconnecting());
        int flushes = 0;
        while (!client.isDisconnecting()) {
            client.flush();
            flushes++;
        }
        assertArrayEquals(big, client.written());
        assertTrue(flushes > 8, "a 1 MiB poem should take many buffer-fulls, took " + flushes);
    }

    @Test
    void slowServerSendsNumBytesEveryDelay() {
        PoetryServer server = new PoetryServer(ECSTASY, Pace.slow(10, TICK));
        FakeTransport client = connect(server);
        assertEquals("The Ecstas", client.writtenString());

        clock.advance(TICK.minusMillis(1));
        assertEquals(10, client.written().length);
        clock.advance(Duration.ofMillis(1));
        assertEquals(20, client.written().length);
        clock.advance(TICK.multipliedBy(2));
        assertEquals(40, client.written().length);
        assertFalse(client.isDisconnecting());

        clock.advance(TICK.multipliedBy(300)); // 3003 bytes: 301 chunks, the last one 3 bytes
        assertArrayEquals(ECSTASY.text(), client.written());
        assertTrue(client.isDisconnecting());
        assertTrue(clock.pendingCalls().isEmpty(), "no timer may outlive the poem: " + clock.pendingCalls());
    }

    @Test
    void slowServerClientsEachGetTheirOwnTimer() {
        PoetryServer server = new PoetryServer(new Poem("short.txt", "abcdefghij".getBytes(StandardCharsets.UTF_8)),
                Pace.slow(4, TICK));
        FakeTransport first = connect(server);
        clock.advance(TICK);
        FakeTransport second = connect(server);
        assertEquals("abcdefgh", first.writtenString());
        assertEquals("abcd", second.writtenString());
        clock.advance(TICK);
        assertEquals("abcdefghij", first.writtenString());
        assertTrue(first.isDisconnecting());
        assertEquals("abcdefgh", second.writtenString());
        assertEquals(1, clock.pendingCalls().size());
    }

    @Test
    void clientLeavingEarlyStopsItsTimerAtOnceAndIsLogged() {
        PoetryServer server = new PoetryServer(ECSTASY, Pace.slow(10, TICK));
        FakeTransport client = connect(server);
        clock.advance(TICK.multipliedBy(3));
        assertEquals(1, clock.pendingCalls().size());

        client.disconnect(new DisconnectReason.Lost(new IOException("Connection reset by peer")));

        assertTrue(clock.pendingCalls().isEmpty(), "the timer must stop with the connection");
        assertEquals(0, server.clientsInFlight());
        String line = log.messages().getFirst();
        assertTrue(line.contains("left early after 40 of 3003 bytes"), line);
        assertTrue(line.contains("Connection reset by peer"), line);
    }

    @Test
    void slowChunksLargerThanTheSendBufferGoOutAtTheReadersPace() {
        byte[] big = new byte[3 << 20];
        new java.util.Random(7).nextBytes(big);
        FakeTransport client = new FakeTransport(clock).setAutoFlush(false);
        client.makeConnection(new PoetryServer(new Poem("big.txt", big), Pace.slow(2 << 20, TICK))
                .buildProtocol(null));

        assertTrue(client.bufferedBytes() < 128 * 1024, "queued " + client.bufferedBytes() + " in one go");
        while (client.written().length < 2 << 20) {
            assertTrue(clock.pendingCalls().isEmpty(), "the next chunk waits for this one to be taken");
            client.flush();
        }
        assertEquals(2 << 20, client.written().length);
        client.flush();
        assertEquals(2 << 20, client.written().length, "nothing of the next chunk before its tick");

        clock.advance(TICK);
        while (!client.isDisconnecting()) {
            client.flush();
        }
        assertArrayEquals(big, client.written());
        assertFalse(client.isAborted());
    }

    @Test
    void aPoemStillInFlightWhenTheGraceEndsIsReset() {
        PoetryServer server = new PoetryServer(ECSTASY, Pace.slow(10, TICK), Duration.ofSeconds(2));
        FakeTransport client = connect(server);
        FakeTransport otherServers = connect(new PoetryServer(ECSTASY, Pace.slow(10, TICK), Duration.ofSeconds(2)));
        server.stopFactory();

        clock.advance(Duration.ofMillis(1999));
        assertFalse(client.isDisconnecting(), "the poem goes on during the grace period");
        clock.advance(Duration.ofMillis(1));

        assertTrue(client.isAborted(), "cut short: a reset, never an orderly close");
        assertEquals(30, client.written().length);
        client.disconnect(new DisconnectReason.Lost(new IOException("connection aborted")));
        assertTrue(log.messages().getFirst().contains("stopped sending to"), log.messages().toString());
        assertTrue(log.messages().getFirst().contains("the grace period of the stop is over"),
                log.messages().toString());
        assertFalse(otherServers.isDisconnecting(), "only the poems of the server that stopped are cut");
    }

    @Test
    void aServerWithNothingInFlightHasNothingToCutWhenItStops() {
        PoetryServer server = new PoetryServer(ECSTASY, Pace.FAST, Duration.ofSeconds(2));
        connect(server).disconnect();
        server.stopFactory();
        assertTrue(clock.pendingCalls().isEmpty());
    }

    @Test
    void emptyPoemIsServedAsAnImmediateClose() {
        FakeTransport client = connect(new PoetryServer(new Poem("empty.txt", new byte[0]), Pace.slow(10, TICK)));
        assertEquals(0, client.written().length);
        assertTrue(client.isDisconnecting());
        assertTrue(clock.pendingCalls().isEmpty());
    }
}
