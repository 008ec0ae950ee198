package dev.pier.blocking;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.OptionalInt;

/**
 * The running state a server builds from its {@link Concurrency} strategy: it decides where each request runs.
 *
 * <p>To add a strategy: add its public type to {@code Concurrency}'s {@code permits} list with a static factory
 * there, implement this interface, and add a case to {@link #forServer}; the compiler points at that switch.
 *
 * <p>{@link ForkingDispatcher} shows a strategy that runs requests elsewhere: it hands each request to a child
 * process, then calls {@code job.release()} to close the parent's copy. In the child, {@link ForkedChild} shows
 * one that takes its request from elsewhere: it neither binds nor waits, and chooses its own path through
 * {@link #bindAndActivate} and {@link #serve}.
 */
interface RequestDispatcher {

    static RequestDispatcher forServer(BaseServer<?> server, Concurrency concurrency) {
        return switch (concurrency) {
            case Synchronous synchronous -> new Synchronous.Dispatcher();
            case ThreadPerRequest threads -> new ThreadPerRequest.Dispatcher(threads);
            case Forking forking -> ForkingDispatcher.forServer(server, forking);
        };
    }

    /** A step of the server's own, such as binding or its serving loop. */
    @FunctionalInterface
    interface ServerStep {
        void run() throws IOException;
    }

    /** Binds and activates the server through {@code bindAndActivate}. Default: does it. */
    default void bindAndActivate(ServerStep bindAndActivate) throws IOException {
        bindAndActivate.run();
    }

    /**
     * Runs {@code serveForever}'s or {@code handleRequest}'s loop, {@code loop}, on the calling thread. Default:
     * {@link #serving()}, then the loop.
     */
    default void serve(ServerStep loop) throws IOException {
        serving();
        loop.run();
    }

    /**
     * Runs {@code job} or hands it on; called on the serving thread. Exactly one of {@code job.handle()} or
     * {@code job.release()} must eventually run, unless this method throws, in which case the server shuts the
     * request down itself.
     *
     * @throws InterruptedException if the serving thread was interrupted while waiting for capacity
     */
    void dispatch(RequestJob job) throws InterruptedException;

    /** Called when {@code serveForever} or {@code handleRequest} begins, before it waits for a request. */
    default void serving() {
    }

    /**
     * Whether {@code thread} is one this strategy started to run a request, so that a handler calling
     * {@code shutdown()} is not made to wait for itself. Default: false (requests run on the serving thread).
     */
    default boolean isRequestThread(Thread thread) {
        return false;
    }

    /** The requests running now, if this strategy can tell (a forking one cannot: its children run them). */
    default OptionalInt requestsInProgress() {
        return OptionalInt.empty();
    }

    /** Called by the serving loop after each request or timeout (socketserver's {@code service_actions}). */
    default void serviceActions() {
    }

    /**
     * Called once by {@link BaseServer#close()} after the listening socket is closed: waits, within the strategy's
     * bounds, for requests still running. Must not wait for the calling thread itself.
     */
    void close();

    /**
     * One verified request, as a {@link RequestDispatcher} sees it.
     *
     * @param request       the request ({@code SocketChannel} or {@link DatagramRequest})
     * @param clientAddress the client's address
     * @param handle        runs the whole rest of the request where it is called: finishRequest (the handler),
     *                      handleError if that threw, then shutdownRequest. Never throws an {@code Exception}.
     * @param release       closes this process's copy of the request without handling it (closeRequest): for a
     *                      strategy that hands the request to another process, or cannot run it at all
     */
    record RequestJob(Object request, SocketAddress clientAddress, Runnable handle, Runnable release) {
    }
}
