package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real sockets on loopback: many clients at once, big poems, clients that leave early. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoetryServerLoadTest {

    private static final Poem ECSTASY = Poem.bundled("ecstasy.txt");

    private final Reactor server = Reactor.start();
    private final Reactor clients = Reactor.start();
    private final LogCapture log = new LogCapture(PoetryServer.class);

    @AfterEach
    void stop() {
        log.close();
        clients.close();
        server.close();
    }

    private int listen(Poem poem, Pace pace) {
        ListeningPort port = server.listenTcp(0, new PoetryServer(poem, pace), "127.0.0.1");
        return port.port();
    }

    /** Fetches from {@code port} {@code count} times at once on the client reactor. */
    private List<CompletableFuture<byte[]>> fetchAll(int port, int count) {
        List<CompletableFuture<byte[]>> poems = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<byte[]> poem = new CompletableFuture<>();
            poems.add(poem);
            clients.callFromThread(() -> {
                PoemFetch fetch = new PoemFetch(PoemFetch.Progress.NONE, PoemFetch.DEFAULT_MAX_SIZE);
                CompletableFuture<Protocol> connecting = clients.connectTcp("127.0.0.1", port, fetch);
                fetch.onAbandon(() -> connecting.cancel(false));
                fetch.poem().whenComplete((bytes, failure) -> {
                    if (failure != null) {
                        poem.completeExceptionally(failure);
                    } else {
                        poem.complete(bytes);
                    }
                });
            });
        }
        return poems;
    }

    @Test
    void aThousandConcurrentClientsOfTheFastServerAllGetThePoem() {
        int port = listen(ECSTASY, Pace.FAST);
        List<CompletableFuture<byte[]>> poems = fetchAll(port, 1000);
        for (CompletableFuture<byte[]> poem : poems) {
            assertArrayEquals(ECSTASY.text(), poem.join());
        }
    }

    @Test
    void aOneMebibytePoemArrivesWhole() {
        byte[] big = new byte[1 << 20];
        new Random(42).nextBytes(big);
        int port = listen(new Poem("big.bin", big), Pace.FAST);
        for (CompletableFuture<byte[]> poem : fetchAll(port, 4)) {
            assertArrayEquals(big, poem.join());
        }
    }

    @Test
    void twoHundredSlowClientsAllCompleteOnTimersNotThreads() {
        Poem poem = new Poem("short.txt", java.util.Arrays.copyOf(ECSTASY.text(), 400));
        int port = listen(poem, Pace.slow(40, Duration.ofMillis(50)));
        int threadsBefore = Thread.getAllStackTraces().size();

        List<CompletableFuture<byte[]>> poems = fetchAll(port, 200);
        poems.getFirst().join(); // the others are still being sent, a chunk every 50 ms
        int threadsDuring = Thread.getAllStackTraces().size();
        for (CompletableFuture<byte[]> received : poems) {
            assertArrayEquals(poem.text(), received.join());
        }

        assertTrue(threadsDuring - threadsBefore < 10,
                "serving 200 slow clients started " + (threadsDuring - threadsBefore) + " threads");
    }

    @Test
    void clientsLeavingAfterAFewBytesDoNotHurtTheServer() throws Exception {
        int port = listen(ECSTASY, Pace.slow(10, Duration.ofMillis(50)));
        for (int i = 0; i < 20; i++) {
            try (Socket quitter = new Socket()) {
                quitter.connect(new InetSocketAddress("127.0.0.1", port));
                InputStream in = quitter.getInputStream();
                assertEquals(10, in.readNBytes(10).length);
            }
        }
        Poem whole = ECSTASY;
        int fastPort = listen(whole, Pace.FAST);
        assertArrayEquals(whole.text(), fetchAll(fastPort, 1).getFirst().join());

        // Each quitter is noticed (and its timer stopped) at its next chunk at the latest.
        List<String> early = log.await("left early after", 20, Duration.ofSeconds(10));
        assertEquals(20, early.size(), log.messages().toString());
    }
}
