package dev.pier.tour;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pier.blocking.Concurrency;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's tour, run: its examples must keep working as written (only the port differs: 0 here). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TourTest {

    // --- as in the README: "A handler in the blocking model" ---
    static class ShoutHandler extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            for (String line; (line = readLine()) != null; ) {
                out().write((line.toUpperCase() + "\n").getBytes(UTF_8));   // every write is sent whole
            }
        }
    }

    // --- as in the README: "The poetry server on the reactor" ---
    static ListeningPort servePoem(Reactor reactor, int port, byte[] poem) {
        return reactor.listenTcp(port, peer -> new Protocol() {
            public void connectionMade(Transport transport) {
                transport.write(poem);
                transport.loseConnection();   // once the poem has been sent
            }

            public void dataReceived(ByteBuffer data) {}   // the client has nothing to say
        }, "127.0.0.1");
    }

    @Test
    void theShoutHandlerAnswersEachLineOnAVirtualThread() throws Exception {
        var options = ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads());
        try (var server = new TcpServer("127.0.0.1", 0, ShoutHandler::new, options)) {
            var serving = CompletableFuture.runAsync(() -> {
                try {
                    server.serveForever();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (var client = new Socket()) {
                client.connect(server.address());
                client.getOutputStream().write("hello\nworld\n".getBytes(UTF_8));
                var in = new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8));
                assertEquals("HELLO", in.readLine());
                assertEquals("WORLD", in.readLine());
            }
            server.shutdown();
            serving.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void thePoetryServerSendsThePoemAndCloses() throws Exception {
        byte[] poem = "Where, like a pillow on a bed\n".getBytes(UTF_8);
        try (var reactor = Reactor.start()) {
            ListeningPort port = servePoem(reactor, 0, poem);
            try (var client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port.port()));
                assertArrayEquals(poem, client.getInputStream().readAllBytes());
            }
        }
    }
}
