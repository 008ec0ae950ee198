package dev.pier.blocking;

/**
 * How a server runs its requests: one after another on the serving thread, each on a thread of its own, or each
 * in a process of its own. This
 * strategy object replaces socketserver's mix-ins: any server type takes any strategy.
 *
 * <pre>{@code
 * var options = ServerOptions.defaults()
 *         .withConcurrency(Concurrency.virtualThreads().withMaxConcurrentRequests(10_000));
 * try (var server = new TcpServer(new InetSocketAddress("127.0.0.1", 8007), EchoHandler::new, options)) {
 *     server.serveForever();
 * }
 * }</pre>
 *
 * A strategy is an immutable description; each server builds its own running state from it, so one strategy may
 * be shared by many servers.
 */
public sealed interface Concurrency permits Synchronous, ThreadPerRequest, Forking {

    /** Handles each request on the serving thread, to completion, before accepting the next (the default). */
    static Concurrency synchronous() {
        return Synchronous.INSTANCE;
    }

    /**
     * One new platform thread per request (socketserver's {@code ThreadingMixIn}): non-daemon, closing waits for
     * running requests up to a grace period, no cap on concurrent requests. See {@link ThreadPerRequest} for the
     * options.
     */
    static ThreadPerRequest threads() {
        return ThreadPerRequest.PLATFORM;
    }

    /** One new virtual thread per request: cheap enough for tens of thousands of concurrent connections. */
    static ThreadPerRequest virtualThreads() {
        return ThreadPerRequest.VIRTUAL;
    }

    /**
     * Each request in a new child process, a JVM running the same application (socketserver's
     * {@code ForkingMixIn}): isolation from the server and from other requests, at the price of a process per
     * request. See {@link Forking} for how, and for the options.
     */
    static Forking forking() {
        return Forking.DEFAULT;
    }
}
