package dev.pier.app.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Runs servers as a command: prints one ready line per server ({@code Serving echo on tcp:8007:interface=127.0.0.1}),
 * serves until SIGTERM or SIGINT, then stops gracefully, prints {@code Stopped} and returns {@link ExitStatus#OK}. A
 * server that fails or ends on its own ends the command with a {@link CommandFailure} instead.
 */
public final class Serving {

    /** How long requests in progress may run on after a stop was requested. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    /** One server of a command: the name its ready line gives it, and how to start it. */
    public record Start(String service, Supplier<RunningServer> server) {}

    private Serving() {}

    /** Starts the server {@code start} returns and serves {@code service} with it until a stop signal. */
    public static int untilStopped(String service, Supplier<RunningServer> start, PrintWriter out) {
        return untilStopped(List.of(new Start(service, start)), GRACE, out);
    }

    /**
     * Starts every server in order (if one cannot start, those already started are stopped), prints a ready line for
     * each once all are serving, serves until a stop signal or until one of them ends, then stops them all side by
     * side, each giving its requests in progress up to {@code grace}.
     */
    public static int untilStopped(List<Start> starts, Duration grace, PrintWriter out) {
        if (ForkedChild.isThisProcess()) {
            // Each server handles the request its parent hands over, if the parent named it, then ends this JVM.
            // Ctrl-C reaches the whole process group: the parent decides how long its children may finish.
            StopSignal.ignoreInterrupt();
            starts.stream().map(start -> start.server().get()).toList()
                    .forEach(server -> server.finished().join());
            return ExitStatus.OK;
        }
        // Installed before the ready lines, so that a signal sent as soon as they are seen stops gracefully.
        CompletableFuture<?> stopRequested = StopSignal.install();
        List<RunningServer> servers = new ArrayList<>();
        try {
            for (Start start : starts) {
                servers.add(start.server().get());
            }
        } catch (RuntimeException failedToStart) {
            stopAll(servers, Duration.ZERO);
            throw failedToStart;
        }
        for (int i = 0; i < servers.size(); i++) {
            out.println("Serving " + starts.get(i).service() + " on " + servers.get(i).endpoint());
        }
        out.flush();
        List<CompletableFuture<?>> ends = new ArrayList<>(servers.stream().map(RunningServer::finished).toList());
        ends.add(stopRequested);
        CompletableFuture.anyOf(ends.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
        int endedByItself = stopRequested.isDone() ? -1 : firstEnded(servers);
        stopAll(servers, grace);
        for (int i = 0; i < servers.size(); i++) {
            CompletableFuture<Void> finished = servers.get(i).finished();
            if (finished.state() == Future.State.FAILED) {
                Throwable failure = finished.exceptionNow();
                throw failure instanceof CommandFailure described ? described
                        : new CommandFailure("the " + starts.get(i).service() + " server failed: " + failure, failure);
            }
        }
        if (endedByItself >= 0) {
            // A server that ends without being asked to can no longer serve: that is a failure, not a stop.
            throw new CommandFailure("the " + starts.get(endedByItself).service() + " server stopped by itself");
        }
        out.println("Stopped");
        out.flush();
        return ExitStatus.OK;
    }

    private static int firstEnded(List<RunningServer> servers) {
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).finished().isDone()) {
                return i;
            }
        }
        return -1;
    }

    private static void stopAll(List<RunningServer> servers, Duration grace) {
        List<Thread> stopping = servers.stream()
                .map(server -> Thread.ofVirtual().start(() -> server.stop(grace)))
                .toList();
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
