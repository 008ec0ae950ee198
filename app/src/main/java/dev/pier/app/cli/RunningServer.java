package dev.pier.app.cli;

import dev.pier.layer.LayerFactory;
import dev.pier.metrics.ServerStatistics;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/** A server a command started: it serves in the background until {@link #stop} is called. */
public interface RunningServer {

    /** Where it listens, with the real bound port, e.g. {@code tcp:8007:interface=127.0.0.1} or {@code unix:echo.sock}. */
    String endpoint();

    /** The address it is bound to. */
    SocketAddress address();

    /** Completes when serving ends; exceptionally if the server failed on its own. */
    CompletableFuture<Void> finished();

    /**
     * Stops accepting, lets the requests in progress finish for up to {@code grace}, then closes what is left and
     * releases the address (a Unix socket file is removed). Returns when everything is closed. Called again with
     * {@link Duration#ZERO} while it waits, it stops waiting.
     */
    void stop(Duration grace);

    /**
     * The connections (event loop) or requests (blocking model) in progress, which a stop waits for; empty if the
     * server cannot tell. Servers sharing event loops each report the loops', and have the same {@link #counter()}.
     */
    OptionalInt inProgress();

    /**
     * What {@link #inProgress()} and {@link #loopLag()} measure: the server itself, or the event loop it shares with
     * other servers.
     */
    default Object counter() {
        return this;
    }

    /**
     * What the server counted on its connections: accepted, refused, bytes, errors (see {@link ServerStatistics}).
     * Empty for a datagram server, whose datagrams are not connections.
     */
    default Optional<ServerStatistics> statistics() {
        return Optional.empty();
    }

    /**
     * Whether this process serves the connections itself, and so sees their bytes and TLS handshakes: not with
     * forking concurrency, whose children do ({@link #statistics()} then counts what the parent sees: connections
     * accepted and refused, and as errors those it could not hand over or whose child failed).
     */
    default boolean servesInProcess() {
        return true;
    }

    /**
     * How late the server's event loop runs what is due ({@link dev.pier.reactor.Reactor#loopLag()}); empty for the
     * blocking model. Servers sharing event loops report the loops', and have the same {@link #counter()}.
     */
    default Optional<Duration> loopLag() {
        return Optional.empty();
    }

    /**
     * The layer factories its connections run behind, outermost first: the very ones in use, so that what they
     * count (a {@link dev.pier.proxy.ProxyProtocol}'s headers, say) is this server's. None by default.
     */
    default List<LayerFactory> layers() {
        return List.of();
    }
}
