package dev.pier.app.cli;

import dev.pier.layer.LayerFactory;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
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
     * server cannot tell. Servers sharing an event loop each report the loop's, and have the same {@link #counter()}.
     */
    OptionalInt inProgress();

    /** What {@link #inProgress()} counts: the server itself, or the event loop it shares with other servers. */
    default Object counter() {
        return this;
    }

    /**
     * The layer factories its connections run behind, outermost first: the very ones in use, so that what they
     * count (a {@link dev.pier.proxy.ProxyProtocol}'s headers, say) is this server's. None by default.
     */
    default List<LayerFactory> layers() {
        return List.of();
    }
}
