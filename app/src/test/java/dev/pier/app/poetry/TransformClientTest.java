package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.DisconnectReason;
import dev.pier.testing.FakeTransport;
import dev.pier.testing.ManualClock;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class TransformClientTest {

    private final TransformClient request =
            new TransformClient("cummingsify", "HERE IS MY POEM".getBytes(StandardCharsets.UTF_8));

    @Test
    void sendsOneNetstringRequestAndCompletesWithTheReply() throws Exception {
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null));
        assertEquals("27:cummingsify.HERE IS MY POEM,", server.writtenString());

        server.receive("15:here is my", " poem,");

        assertEquals("here is my poem", new String(request.result().get(), StandardCharsets.UTF_8));
        assertTrue(server.isDisconnecting());
    }

    @Test
    void aCloseWithoutAReplyIsAFailure() {
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null));
        server.disconnect(DisconnectReason.DONE);
        assertTrue(failure().startsWith("the transform server closed without a reply"), failure());
    }

    @Test
    void aMalformedReplyIsAFailure() {
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null));
        server.receive("15x");
        assertTrue(failure().startsWith("malformed reply: "), failure());
    }

    @Test
    void anUnreachableServerIsAFailure() {
        request.connectionFailed(null, new ConnectException("Connection refused"));
        assertEquals("cannot connect: Connection refused", failure());
    }

    @Test
    void aServerThatNeverRepliesIsGivenUpAtTheTimeout() {
        ManualClock clock = new ManualClock();
        request.timeout(Duration.ofSeconds(1), clock);
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null), clock);
        clock.advance(Duration.ofMillis(999));
        assertFalse(request.result().isDone());

        clock.advance(Duration.ofMillis(1));

        assertEquals("no reply from the transform server in time", failure());
        assertTrue(PoemFetch.isTimeout(
                assertThrows(ExecutionException.class, () -> request.result().get()).getCause()));
        assertTrue(server.isAborted());
    }

    @Test
    void aTimeoutBeforeTheConnectionIsMadeStopsTheAttempt() {
        ManualClock clock = new ManualClock();
        List<String> stopped = new ArrayList<>();
        request.onAbandon(() -> stopped.add("stopped"));
        request.timeout(Duration.ofSeconds(1), clock);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of("stopped"), stopped);
    }

    @Test
    void aReplyInTimeCancelsTheTimer() throws Exception {
        ManualClock clock = new ManualClock();
        request.timeout(Duration.ofSeconds(1), clock);
        FakeTransport server = FakeTransport.connect(request.buildProtocol(null), clock);
        server.receive("2:ok,");
        assertEquals("ok", new String(request.result().get(), StandardCharsets.UTF_8));
        assertTrue(clock.pendingCalls().isEmpty());
    }

    @Test
    void aPoemTooLongForATransformServerIsNotSent() {
        TransformClient tooLong = new TransformClient("cummingsify", new byte[100_000]);
        FakeTransport server = FakeTransport.connect(tooLong.buildProtocol(null));

        assertEquals(0, server.written().length);
        assertTrue(server.isAborted());
        Throwable failed = assertThrows(ExecutionException.class, () -> tooLong.result().get()).getCause();
        assertTrue(PoemFetch.describe(failed).startsWith("the poem is too long to transform"),
                PoemFetch.describe(failed));
    }

    private String failure() {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> request.result().get());
        return PoemFetch.describe(failed.getCause());
    }
}
