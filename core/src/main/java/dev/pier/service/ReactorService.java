package dev.pier.service;

import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Reactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** {@link Service#onReactor}: a port a reactor listens on. */
final class ReactorService implements Service {

    /** How long a stop waits past the grace period, for the reactor to close what was left. */
    private static final Duration CLOSING = Duration.ofSeconds(1);

    private final String name;
    private final Reactor reactor;
    private final Function<Reactor, ListeningPort> listen;
    private final Lifecycle life;
    private volatile ListeningPort port;

    ReactorService(String name, Reactor reactor, Function<Reactor, ListeningPort> listen) {
        this.name = name;
        this.reactor = reactor;
        this.listen = listen;
        this.life = new Lifecycle(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() throws IOException {
        life.starting();
        try {
            port = listen.apply(reactor);
        } catch (UncheckedIOException e) {
            life.stopped(e.getCause());
            throw e.getCause();
        } catch (RuntimeException e) {
            life.stopped(e);
            throw e;
        }
        // The reactor stops when any service on it stops it, or when it fails: either way this port is closed.
        reactor.whenStopped().whenComplete((stopped, failure) -> {
            life.draining();
            life.stopped(failure);
        });
        life.started();
    }

    @Override
    public void stop(Duration grace) {
        boolean first = life.draining();
        life.awaitStart();
        ListeningPort listening = port;
        if (listening == null) {
            return;
        }
        if (!first) {
            grace = Duration.ZERO;
        }
        listening.stopListening();
        reactor.stop(grace);
        Waiting.upTo(life.finished(), grace.plus(CLOSING));
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
        ListeningPort listening = port;
        return listening == null ? List.of() : List.of(listening.address());
    }

    @Override
    public String toString() {
        return "service " + name + " on a reactor";
    }
}
