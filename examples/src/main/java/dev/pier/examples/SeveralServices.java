package dev.pier.examples;

import dev.pier.reactor.Reactor;
import dev.pier.unix.StopSignals;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * One process, several services, both models: the poem on the reactor (port 10000) and the shouting echo on a
 * blocking server (port 8007). One {@link StopSignals} stops them together: both stop listening at once and finish
 * what is in progress.
 *
 * <p>Usage: {@code SeveralServices POEM}.
 */
public final class SeveralServices {

    private static final Duration GRACE = Duration.ofSeconds(5);

    private SeveralServices() {}

    /** Serves both services, tells {@code ready} where each listens, and stops them both once {@code stop} completes. */
    static void serve(byte[] poem, int poetryPort, int shoutPort, CompletableFuture<?> stop,
                      BiConsumer<String, SocketAddress> ready) throws IOException {
        try (var reactor = Reactor.start(); var shout = ShoutServer.shoutServer(shoutPort)) {
            var poetry = FastPoetryServer.servePoem(reactor, poetryPort, poem);
            stop.thenRun(() -> {
                reactor.stop(GRACE);
                shout.shutdown();
            });
            ready.accept("poetry", poetry.address());
            ready.accept("shout", shout.address());
            shout.serveForever();
            reactor.whenStopped().toCompletableFuture().join();
        }
    }

    public static void main(String[] args) throws IOException {
        byte[] poem = Files.readAllBytes(Path.of(args[0]));
        // Installed first, so that a signal that comes while the services start still stops them gracefully.
        CompletableFuture<Void> stop = StopSignals.install().stopRequested();
        serve(poem, 10000, 8007, stop, (service, address) -> System.out.println("Serving " + service + " on "
                + address));
    }
}
