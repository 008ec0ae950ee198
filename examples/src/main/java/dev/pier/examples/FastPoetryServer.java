package dev.pier.examples;

import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The README's poetry server on the reactor, the tutorial's fast poetry server: every client gets the whole poem,
 * then the connection closes. The protocol sees only its transport, never a socket.
 *
 * <p>Usage: {@code FastPoetryServer POEM [PORT]} (port 10000 by default).
 */
public final class FastPoetryServer {

    private FastPoetryServer() {}

    static ListeningPort servePoem(Reactor reactor, int port, byte[] poem) {
        return reactor.listenTcp(port, peer -> new Protocol() {
            public void connectionMade(Transport transport) {
                transport.write(poem);
                transport.loseConnection();                 // once the poem has been sent
            }
            public void dataReceived(ByteBuffer data) {}    // the client has nothing to say
        }, "127.0.0.1");
    }

    public static void main(String[] args) throws IOException {
        byte[] poem = Files.readAllBytes(Path.of(args[0]));
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
        try (var reactor = Reactor.create()) {
            var listening = servePoem(reactor, port, poem);
            System.out.println("Serving " + args[0] + " on " + listening.address());
            reactor.runUntilStopSignal(Duration.ofSeconds(5));
        }
    }
}
