package dev.pier.app.cli;

import dev.pier.unix.StopSignals;
import java.util.concurrent.CompletableFuture;

/** SIGTERM and SIGINT as a request to stop gracefully, as the library's {@link StopSignals} handles them. */
final class StopSignal {

    private StopSignal() {}

    /** Completes when SIGTERM or SIGINT arrives. */
    static CompletableFuture<Void> install() {
        return StopSignals.install().stopRequested();
    }

    /** Ignores SIGINT, for a process whose parent handles it. */
    static void ignoreInterrupt() {
        StopSignals.ignoreInterrupt();
    }
}
