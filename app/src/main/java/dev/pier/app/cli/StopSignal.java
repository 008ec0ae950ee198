package dev.pier.app.cli;

import java.util.concurrent.CompletableFuture;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop. A handler rather than a shutdown hook: the JVM exits with status 143 or
 * 130 once a shutdown hook has run, and a graceful stop must exit with status 0.
 */
final class StopSignal {

    private StopSignal() {}

    /** Completes when SIGTERM or SIGINT arrives. */
    static CompletableFuture<Void> install() {
        CompletableFuture<Void> requested = new CompletableFuture<>();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> requested.complete(null));
            } catch (IllegalArgumentException ignoredByParent) {
                // The signal is ignored (a background job of a non-interactive shell ignores SIGINT) or reserved
                // by the JVM (-Xrs): it cannot reach us, so there is nothing to handle.
            }
        }
        return requested;
    }

    /** Ignores SIGINT, for a process whose parent handles it. */
    static void ignoreInterrupt() {
        try {
            Signal.handle(new Signal("INT"), signal -> { });
        } catch (IllegalArgumentException ignoredAlready) {
            // Nothing to do.
        }
    }
}
