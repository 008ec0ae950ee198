package dev.pier.examples;

import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Reactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Several poems on several ports, as the tutorial runs three slow servers side by side, here on one reactor and
 * one thread: a port per poem, each with its own factory.
 *
 * <p>Usage: {@code SeveralPoemsServer FIRST_PORT POEM...}: the poems on consecutive ports (first port 0: each on
 * any free port).
 */
public final class SeveralPoemsServer {

    private SeveralPoemsServer() {}

    static List<ListeningPort> servePoems(Reactor reactor, int firstPort, List<byte[]> poems) {
        var ports = new ArrayList<ListeningPort>();
        for (int i = 0; i < poems.size(); i++) {
            int port = firstPort == 0 ? 0 : firstPort + i;
            ports.add(FastPoetryServer.servePoem(reactor, port, poems.get(i)));
        }
        return ports;
    }

    public static void main(String[] args) throws IOException {
        int firstPort = Integer.parseInt(args[0]);
        var poems = new ArrayList<byte[]>();
        for (String path : List.of(args).subList(1, args.length)) {
            poems.add(Files.readAllBytes(Path.of(path)));
        }
        try (var reactor = Reactor.create()) {
            List<ListeningPort> ports = servePoems(reactor, firstPort, poems);
            for (int i = 0; i < ports.size(); i++) {
                System.out.println("Serving " + args[i + 1] + " on " + ports.get(i).address());
            }
            reactor.runUntilStopSignal(Duration.ofSeconds(5));
        }
    }
}
