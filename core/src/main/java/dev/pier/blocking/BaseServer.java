package dev.pier.blocking;

import dev.pier.jfr.RequestHandled;
import dev.pier.metrics.ServerStatistics;
import dev.pier.unix.StopSignals;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The template of every server, as in Python's {@code socketserver.BaseServer}: it waits for a request, verifies
 * it, and hands it to its {@link Concurrency} strategy, which runs a fresh handler for it. Subclasses say what a
 * request is ({@link TcpServer}, {@link UdpServer}, {@link UnixStreamServer}, {@link UnixDatagramServer}); every
 * step is a protected hook that a subclass may override.
 *
 * <pre>{@code
 * class EchoHandler extends StreamRequestHandler {
 *     protected void handle() throws IOException {
 *         for (String line; (line = readLine()) != null; ) {
 *             out().write((line + "\n").getBytes(UTF_8));
 *         }
 *     }
 * }
 * try (var server = new TcpServer(new InetSocketAddress("127.0.0.1", 8007), EchoHandler::new)) {
 *     server.serveForever();   // until another thread, or a handler, calls server.shutdown()
 * }
 * }</pre>
 *
 * <p><b>One request:</b> {@link #getRequest} → {@link #verifyRequest} → {@link #processRequest} (the concurrency
 * strategy) → {@link #finishRequest} (handler setup, handle, finish) → {@link #handleError} if that threw →
 * {@link #shutdownRequest} → {@link #closeRequest}. A rejected request goes straight to {@code shutdownRequest}.
 * An {@code IOException} from {@code getRequest} (most often: no descriptors left) pauses taking requests
 * for a moment, while those in progress go on; an {@code Exception} from a
 * hook or handler goes to {@code handleError} and serving continues; an {@code Error} shuts the request down and
 * propagates out of {@link #serveForever()}, also from a handler on a thread of its own: a server that ran out of
 * memory or cannot load a class should stop rather than go on failing every request.
 *
 * <p><b>Life:</b> the constructor binds and activates unless {@link ServerOptions#bindAndActivate()} is false (do
 * that when a subclass's {@link #serverBind()} uses its own fields, which are not yet set while a superclass
 * constructor runs; then call {@link #bindAndActivate()}). If binding fails the socket is closed before the
 * exception escapes. {@link #close()} stops listening (a stream server's late clients are refused), stops serving,
 * closes the socket and waits, within the strategy's grace period, for requests still running.
 *
 * @param <R> what one request is: {@code SocketChannel} for stream servers, {@link DatagramRequest} for datagram
 *            servers
 */
public abstract class BaseServer<R> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BaseServer.class.getName());

    /** How many requests {@link #serveForever()} takes from the socket, at most, each time it finds it ready. */
    private static final int REQUESTS_PER_WAKE_UP = 32;

    private final RequestHandlerFactory<R> handlerFactory;
    private final ServerOptions options;
    private final RequestDispatcher dispatcher;
    private final ServerCounters counters = new ServerCounters();

    private final Object lock = new Object();
    private Thread servingThread;            // guarded by lock; the thread inside serveForever, if any
    private long loopsFinished;              // guarded by lock
    private boolean closed;                  // guarded by lock
    private volatile boolean shutdownRequested;
    private List<IncomingRequest<R>> takenAtClose = List.of();   // guarded by lock; for the loop to serve last
    private final AtomicReference<Error> requestThreadFailure = new AtomicReference<>();
    /** Whether the last try to take a request failed; only the serving thread uses it. */
    private boolean takingRequestsFailed;

    /** How long serving pauses after taking a request failed, as the reactor pauses accepting. */
    private static final Duration REQUEST_RETRY_DELAY = Duration.ofMillis(100);

    protected BaseServer(RequestHandlerFactory<R> handlerFactory, ServerOptions options) {
        this.handlerFactory = Objects.requireNonNull(handlerFactory, "handlerFactory");
        this.options = Objects.requireNonNull(options, "options");
        this.dispatcher = RequestDispatcher.forServer(this, options.concurrency());
        if (!options.layers().isEmpty()) {
            VirtualThreadPollers.start();   // a layered connection reads on a virtual thread
        }
    }

    /** The settings this server was made with. */
    public final ServerOptions options() {
        return options;
    }

    /** The address the server is bound to, with port 0 resolved to the real port. */
    public abstract SocketAddress address();

    /** Binds and activates the server; the constructor does this unless told not to. On failure, closes. */
    public final void bindAndActivate() throws IOException {
        try {
            dispatcher.bindAndActivate(() -> {
                serverBind();
                serverActivate();
            });
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    // ---- serving ----

    /**
     * Handles requests until {@link #shutdown()} is called or the thread is interrupted. Calls
     * {@link #serviceActions()} after each request. Prefer {@code shutdown()} to interrupting: an interrupt that
     * lands while a channel operation runs makes NIO close that channel.
     *
     * @throws IllegalStateException if the server is closed or another thread is already serving
     * @throws IOException           if the listening socket stops working (for example it was closed)
     * @throws Error                 what a request's handler threw, on whichever thread it ran
     */
    public void serveForever() throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (servingThread != null) {
                throw new IllegalStateException("serveForever is already running on " + servingThread.getName());
            }
            servingThread = Thread.currentThread();
        }
        try {
            dispatcher.serve(this::serveUntilShutdown);
        } finally {
            synchronized (lock) {
                shutdownRequested = false;
                servingThread = null;
                loopsFinished++;
                lock.notifyAll();
            }
        }
    }

    /**
     * Serves, as {@link #serveForever()}, until SIGTERM, SIGINT (Ctrl-C), SIGHUP or {@link #shutdown()}; then closes
     * the server: it stops listening and gives the requests in progress up to {@code grace} to finish (a second signal
     * cuts that short) and returns, so that {@code main} can return and the JVM exit with status 0 (without this,
     * such a signal ends the JVM with status 143 or 130 and no drain). Requests still running when it returns are
     * left to the concurrency strategy, as after {@link #close()}: on daemon threads, they end with the JVM.
     *
     * <pre>{@code
     * try (var server = new TcpServer("127.0.0.1", 8007, EchoHandler::new, options)) {
     *     System.out.println("Serving on " + server.address());
     *     server.serveUntilStopSignal(Duration.ofSeconds(5));
     * }
     * }</pre>
     *
     * @see StopSignals
     */
    public void serveUntilStopSignal(Duration grace) throws IOException {
        Objects.requireNonNull(grace, "grace");
        StopSignals signals = StopSignals.install();
        // close(), not just shutdown(): it stops listening first, so clients who come during the drain are refused.
        CompletableFuture<Void> closedOnSignal =
                signals.stopRequested().thenRunAsync(this::close, Thread::startVirtualThread);
        try {
            serveForever();
        } finally {
            CompletableFuture<Void> closed = signals.stopRequested().isDone() ? closedOnSignal
                    : CompletableFuture.runAsync(this::close, Thread::startVirtualThread);
            try {
                CompletableFuture.anyOf(closed, signals.stopInsisted()).get(grace.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException stillDraining) {
                LOG.log(Level.INFO, "{0}: the grace period of {1} is over; requests still running are left to the"
                        + " concurrency strategy", this, grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException("closing " + this + " failed", e.getCause());
            }
        }
    }

    /**
     * Handles one request, waiting at most {@link ServerOptions#timeout()} for it to arrive; if none does, calls
     * {@link #handleTimeout()} instead.
     *
     * @throws IllegalStateException if the server is closed or {@link #serveForever()} runs on another thread
     */
    public void handleRequest() throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (servingThread != null && servingThread != Thread.currentThread()) {
                throw new IllegalStateException("serveForever is running on " + servingThread.getName());
            }
        }
        dispatcher.serve(this::handleOneRequest);
    }

    private void serveUntilShutdown() throws IOException {
        while (!shutdownRequested && !Thread.currentThread().isInterrupted()) {
            if (awaitRequest(null)) {
                // A socket found ready often holds more (a burst of datagrams, connections queued together): they
                // are taken without waiting on the socket again, up to a limit that keeps shutdown() prompt.
                for (int taken = 1; handleReadyRequest() && taken < REQUESTS_PER_WAKE_UP && !shutdownRequested;
                        taken++) {
                    afterRequest();
                }
            }
            afterRequest();
        }
        serveTakenAtClose();
        throwRequestThreadFailure();
    }

    private void afterRequest() {
        dispatcher.serviceActions();
        serviceActions();
        throwRequestThreadFailure();
    }

    /** The connections the socket had queued when {@link #close()} stopped listening: clients like the others. */
    private void serveTakenAtClose() throws IOException {
        List<IncomingRequest<R>> last;
        synchronized (lock) {
            last = takenAtClose;
            takenAtClose = List.of();
        }
        for (IncomingRequest<R> incoming : last) {
            handle(incoming);
        }
    }

    /** Throws the Error a handler hit on a thread of its own, here on the serving thread. */
    private void throwRequestThreadFailure() {
        if (requestThreadFailure.getAndSet(null) instanceof Error failure) {
            throw failure;
        }
    }

    private void handleOneRequest() throws IOException {
        Duration timeout = options.timeout();
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = timeout == null ? null : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (awaitRequest(left)) {
                handleReadyRequest();
                throwRequestThreadFailure();
                return;
            }
            if (left != null && left.isZero()) {
                dispatcher.serviceActions();
                handleTimeout();
                return;
            }
        }
    }

    /**
     * Stops {@link #serveForever()} and waits until it has returned. Returns at once, without waiting, when
     * called from the serving thread or from one of this server's handlers: the loop then stops after the
     * current request. If no loop is running, the next {@code serveForever()} returns at once.
     */
    public void shutdown() {
        Thread loop;
        long loopNumber;
        synchronized (lock) {
            shutdownRequested = true;
            loop = servingThread;
            loopNumber = loopsFinished;
            lock.notifyAll();   // a loop pausing after a failed request
        }
        wakeUp();
        if (loop == null || loop == Thread.currentThread() || dispatcher.isRequestThread(Thread.currentThread())) {
            return;
        }
        boolean interrupted = false;
        synchronized (lock) {
            while (servingThread == loop && loopsFinished == loopNumber) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops serving (as {@link #shutdown()}), closes the socket ({@link #serverClose()}) and waits for requests
     * still running as the concurrency strategy says. A stream server stops listening first, so that clients who
     * come while the requests in progress finish are refused rather than queued and then reset; those the socket had
     * queued already are taken and served as the last requests of the loop. Idempotent.
     */
    @Override
    public final void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            List<IncomingRequest<R>> queued = stopListening();
            synchronized (lock) {
                takenAtClose = queued;
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Closing the listening socket of " + this + " failed", e);
        }
        shutdown();
        List<IncomingRequest<R>> unserved;
        synchronized (lock) {
            // With no loop to serve them (or one that ended meanwhile), nobody will.
            unserved = servingThread == null ? takenAtClose : List.of();
            if (servingThread == null) {
                takenAtClose = List.of();
            }
        }
        unserved.forEach(incoming -> shutdownRequest(incoming.request()));
        try {
            serverClose();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Closing " + this + " failed", e);
        } finally {
            dispatcher.close();
        }
    }

    /**
     * The requests being handled now, e.g. to say how many a drain waits for; empty where the concurrency cannot
     * tell ({@link Concurrency#forking()}: its children handle them). Safe from any thread.
     */
    public final OptionalInt requestsInProgress() {
        return dispatcher.requestsInProgress();
    }

    /**
     * What the server counted since it was made: requests (connections) taken and refused, bytes its handlers' streams
     * received and sent, and exceptions reported to {@link #handleError} (see {@link ServerStatistics}). The counts
     * stay readable after {@link #close()}. Safe from any thread.
     *
     * <p>Bytes are counted in {@link StreamRequestHandler}'s {@code in()} and {@code out()} (and below its layers, on
     * the socket); a handler that reads or writes {@code request()}, the channel, directly is not counted. With
     * {@link Concurrency#forking()}, the children handle the requests: this process counts what it sees, the
     * requests taken and refused, and as errors the requests it could not hand over and those whose child exited
     * with a failure status; bytes are not counted.
     */
    public final ServerStatistics statistics() {
        return counters.snapshot();
    }

    /** What this server counts, for its handlers and its concurrency strategy. */
    final ServerCounters counters() {
        return counters;
    }

    /** Whether {@link #close()} has been called. */
    public final boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    // ---- hooks: binding, waiting, accepting ----

    /** Binds the socket to the requested address (for stream servers NIO also starts listening here). */
    protected abstract void serverBind() throws IOException;

    /** Prepares the bound socket for the serving loop (Python: listen). */
    protected void serverActivate() throws IOException {
    }

    /**
     * Waits until {@link #getRequest()} has something to return, {@code timeout} passes ({@code null}: no limit)
     * or {@link #wakeUp()} is called.
     *
     * @return true if a request seems ready ({@code getRequest} may still find nothing and return null)
     */
    protected abstract boolean awaitRequest(Duration timeout) throws IOException;

    /** Makes a running or the next {@link #awaitRequest} return promptly; called by {@link #shutdown()}. */
    protected abstract void wakeUp();

    /**
     * Accepts a connection or receives a datagram without blocking for long.
     *
     * @return the request, or {@code null} if there was none after all
     */
    protected abstract IncomingRequest<R> getRequest() throws IOException;

    /**
     * Stops new requests from arriving while the requests in progress finish; called once by {@link #close()},
     * before it waits for the serving loop. Returns the requests that had arrived already and would be lost, for the
     * loop to serve. Default: nothing (a datagram server still replies on its socket).
     */
    List<IncomingRequest<R>> stopListening() throws IOException {
        return List.of();
    }

    /** Closes the server's socket; called once by {@link #close()}. */
    protected abstract void serverClose() throws IOException;

    // ---- hooks: one request ----

    /** Whether to handle this request; false drops it (the client sees end of stream). Default: true. */
    protected boolean verifyRequest(R request, SocketAddress clientAddress) throws Exception {
        return true;
    }

    /** Hands the request to the concurrency strategy, which calls {@link #finishRequest} where it runs it. */
    protected void processRequest(R request, SocketAddress clientAddress) throws Exception {
        dispatcher.dispatch(new RequestDispatcher.RequestJob(request, clientAddress,
                () -> runRequest(request, clientAddress), () -> closeRequest(request)));
    }

    /** Makes a handler for the request and runs it: setup, handle, finish. */
    protected void finishRequest(R request, SocketAddress clientAddress) throws Exception {
        handlerFactory.newHandler().run(request, clientAddress, this);
    }

    /** Ends a request after handling it: for connections, half-closes then {@link #closeRequest}s it. */
    protected void shutdownRequest(R request) {
        closeRequest(request);
    }

    /** Releases the request (closes a connection; nothing for a datagram). Must not throw. */
    protected void closeRequest(R request) {
    }

    /**
     * Reports a failed request; the server goes on serving. Default: logs it with the client's address; a client
     * that reset the connection is routine and gets one INFO line without a stack trace.
     */
    protected void handleError(R request, SocketAddress clientAddress, Exception error) {
        if (isPeerGone(error)) {
            LOG.log(Level.INFO, "{0} dropped the connection: {1}", clientAddress, error.getMessage());
            return;
        }
        LOG.log(Level.ERROR, () -> "Exception while handling a request from " + clientAddress, error);
    }

    /** The JDK's words for a peer that reset the connection or stopped reading from it. */
    private static boolean isPeerGone(Exception error) {
        String message = String.valueOf(error.getMessage());
        return error instanceof IOException
                && (message.startsWith("Connection reset") || message.equals("Broken pipe"));
    }

    /** Called by {@link #handleRequest()} when no request came within the timeout. Default: nothing. */
    protected void handleTimeout() {
    }

    /** Called by {@link #serveForever()} after each request. Default: nothing. */
    protected void serviceActions() {
    }

    // ---- internals ----

    /** Takes a request and handles it; false if there was none to take. */
    private boolean handleReadyRequest() throws IOException {
        IncomingRequest<R> incoming;
        try {
            incoming = getRequest();
        } catch (ClosedChannelException e) {
            if (isClosed()) {
                return false;   // closed while serving, as by a handler calling close(): the loop stops
            }
            throw e;
        } catch (IOException e) {
            pauseAfterFailedRequest(e);
            return false;
        }
        if (incoming == null) {
            return false;
        }
        if (takingRequestsFailed) {
            takingRequestsFailed = false;
            LOG.log(Level.INFO, "{0}: taking requests again", this);
        }
        handle(incoming);
        return true;
    }

    /** Verifies and processes one request taken from the socket. */
    private void handle(IncomingRequest<R> incoming) throws IOException {
        R request = incoming.request();
        SocketAddress client = incoming.clientAddress();
        counters.accepted();
        try {
            if (!verifyRequest(request, client)) {
                counters.refused();
                shutdownRequest(request);
                return;
            }
        } catch (Exception e) {
            counters.refused();
            counters.failed(e);
            handleError(request, client, e);
            shutdownRequest(request);
            return;
        } catch (Error e) {
            shutdownRequest(request);
            throw e;
        }
        try {
            processRequest(request, client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdownRequest(request);
        } catch (Exception e) {
            // The strategy could not take the request, so no handler will shut it down.
            counters.failed(e);
            handleError(request, client, e);
            shutdownRequest(request);
        }
    }

    /**
     * Waits a while after taking a request failed, most often for want of descriptors ("Too many open files"):
     * retrying at once would spin the serving thread at full speed while requests in progress, which hold the
     * descriptors, go on and free them. Logged once per episode, not once per try.
     */
    private void pauseAfterFailedRequest(IOException failure) {
        if (!takingRequestsFailed) {
            takingRequestsFailed = true;
            LOG.log(Level.WARNING, "{0}: taking a request failed ({1}); requests in progress go on, retrying every"
                    + " {2} ms until it works", this, failure.getMessage(), REQUEST_RETRY_DELAY.toMillis());
        }
        synchronized (lock) {
            if (!shutdownRequested) {
                try {
                    lock.wait(REQUEST_RETRY_DELAY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * The whole life of one request, wherever the strategy runs it: finishRequest, handleError if that threw,
     * shutdownRequest.
     *
     * @return false if the request failed (handleError was called)
     */
    final boolean runRequest(R request, SocketAddress client) {
        // No wrapper frames here: a virtual thread blocked in a handler keeps every frame below it, per connection.
        RequestHandled event = new RequestHandled();
        event.begin();
        boolean failed = true;
        try {
            finishRequest(request, client);
            failed = false;
            return true;
        } catch (Exception e) {
            counters.failed(e);
            handleError(request, client, e);
            return false;
        } catch (Error e) {
            if (!dispatcher.isRequestThread(Thread.currentThread())) {
                throw e;
            }
            boolean serving;
            synchronized (lock) {
                serving = servingThread != null;
            }
            if (serving) {
                // Handed to the serving thread, which throws it from serveForever; the request thread ends quietly.
                requestThreadFailure.compareAndSet(null, e);
                wakeUp();
            } else {
                LOG.log(Level.ERROR, "A request of " + this + " from " + client + " failed after serving ended", e);
            }
            return false;
        } finally {
            shutdownRequest(request);
            event.end();
            if (event.shouldCommit()) {
                event.commit(client, failed);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** The running state of the concurrency strategy (for tests). */
    final RequestDispatcher dispatcher() {
        return dispatcher;
    }
}
