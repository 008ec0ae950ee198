package dev.pier.app.cli;

import java.util.concurrent.CompletableFuture;
import sun.misc.Signal;

/**
 * SIGTERM, SIGINT and SIGHUP as requests to stop: the first starts a graceful drain, a second one cuts it short. A
 * handler rather than a shutdown hook: the JVM exits with status 143 or 130 once a shutdown hook has run, and a
 * graceful stop must exit with status 0.
 */
final class StopSignal {

    private final CompletableFuture<Void> requested = new CompletableFuture<>();
    private final CompletableFuture<Void> repeated = new CompletableFuture<>();

    private StopSignal() {}

    /** Handles the stop signals from now on. */
    static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (!stop.requested.complete(null)) {
                        stop.repeated.complete(null);
                    }
                });
            } catch (IllegalArgumentException ignoredByParent) {
                // The signal is ignored (a background job of a non-interactive shell ignores SIGINT, nohup ignores
                // SIGHUP) or reserved by the JVM (-Xrs): it cannot reach us, so there is nothing to handle.
            }
        }
        return stop;
    }

    /** Completes at the first stop signal. */
    CompletableFuture<Void> requested() {
        return requested;
    }

    /** Completes at the second: the user will not wait for the drain. */
    CompletableFuture<Void> repeated() {
        return repeated;
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
