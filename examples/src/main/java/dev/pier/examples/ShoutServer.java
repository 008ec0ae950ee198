package dev.pier.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.pier.blocking.Concurrency;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import java.io.IOException;
import java.time.Duration;

/**
 * The README's handler in the blocking model: each line a client sends comes back in capitals, one virtual thread
 * per client. Try it with {@code nc 127.0.0.1 8007}.
 */
public final class ShoutServer {

    private ShoutServer() {}

    static class ShoutHandler extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            for (String line; (line = readLine()) != null; ) {
                out().write((line.toUpperCase() + "\n").getBytes(UTF_8));   // every write is sent whole
            }
        }
    }

    static TcpServer shoutServer(int port) throws IOException {
        var options = ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads());
        return new TcpServer("127.0.0.1", port, ShoutHandler::new, options);
    }

    public static void main(String[] args) throws IOException {
        try (var server = shoutServer(8007)) {
            System.out.println("Serving on " + server.address());
            server.serveUntilStopSignal(Duration.ofSeconds(5));   // Ctrl-C: finish requests in progress, then return
        }
    }
}
