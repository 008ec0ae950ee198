package dev.pier.unix;

import dev.pier.libc.SignalHandlers;
import java.util.concurrent.CompletableFuture;

/**
 * SIGTERM, SIGINT (Ctrl-C) and SIGHUP (the terminal or session went away) as a request to stop gracefully, and a
 * second one as a request to stop at once.
 * Handlers, not a shutdown hook: once a shutdown hook has run the JVM exits with status 143 or 130, while a server
 * that drained its requests should return from {@code main} and exit with status 0.
 * {@link dev.pier.reactor.Reactor#runUntilStopSignal} and
 * {@link dev.pier.blocking.BaseServer#serveUntilStopSignal} are built on it; use it directly to stop several
 * servers together:
 *
 * <pre>{@code
 * StopSignals signals = StopSignals.install();           // before the ready line: an early signal still drains
 * signals.stopRequested().thenRun(() -> { echo.shutdown(); poetry.shutdown(); });
 * }</pre>
 *
 * Installing replaces the handlers of the whole JVM, including any installed before; a signal the process ignores
 * (SIGINT in a background job of a non-interactive shell) or the JVM reserves ({@code -Xrs}) is left alone.
 */
public final class StopSignals {

    private static final String[] STOP_SIGNALS = {"TERM", "INT", "HUP"};

    private final CompletableFuture<Void> requested = new CompletableFuture<>();
    private final CompletableFuture<Void> insisted = new CompletableFuture<>();

    private StopSignals() {}

    /**
     * Handles SIGTERM, SIGINT and SIGHUP from now on: the first completes {@link #stopRequested()}, the next ones
     * {@link #stopInsisted()}.
     */
    public static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : STOP_SIGNALS) {
            SignalHandlers.handle(name, signals::received);
        }
        return signals;
    }

    /**
     * Ignores SIGTERM, SIGINT and SIGHUP from now on: stops come through {@link #requestStop()} alone, for a process
     * whose supervisor says when it stops (a signal sent to the whole process group, as systemd and a closing terminal
     * send, would otherwise stop it before its supervisor asks it to).
     */
    public static StopSignals ignoringSignals() {
        for (String name : STOP_SIGNALS) {
            SignalHandlers.handle(name, () -> {});
        }
        return new StopSignals();
    }

    /**
     * Ignores SIGINT from now on, for a process whose parent handles it: Ctrl-C reaches every process of the
     * terminal's foreground group, and the parent decides how its children stop.
     */
    public static void ignoreInterrupt() {
        SignalHandlers.handle("INT", () -> {});
    }

    /** Completes, on a thread of the JVM's, when the first stop signal arrives. */
    public CompletableFuture<Void> stopRequested() {
        return requested;
    }

    /** Completes, on a thread of the JVM's, when a stop signal arrives after the first. */
    public CompletableFuture<Void> stopInsisted() {
        return insisted;
    }

    /**
     * Counts as a stop signal, for a stop with another cause: the process that supervises this one went away, say.
     */
    public void requestStop() {
        received();
    }

    private void received() {
        if (!requested.complete(null)) {
            insisted.complete(null);
        }
    }
}
