package dev.pier.app.cli;

import dev.pier.endpoint.TcpEndpoint;
import dev.pier.service.Service;
import dev.pier.service.ServiceGroup;
import dev.pier.unix.StopSignals;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs servers as a command: prints one ready line per server ({@code Serving echo on tcp:8007:interface=127.0.0.1}),
 * serves until SIGTERM, SIGINT or SIGHUP, then drains (saying so on stderr), prints {@code Stopped} and returns
 * {@link ExitStatus#OK}; a second signal cuts the drain short. A server that fails or ends on its own ends the command
 * with a {@link CommandFailure} instead. SIGUSR1 meanwhile reopens the log file.
 */
public final class Serving {

    /**
     * One server of a command: the name its ready line gives it, how to start it, what the log line saying it
     * serves adds (empty: nothing), and whether its concurrency is forking (only those serve in a forked child).
     */
    public record Start(String service, Supplier<RunningServer> server, String details, boolean forking) {

        public Start(String service, Supplier<RunningServer> server, String details) {
            this(service, server, details, false);
        }

        public Start(String service, Supplier<RunningServer> server) {
            this(service, server, "");
        }
    }

    private static final System.Logger LOG = System.getLogger(Serving.class.getName());

    private Serving() {}

    /**
     * Starts every server in order (if one cannot start, those already started are stopped), prints a ready line for
     * each once all are serving, serves until a stop signal or until one of them ends, then stops them all side by
     * side, each giving its requests in progress up to {@code grace}, or less if a second signal comes.
     */
    public static int untilStopped(List<Start> starts, Duration grace, PrintWriter out, PrintWriter err) {
        return untilStopped(starts, grace, null, Duration.ZERO, false, out, err);
    }

    /**
     * As {@link #untilStopped(List, Duration, PrintWriter, PrintWriter)}, with an HTTP server of health and metrics
     * on {@code metrics} beside the servers (none if null): started once they all are, its ready line
     * ({@code Metrics on tcp:9100:interface=127.0.0.1}) after theirs, its health check failing from the moment a stop
     * begins, while the servers go on for {@code drainNotice} before they stop listening, closed once they all
     * stopped. A {@code supervised} process (one service of {@code pier run --split})
     * stops when its supervisor says so ({@link Supervised}), not on signals.
     */
    public static int untilStopped(List<Start> starts, Duration grace, TcpEndpoint metrics, Duration drainNotice,
            boolean supervised, PrintWriter out, PrintWriter err) {
        // Installed before the ready lines, so that a signal sent as soon as they are seen stops gracefully.
        StopSignals stop = supervised ? Supervised.followSupervisor() : StopSignals.install();
        LogSetup.reopenOnSignal();
        List<CommandService> services = starts.stream().map(CommandService::new).toList();
        ServiceGroup group = ServiceGroup.of("pier", services);
        try {
            group.start();
        } catch (IOException e) {
            throw new CommandFailure("cannot start: " + Messages.reason(e), e);
        }
        MetricsServer metricsServer;
        try {
            metricsServer = metrics == null ? null : MetricsServer.start(metrics, services.stream()
                    .map(service -> new MetricsServer.Served(service.name(), service.running())).toList(),
                    LogSetup::droppedLines);
        } catch (RuntimeException failedToStart) {
            try {
                group.stop(Duration.ZERO);
            } catch (RuntimeException alsoFailedToStop) {
                failedToStart.addSuppressed(alsoFailedToStop);
            }
            throw failedToStart;
        }
        try (MetricsServer closedLast = metricsServer) {
            return serve(starts, services, group, grace, metricsServer, drainNotice, stop, out, err);
        }
    }

    private static int serve(List<Start> starts, List<CommandService> services, ServiceGroup group, Duration grace,
            MetricsServer metricsServer, Duration drainNotice, StopSignals stop, PrintWriter out, PrintWriter err) {
        List<RunningServer> servers = services.stream().map(CommandService::running).toList();
        for (int i = 0; i < servers.size(); i++) {
            out.println("Serving " + starts.get(i).service() + " on " + servers.get(i).endpoint());
        }
        if (metricsServer != null) {
            out.println("Metrics on " + metricsServer.endpoint());
        }
        out.flush();
        for (int i = 0; i < servers.size(); i++) {
            String details = starts.get(i).details();
            LOG.log(Level.INFO, "serving " + starts.get(i).service() + " on " + servers.get(i).endpoint()
                    + (details.isEmpty() ? "" : " (" + details + ")"));
        }
        if (metricsServer != null) {
            LOG.log(Level.INFO, "serving metrics on " + metricsServer.endpoint());
        }
        CompletableFuture<Service> firstStopped = group.firstStopped();
        CompletableFuture.anyOf(firstStopped, stop.stopRequested()).join();
        if (metricsServer != null) {
            metricsServer.draining();
        }
        Service endedByItself = stop.stopRequested().isDone() ? null : firstStopped.join();
        if (endedByItself == null && !drainNotice.isZero()) {
            // Still listening while a load balancer's health check sees the 503: it stops sending clients here
            // before the port closes, so that none it sent meanwhile is cut off (a second signal ends the wait).
            CompletableFuture.anyOf(stop.stopInsisted(), new CompletableFuture<>().completeOnTimeout(null,
                    drainNotice.toNanos(), TimeUnit.NANOSECONDS)).join();
        }
        if (endedByItself == null) {
            announceDrain(servers, grace, err);
        }
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> group.stop(grace),
                runnable -> Thread.ofVirtual().start(runnable));
        // After a server ended by itself no signal came yet: the first one cuts the others' drain short.
        CompletableFuture<Void> cutShort = endedByItself != null ? stop.stopRequested() : stop.stopInsisted();
        CompletableFuture.anyOf(stopped, cutShort).exceptionally(failure -> null).join();
        if (!stopped.isDone()) {
            try {
                group.stop(Duration.ZERO);
            } catch (RuntimeException alsoReportedByTheFirstStop) {
                // The stop already under way reports it, below.
            }
        }
        for (CommandService service : services) {
            CompletableFuture<Void> finished = service.finished();
            if (finished.state() == Future.State.FAILED) {
                Throwable failure = finished.exceptionNow();
                throw failure instanceof CommandFailure described ? described
                        : new CommandFailure("the " + service.name() + " server failed: "
                                + Messages.reason(failure), failure);
            }
        }
        if (endedByItself != null) {
            // A server that ends without being asked to can no longer serve: that is a failure, not a stop.
            throw new CommandFailure("the " + endedByItself.name() + " server stopped by itself");
        }
        if (stopped.state() == Future.State.FAILED) {
            Throwable failure = stopped.exceptionNow();
            throw failure instanceof CommandFailure described ? described
                    : new CommandFailure("stopping failed: " + Messages.reason(failure), failure);
        }
        out.println("Stopped");
        out.flush();
        return ExitStatus.OK;
    }

    /**
     * In a child JVM a forking server started: each forking server handles the request its parent hands over, if the
     * parent named it, then ends this JVM; the others (under {@code pier run}, other lines' servers) are not started.
     * Ctrl-C reaches the whole process group: the parent decides how long its children may finish.
     */
    public static int handOverRequests(List<Start> starts) {
        StopSignals.ignoreInterrupt();
        starts.stream().filter(Start::forking).map(start -> start.server().get()).toList()
                .forEach(server -> server.finished().join());
        return ExitStatus.OK;
    }

    /**
     * Says on stderr that a drain started, what it waits for and how to cut it short: a user who sees nothing happen
     * after Ctrl-C would not know whether to wait. Nothing is said when nothing is in progress: the stop is at once.
     */
    private static void announceDrain(List<RunningServer> servers, Duration grace, PrintWriter err) {
        Map<Object, OptionalInt> counts = new IdentityHashMap<>();
        for (RunningServer server : servers) {
            counts.putIfAbsent(server.counter(), server.inProgress());
        }
        boolean known = counts.values().stream().allMatch(OptionalInt::isPresent);
        int inProgress = counts.values().stream().mapToInt(count -> count.orElse(0)).sum();
        if (known && inProgress == 0 || grace.isZero()) {
            return;
        }
        String waitingFor = known
                ? inProgress + (inProgress == 1 ? " connection" : " connections") + ", up to " + seconds(grace)
                : "up to " + seconds(grace) + " for the requests in progress";
        err.println("draining: " + waitingFor + "; Ctrl-C again to stop now");
        err.flush();
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }
}
