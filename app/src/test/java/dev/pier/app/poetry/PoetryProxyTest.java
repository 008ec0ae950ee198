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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PoetryProxyTest {

    private static final byte[] POEM = "Hast thou not dragged Diana from her car?\n".getBytes(StandardCharsets.UTF_8);

    private final List<CompletableFuture<byte[]>> upstreamFetches = new ArrayList<>();
    private final PoetryProxy proxy = new PoetryProxy(() -> {
        CompletableFuture<byte[]> fetch = new CompletableFuture<>();
        upstreamFetches.add(fetch);
        return fetch;
    });

    private FakeTransport connect() {
        return FakeTransport.connect(proxy.buildProtocol(null));
    }

    @Test
    void manyClientsAtOnceShareOneUpstreamFetch() {
        List<FakeTransport> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(connect());
        }
        assertEquals(1, upstreamFetches.size());
        clients.forEach(client -> assertEquals(0, client.written().length));

        upstreamFetches.getFirst().complete(POEM);

        for (FakeTransport client : clients) {
            assertArrayEquals(POEM, client.written());
            assertTrue(client.isDisconnecting());
        }
    }

    @Test
    void laterClientsGetTheCachedPoemWithoutAFetch() {
        connect();
        upstreamFetches.getFirst().complete(POEM);
        FakeTransport later = connect();

        assertArrayEquals(POEM, later.written());
        assertTrue(later.isDisconnecting());
        assertEquals(1, proxy.fetches());
    }

    @Test
    void theFetchIsCancelledWhenTheOnlyWaitingClientLeaves() {
        FakeTransport client = connect();
        client.disconnect(new DisconnectReason.Lost(new IOException("Connection reset by peer")));

        assertTrue(upstreamFetches.getFirst().isCancelled());
        assertFalse(proxy.hasPoem());

        FakeTransport next = connect();
        assertEquals(2, upstreamFetches.size(), "a new client starts a new fetch");
        upstreamFetches.get(1).complete(POEM);
        assertArrayEquals(POEM, next.written());
    }

    @Test
    void theFetchGoesOnWhileAnotherClientStillWaits() {
        FakeTransport leaving = connect();
        FakeTransport staying = connect();
        leaving.disconnect();

        assertFalse(upstreamFetches.getFirst().isCancelled());
        upstreamFetches.getFirst().complete(POEM);
        assertArrayEquals(POEM, staying.written());
        assertEquals(0, leaving.written().length);
    }

    @Test
    void aFailedFetchIsNotCachedAndItsClientsAreReset() {
        FakeTransport client = connect();
        upstreamFetches.getFirst().completeExceptionally(new IOException("Connection refused"));

        assertTrue(client.isAborted(), "a reset: no client may take the nothing it got for a poem");
        assertEquals(0, client.written().length);
        assertFalse(proxy.hasPoem());

        connect();
        assertEquals(2, upstreamFetches.size());
    }

    @Test
    void anEmptyPoemFromUpstreamIsAFailureNotCached() {
        FakeTransport first = connect();
        FakeTransport second = connect();
        upstreamFetches.getFirst().complete(new byte[0]);

        assertTrue(first.isAborted());
        assertTrue(second.isAborted());
        assertFalse(proxy.hasPoem());

        FakeTransport later = connect();
        assertEquals(2, upstreamFetches.size(), "the next client fetches again");
        upstreamFetches.get(1).complete(POEM);
        assertArrayEquals(POEM, later.written());
        assertFalse(later.isAborted());
        assertTrue(proxy.hasPoem());
    }

    @Test
    void aClientStillWaitingWhenTheGraceEndsIsReset() {
        ManualClock clock = new ManualClock();
        PoetryProxy stopping = proxyWithGrace(Duration.ofSeconds(5));
        FakeTransport waiting = FakeTransport.connect(stopping.buildProtocol(null), clock);

        stopping.stopFactory();
        clock.advance(Duration.ofMillis(4999));
        assertFalse(waiting.isDisconnecting(), "the fetch may still come during the grace period");
        clock.advance(Duration.ofMillis(1));

        assertTrue(waiting.isAborted(), "a reset: an orderly close would pass for an empty poem");
    }

    @Test
    void aClientStillBeingSentThePoemWhenTheGraceEndsIsReset() {
        ManualClock clock = new ManualClock();
        PoetryProxy stopping = proxyWithGrace(Duration.ofSeconds(5));
        FakeTransport slowReader = new FakeTransport(clock).setAutoFlush(false);
        slowReader.makeConnection(stopping.buildProtocol(null));
        upstreamFetches.getFirst().complete(new byte[1 << 20]);
        FakeTransport served = FakeTransport.connect(stopping.buildProtocol(null), clock);
        served.disconnect();

        stopping.stopFactory();
        clock.advance(Duration.ofSeconds(5));

        assertTrue(slowReader.isAborted(), "cut short: a reset, never an orderly close");
        assertTrue(slowReader.written().length < 1 << 20);
        assertFalse(served.isAborted(), "a client that got all of it and left is left alone");
    }

    private PoetryProxy proxyWithGrace(Duration grace) {
        return new PoetryProxy(() -> {
            CompletableFuture<byte[]> fetch = new CompletableFuture<>();
            upstreamFetches.add(fetch);
            return fetch;
        }, grace);
    }
}
