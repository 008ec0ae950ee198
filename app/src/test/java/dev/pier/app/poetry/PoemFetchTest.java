package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.DisconnectReason;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PoemFetchTest {

    private final ManualClock clock = new ManualClock();
    private final List<String> progress = new ArrayList<>();
    private final PoemFetch fetch = new PoemFetch((bytes, total) -> progress.add(bytes + "/" + total), 64);

    private FakeTransport connect() {
        return FakeTransport.connect(fetch.buildProtocol(new InetSocketAddress("127.0.0.1", 10000)), clock);
    }

    @Test
    void readsThePoemToTheEndOfTheStreamReportingProgress() throws Exception {
        FakeTransport server = connect();
        server.receive("Sonnet - ".getBytes(StandardCharsets.UTF_8), "To Science\n".getBytes(StandardCharsets.UTF_8));
        assertFalse(fetch.poem().isDone());
        server.disconnect();

        assertEquals("Sonnet - To Science\n", new String(fetch.poem().get(), StandardCharsets.UTF_8));
        assertEquals(List.of("9/9", "11/20"), progress);
    }

    @Test
    void aConnectionLostMidPoemIsAFailureSayingHowMuchCame() {
        FakeTransport server = connect();
        server.receive("half a po");
        server.disconnect(new DisconnectReason.Lost(new IOException("Connection reset by peer")));

        String message = failure();
        assertEquals("connection lost after 9 bytes: Connection reset by peer", message);
    }

    @Test
    void aPoemOfTheSizeLimitIsWhole() throws Exception {
        FakeTransport server = connect();
        server.receive(new byte[60], new byte[4]);
        server.disconnect();
        assertEquals(64, fetch.poem().get().length);
    }

    @Test
    void aPoemOverTheSizeLimitFailsAndIsAbortedBeforeItIsKept() {
        FakeTransport server = connect();
        server.receive(new byte[60], new byte[5], new byte[1000]);

        assertEquals("the poem is larger than 64 bytes: raise --max-size to accept it", failure());
        assertTrue(server.isAborted());
        assertEquals(List.of("60/60"), progress, "nothing past the limit is taken");
    }

    @Test
    void aRefusedConnectionIsAFailure() {
        fetch.connectionFailed(new InetSocketAddress("127.0.0.1", 1), new ConnectException("Connection refused"));
        assertEquals("cannot connect: Connection refused", failure());
    }

    @Test
    void aTimeoutAbortsTheConnectionAndFails() {
        fetch.timeout(Duration.ofSeconds(2), clock);
        FakeTransport server = connect();
        server.receive("slow");
        clock.advance(Duration.ofMillis(1999));
        assertFalse(fetch.poem().isDone());
        clock.advance(Duration.ofMillis(1));

        assertEquals("timed out after 2 s with 4 bytes", failure());
        assertTrue(server.isAborted());
    }

    @Test
    void aPoemInTimeCancelsTheTimer() throws Exception {
        fetch.timeout(Duration.ofSeconds(2), clock);
        FakeTransport server = connect();
        server.receive("quick");
        server.disconnect();
        assertTrue(clock.pendingCalls().isEmpty());
        assertArrayEquals("quick".getBytes(StandardCharsets.UTF_8), fetch.poem().get());
    }

    @Test
    void cancellingBeforeTheConnectionIsMadeStopsTheAttempt() {
        List<String> stopped = new ArrayList<>();
        fetch.onAbandon(() -> stopped.add("stopped"));
        fetch.poem().cancel(false);
        assertEquals(List.of("stopped"), stopped);
    }

    @Test
    void cancellingWhileConnectedAbortsTheConnection() {
        FakeTransport server = connect();
        fetch.poem().cancel(false);
        assertTrue(server.isAborted());
    }

    private String failure() {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> fetch.poem().get());
        return PoemFetch.describe(failed.getCause());
    }
}
