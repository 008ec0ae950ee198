package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.Concurrency;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking model's poetry server on loopback: a handler per client on a virtual thread. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PoemHandlerTest {

    private static final Poem SCIENCE = Poem.bundled("science.txt");

    private final LogCapture log = new LogCapture(PoemHandler.class);
    private TcpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        log.close();
    }

    private int serve(Pace pace) throws IOException {
        server = new TcpServer(new InetSocketAddress("127.0.0.1", 0), () -> new PoemHandler(SCIENCE, pace),
                ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads()));
        Thread.ofVirtual().start(() -> {
            try {
                server.serveForever();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return server.address().getPort();
    }

    private static byte[] fetch(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return socket.getInputStream().readAllBytes();
        }
    }

    @Test
    void fastAndSlowSendTheSameBytesAsTheFile() throws Exception {
        assertArrayEquals(SCIENCE.text(), fetch(serve(Pace.FAST)));
        server.close();
        assertArrayEquals(SCIENCE.text(), fetch(serve(Pace.slow(100, Duration.ofMillis(5)))));
        List<String> served = log.await("served 653 bytes to ", 2, Duration.ofSeconds(10));
        assertEquals(2, served.size(), log.messages().toString());
    }

    @Test
    void aClientLeavingEarlyIsLoggedWithWhatItGot() throws Exception {
        int port = serve(Pace.slow(10, Duration.ofMillis(20)));
        try (Socket quitter = new Socket("127.0.0.1", port)) {
            assertEquals(10, quitter.getInputStream().readNBytes(10).length);
        }
        List<String> early = log.await("left early after", 1, Duration.ofSeconds(10));
        assertEquals(1, early.size(), log.messages().toString());
        assertTrue(early.getFirst().contains(" of 653 bytes"), early.getFirst());
        assertArrayEquals(SCIENCE.text(), fetch(port), "the next client is served as usual");
    }
}
