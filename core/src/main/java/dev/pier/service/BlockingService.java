package dev.pier.service;

import dev.pier.blocking.BaseServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link Service#blocking}: a blocking server serving forever on a thread of its own. */
final class BlockingService implements Service {

    private final String name;
    private final ServerFactory factory;
    private final Lifecycle life;
    private volatile BaseServer<?> server;

    BlockingService(String name, ServerFactory factory) {
        this.name = name;
        this.factory = factory;
        this.life = new Lifecycle(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() throws IOException {
        life.starting();
        BaseServer<?> bound;
        try {
            bound = factory.bind();
        } catch (IOException | RuntimeException e) {
            life.stopped(e);
            throw e;
        }
        server = bound;
        Thread.ofPlatform().name("pier-" + name).start(() -> serve(bound));
        life.started();
    }

    private void serve(BaseServer<?> bound) {
        Throwable failure = null;
        try {
            bound.serveForever();
        } catch (Throwable e) {
            failure = e;
        }
        // Ended by itself, not by a stop (which closes the server and ends the service itself).
        if (life.draining()) {
            try {
                bound.close();
            } catch (RuntimeException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                }
            }
            life.stopped(failure);
        }
    }

    @Override
    public void stop(Duration grace) {
        boolean first = life.draining();
        life.awaitStart();
        BaseServer<?> bound = server;
        if (bound == null) {
            return;
        }
        if (first) {
            // close() stops listening, then waits for the requests in progress within the concurrency's grace.
            Thread.ofVirtual().name("pier-" + name + "-stop").start(() -> {
                try {
                    bound.close();
                    life.stopped(null);
                } catch (RuntimeException | Error e) {
                    life.stopped(e);
                }
            });
        } else {
            grace = Duration.ZERO;
        }
        Waiting.upTo(life.finished(), grace);
    }

    @Override
    public CompletableFuture<Void> finished() {
        return life.finished();
    }

    @Override
    public Health health() {
        return life.health();
    }

    @Override
    public List<SocketAddress> addresses() {
        BaseServer<?> bound = server;
        return bound == null ? List.of() : List.of(bound.address());
    }

    @Override
    public String toString() {
        return "blocking service " + name;
    }
}
