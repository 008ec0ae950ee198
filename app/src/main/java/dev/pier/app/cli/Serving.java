package dev.pier.app.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Runs a server as a command: prints one ready line ({@code Serving echo on tcp:8007:interface=127.0.0.1}), serves
 * until SIGTERM or SIGINT, then stops gracefully, prints {@code Stopped} and returns {@link ExitStatus#OK}.
 */
public final class Serving {

    /** How long requests in progress may run on after a stop was requested. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    private Serving() {}

    /** Starts the server {@code start} returns and serves {@code service} with it until a stop signal. */
    public static int untilStopped(String service, Supplier<RunningServer> start, PrintWriter out) {
        if (ForkedChild.isThisProcess()) {
            // The server handles the request its parent hands over, then ends this JVM. Ctrl-C reaches the whole
            // process group: the parent decides how long its children may finish.
            StopSignal.ignoreInterrupt();
            start.get().finished().join();
            return ExitStatus.OK;
        }
        // Installed before the ready line, so that a signal sent as soon as it is seen stops gracefully.
        CompletableFuture<Void> stopRequested = StopSignal.install();
        RunningServer server = start.get();
        out.println("Serving " + service + " on " + server.endpoint());
        out.flush();
        CompletableFuture.anyOf(stopRequested, server.finished()).exceptionally(failure -> null).join();
        server.stop(GRACE);
        if (server.finished().state() == Future.State.FAILED) {
            Throwable failure = server.finished().exceptionNow();
            throw new CommandFailure("the " + service + " server failed: " + failure, failure);
        }
        out.println("Stopped");
        out.flush();
        return ExitStatus.OK;
    }
}
