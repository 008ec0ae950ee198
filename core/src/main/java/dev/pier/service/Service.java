package dev.pier.service;

import dev.pier.blocking.BaseServer;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Reactor;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A part of a program that serves, from the moment it starts until it is stopped, as Twisted's {@code IService}:
 * a name, {@link #start()}, {@link #stop(Duration)} with a grace period for the requests in progress, where it serves
 * ({@link #addresses()}) and its {@link #health()}. Services compose into a {@link ServiceGroup}, itself a service,
 * so that whether several services share a process is decided where they are composed, not where they are written.
 *
 * <pre>{@code
 * Reactor reactor = Reactor.start();
 * ServiceGroup all = ServiceGroup.of("poetry",
 *         Service.onReactor("fast", reactor, loop -> loop.listenTcp(10000, poems, "127.0.0.1")),
 *         Service.blocking("echo", () -> new TcpServer(new InetSocketAddress("127.0.0.1", 8007), EchoHandler::new)));
 * try {
 *     all.start();                   // both listen, or neither: a failed start stops what had started
 * } finally {
 *     if (all.health() != Service.Health.SERVING) reactor.close();   // the reactor is the caller's to close
 * }
 * ...
 * all.stop(Duration.ofSeconds(10));  // stops accepting, gives requests in progress up to 10 s
 * }</pre>
 *
 * <p>A service is started once and stopped once: it is not restarted (build a new one).
 */
public interface Service {

    /**
     * Where a service is in its life. A load balancer's health check passes in {@link #SERVING} only: a service
     * that drains stops taking new clients before its requests in progress end.
     */
    enum Health {
        /** Built, not yet started. */
        NEW,
        /** Starting: not yet listening. */
        STARTING,
        /** Listening and taking new clients. */
        SERVING,
        /** Stopping: no longer taking new clients, finishing those in progress. */
        DRAINING,
        /** Stopped, by {@link #stop} or by itself ({@link #finished()} says whether it failed). */
        STOPPED
    }

    /** The name logs and metrics give it. */
    String name();

    /**
     * Starts serving: once this returns the service listens. Called once.
     *
     * @throws IOException if it cannot listen (address in use, not permitted); nothing is left open then
     * @throws IllegalStateException if it was started before
     */
    void start() throws IOException;

    /**
     * Stops taking new clients, lets those in progress finish for up to {@code grace}, then closes what is left;
     * returns once everything is closed or the grace period is over, whichever comes first (a blocking server's
     * handlers still running then are left to its concurrency's own grace period). A stop that comes while the service
     * starts waits for the start, then stops what it started. Stopping a service that never started, or stopped
     * already, does nothing; a second stop while one waits returns at once, and on a reactor cuts the first one's
     * grace period short.
     */
    void stop(Duration grace);

    /** Completes once the service has stopped; exceptionally if it stopped because it failed. */
    CompletableFuture<Void> finished();

    /** Where it is in its life. */
    Health health();

    /** The addresses it serves on, as bound (a port 0 made real): empty before it starts. */
    List<SocketAddress> addresses();

    /**
     * A blocking server as a service: {@code server} binds it when the service starts, {@code serveForever} runs on a
     * thread of its own, and a stop closes the server: it stops listening, then waits for the handlers in progress
     * within its concurrency's grace period ({@link dev.pier.blocking.Concurrency#threads()}'s
     * {@code withCloseGracePeriod}), while the stop itself waits no longer than its own grace period.
     */
    static Service blocking(String name, ServerFactory server) {
        return new BlockingService(name, server);
    }

    /**
     * A port of a reactor as a service: {@code listen} opens it when the service starts. A stop closes the port,
     * then stops the reactor with the grace period, and with it every other service on that reactor: services
     * sharing a reactor stop together, as its connections are drained as one. If {@code listen} fails, the reactor
     * is left running: it is the caller's to close.
     */
    static Service onReactor(String name, Reactor reactor, Function<Reactor, ListeningPort> listen) {
        return new ReactorService(name, reactor, listen);
    }

    /** Binds a blocking server; an {@code IOException} says why it could not. */
    @FunctionalInterface
    interface ServerFactory {
        BaseServer<?> bind() throws IOException;
    }
}
