package dev.pier.app.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A server a command started: it serves in the background until {@link #stop} is called. */
public interface RunningServer {

    /** Where it listens, with the real bound port, e.g. {@code tcp:8007:interface=127.0.0.1} or {@code unix:echo.sock}. */
    String endpoint();

    /** Completes when serving ends; exceptionally if the server failed on its own. */
    CompletableFuture<Void> finished();

    /**
     * Stops accepting, lets the requests in progress finish for up to {@code grace}, then closes what is left and
     * releases the address (a Unix socket file is removed). Returns when everything is closed.
     */
    void stop(Duration grace);
}
