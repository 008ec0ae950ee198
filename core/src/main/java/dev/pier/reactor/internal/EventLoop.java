package dev.pier.reactor.internal;

import dev.pier.jfr.LoopStall;
import dev.pier.logging.RateLimitedLog;
import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DelayedCall;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.ReactorOptions;
import dev.pier.reactor.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The single-threaded selector loop behind a {@link dev.pier.reactor.Reactor}. Everything here runs on the loop
 * thread except {@link #execute}, {@link #requestStop} and the methods that say otherwise.
 *
 * <p>One pass of the loop: select (the timeout is the time to the next timer, or none when work is waiting), handle
 * the ready channels, run the due timers, run the tasks other threads handed in, then flush the connections written
 * to during the pass — so the writes of one pass leave in one gathering write per connection.
 *
 * <p>A callback that throws is judged by {@link Callbacks#isRecoverable}: its own bug is logged and only what the
 * callback served (its connection) is closed; anything else stops the loop and is what {@link #terminated()} fails
 * with. A loop that dies quietly would leave a process that looks alive and serves nobody.
 */
public final class EventLoop {

    private enum State { NEW, RUNNING, STOPPING, STOPPED }

    private static final int MAX_TASKS_PER_PASS = 4096;
    /** How often the loop measures its lag, once asked to; {@link #NO_PROBE}: no probe is waiting. */
    private static final Duration LAG_PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final long NO_PROBE = Long.MIN_VALUE;

    private final ReactorOptions options;
    private final Scheduler scheduler;
    private final Logger logger;
    private final Selector selector;
    private final TimerQueue timers = new TimerQueue(this::nanoTime, this::checkInLoop);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ByteBuffer readBuffer;
    private final ByteBuffer[] gatherBuffers = new ByteBuffer[64];
    private final WriteChunks writeChunks = new WriteChunks(WriteChunks.DEFAULT_DIRECT_BUDGET);
    private final Set<LoopResource> connections = new LinkedHashSet<>();
    /** The size of {@link #connections}, for other threads, which must not touch the set. */
    private volatile int connectionCount;
    private final Set<LoopResource> connecting = new LinkedHashSet<>();
    private final Set<LoopResource> ports = new LinkedHashSet<>();
    private final Map<ProtocolFactory, Integer> factoryUsers = new IdentityHashMap<>();
    private final List<Supplier<? extends CompletionStage<?>>> shutdownHooks = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private List<StreamConnection> dirty = new ArrayList<>();
    private List<StreamConnection> flushing = new ArrayList<>();
    private List<Runnable> afterNextSelect = new ArrayList<>();
    private volatile State state = State.NEW;
    private volatile Thread thread;
    private boolean hooksDone;
    private DelayedCall drainDeadline;
    private long passes;
    private int dispatchDepth;
    /** Whether the work of the current pass has started, and its stall event while that event is enabled. */
    private boolean passStarted;
    private LoopStall stall;
    private final AtomicBoolean lagProbing = new AtomicBoolean();
    /** What the last probe measured; and when the probe now waiting to run was scheduled, or {@link #NO_PROBE}. */
    private volatile long lagNanos;
    private volatile long probeScheduledAt = NO_PROBE;

    public EventLoop(ReactorOptions options, Scheduler scheduler) {
        this.options = options;
        this.scheduler = scheduler;
        this.logger = options.logger();
        this.readBuffer = ByteBuffer.allocateDirect(options.readBufferSize());
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector: " + e.getMessage(), e);
        }
    }

    // ---- any thread ----

    public long nanoTime() {
        return options.nanoTime().getAsLong();
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} now if called on the loop thread, else hands it to the loop. */
    public void runInLoop(Runnable task) {
        if (inLoop()) {
            task.run();
        } else {
            execute(task);
        }
    }

    /**
     * Listens on a stream socket (TCP or Unix); binds at once, starts accepting on the loop thread. Accepted
     * connections go to the {@code workers} loops in turn (this loop alone: {@code List.of(this)}).
     */
    public ListeningPort listenStream(ServerSocketChannel channel, SocketAddress address, int backlog,
                                      ProtocolFactory factory, List<EventLoop> workers) throws IOException {
        if (state == State.STOPPED) {
            channel.close();
            throw stopped();
        }
        return StreamPort.listen(this, channel, address, backlog, Objects.requireNonNull(factory, "factory"),
                workers);
    }

    /** Accepts on a channel that listens already, this loop's own connections. */
    public ListeningPort serveStream(ServerSocketChannel channel, ProtocolFactory factory) throws IOException {
        if (state == State.STOPPED) {
            channel.close();
            throw stopped();
        }
        return StreamPort.serve(this, channel, Objects.requireNonNull(factory, "factory"));
    }

    /** Listens for UDP datagrams; {@code reusePort} lets other loops bind the same address (SO_REUSEPORT). */
    public ListeningPort listenUdp(SocketAddress address, DatagramProtocol protocol, boolean reusePort)
            throws IOException {
        requireNotStopped();
        return UdpPort.listen(this, address, Objects.requireNonNull(protocol, "protocol"), reusePort);
    }

    /** Receives UDP datagrams on {@code channel}, which is bound already. */
    public ListeningPort serveUdp(DatagramChannel channel, DatagramProtocol protocol) throws IOException {
        if (state == State.STOPPED) {
            channel.close();
            throw stopped();
        }
        return UdpPort.serve(this, channel, Objects.requireNonNull(protocol, "protocol"));
    }

    public ListeningPort listenUnixDatagram(Path path, DatagramProtocol protocol) throws IOException {
        requireNotStopped();
        return UnixDatagramPort.listen(this, path, Objects.requireNonNull(protocol, "protocol"));
    }

    /**
     * Connects to {@code target} ({@code family} null for TCP, UNIX for a Unix socket); an unresolved
     * {@link InetSocketAddress} is resolved on a virtual thread first, so a slow DNS lookup never holds the loop.
     * Cancelling the returned future abandons the attempt.
     */
    public CompletableFuture<Protocol> connect(ProtocolFamily family, SocketAddress target, SocketAddress bindAddress,
                                               ClientFactory factory, Duration timeout) {
        if (state == State.STOPPED) {
            return CompletableFuture.failedFuture(stopped());
        }
        return Connector.connect(this, family, target, bindAddress, Objects.requireNonNull(factory, "factory"),
                timeout);
    }

    private void requireNotStopped() {
        if (state == State.STOPPED) {
            throw stopped();
        }
    }

    private static IllegalStateException stopped() {
        return new IllegalStateException("the reactor has stopped; create a new one");
    }

    /**
     * Runs {@code task} on the loop thread soon; safe from any thread. Once the loop has stopped the task is
     * dropped and this returns false.
     */
    public boolean execute(Runnable task) {
        if (state == State.STOPPED) {
            logger.log(Level.DEBUG, "event loop stopped: dropped a task handed in from another thread");
            return false;
        }
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
        return true;
    }

    public DelayedCall callLater(Duration delay, Runnable task) {
        TimerQueue.Timer timer = timers.newTimer(delay, task);
        runInLoop(() -> timers.add(timer));
        return timer;
    }

    public void addShutdownHook(Supplier<? extends CompletionStage<?>> hook) {
        shutdownHooks.add(hook);
    }

    /** Starts the shutdown sequence; {@code grace} null means: wait for the hooks, then close everything at once. */
    public void requestStop(Duration grace) {
        execute(() -> beginStop(grace));
    }

    /** The connections open now; safe from any thread. */
    public int connectionCount() {
        return connectionCount;
    }

    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    public boolean isRunning() {
        State s = state;
        return s == State.RUNNING || s == State.STOPPING;
    }

    public boolean hasStarted() {
        return state != State.NEW;
    }

    public boolean hasStopped() {
        return state == State.STOPPED;
    }

    /**
     * How late the loop runs what is due: a probe, once a second, schedules a call for now and measures how long the
     * loop took to get to it; every connection of the loop waited as long. A probe still waiting counts for as long
     * as it has waited, so a loop held by a callback shows its lag growing while it is held. Probing starts at the
     * first call, which answers zero, and costs one timer a second. Safe from any thread.
     */
    public Duration lag() {
        if (!lagProbing.getAndSet(true)) {
            execute(this::probeLag);
        }
        long scheduled = probeScheduledAt;
        long waiting = scheduled == NO_PROBE ? 0 : nanoTime() - scheduled;
        return Duration.ofNanos(Math.max(lagNanos, waiting));
    }

    private void probeLag() {
        long scheduled = nanoTime();
        probeScheduledAt = scheduled;
        callLater(Duration.ZERO, () -> {
            lagNanos = nanoTime() - scheduled;
            probeScheduledAt = NO_PROBE;
            callLater(LAG_PROBE_INTERVAL, this::probeLag);
        });
    }

    /** How many times the loop has selected: a spinning loop shows up here. */
    public long passes() {
        return passes;
    }

    /**
     * Runs the loop on the calling thread until it is stopped.
     *
     * @throws Error                what stopped the loop, if it failed (also reported by {@link #terminated()})
     * @throws RuntimeException     ditto
     * @throws UncheckedIOException if the selector failed
     */
    public void run() {
        claim(Thread.currentThread());
        switch (loop()) {
            case null -> { }
            case IOException e -> throw new UncheckedIOException("the event loop failed: " + e.getMessage(), e);
            case Error error -> throw error;
            case Throwable unchecked -> throw (RuntimeException) unchecked;
        }
    }

    /** Runs the loop on a new platform thread called {@code name}; the loop counts as started at once. */
    public void start(String name) {
        // What stops a loop is reported by terminated(), not by the thread's uncaught-exception handler.
        Thread loopThread = Thread.ofPlatform().name(name).unstarted(this::loop);
        claim(loopThread);
        loopThread.start();
    }

    private synchronized void claim(Thread loopThread) {
        if (state != State.NEW) {
            throw new IllegalStateException("this reactor has already run; create a new one");
        }
        thread = loopThread;
        state = State.RUNNING;
    }

    /** Runs passes until stopped; returns what made the loop fail, null after a requested stop. */
    private Throwable loop() {
        Throwable failure = null;
        try {
            try {
                while (state != State.STOPPED) {
                    pass();
                }
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
                finish();
            }
        } catch (RuntimeException | Error whileClosing) {
            failure.addSuppressed(whileClosing);
        } finally {
            state = State.STOPPED;
            probeScheduledAt = NO_PROBE;   // it will not run: a stopped loop does not lag
            failure = release(failure);
            if (failure == null) {
                terminated.complete(null);
            } else {
                // Said here as well as through whenStopped(), which nobody may be watching (one loop of a group).
                logger.log(Level.ERROR, "the event loop failed and stopped: " + failure, failure);
                terminated.completeExceptionally(failure);
            }
        }
        return failure;
    }

    /** Closes the selector and runs the tasks handed in meanwhile; returns {@code failure} or what failed here. */
    private Throwable release(Throwable failure) {
        try {
            selector.close();
        } catch (IOException e) {
            logger.log(Level.WARNING, "closing the selector failed: " + e.getMessage(), e);
        }
        // Tasks handed in while the loop stopped still run, on a stopped loop: a connection handed over by another
        // loop's acceptor is closed, a deferred result still completes. Each runs even if one before it failed.
        for (Runnable task; (task = tasks.poll()) != null; ) {
            try {
                dispatch(task, task);
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    // ---- loop thread ----

    void checkInLoop(String what) {
        if (thread != null && !inLoop()) {
            throw new IllegalStateException(what + " must be called on the reactor's loop thread, not on "
                    + Thread.currentThread().getName() + "; use callFromThread");
        }
    }

    Scheduler scheduler() {
        return scheduler;
    }

    public ReactorOptions options() {
        return options;
    }

    Logger logger() {
        return logger;
    }

    /** A log for one kind of warning that peers can repeat at will, on this loop's clock. */
    RateLimitedLog repeatedWarnings() {
        return RateLimitedLog.of(logger, RateLimitedLog.DEFAULT_INTERVAL, options.nanoTime());
    }

    ByteBuffer readBuffer() {
        return readBuffer;
    }

    WriteChunks writeChunks() {
        return writeChunks;
    }

    /** Scratch space for one gathering write at a time: the loop is single-threaded. Leave it all null. */
    ByteBuffer[] gatherBuffers() {
        return gatherBuffers;
    }

    SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws IOException {
        return channel.register(selector, ops, handler);
    }

    void markDirty(StreamConnection connection) {
        dirty.add(connection);
    }

    void afterNextSelect(Runnable action) {
        afterNextSelect.add(action);
    }

    void connectionOpened(LoopResource connection) {
        connections.add(connection);
        connectionCount = connections.size();
    }

    void connectionClosed(LoopResource connection) {
        connections.remove(connection);
        connectionCount = connections.size();
        if (state == State.STOPPING && hooksDone && connections.isEmpty()) {
            finish();
        }
    }

    void connectingStarted(LoopResource connector) {
        connecting.add(connector);
    }

    void connectingEnded(LoopResource connector) {
        connecting.remove(connector);
    }

    void portOpened(LoopResource port) {
        ports.add(port);
    }

    void portClosed(LoopResource port) {
        ports.remove(port);
    }

    void startFactory(ProtocolFactory factory) {
        if (factoryUsers.merge(factory, 1, Integer::sum) == 1) {
            dispatch(factory::startFactory, "startFactory of " + factory);
        }
    }

    void stopFactory(ProtocolFactory factory) {
        if (factoryUsers.merge(factory, -1, Integer::sum) == 0) {
            factoryUsers.remove(factory);
            dispatch(factory::stopFactory, "stopFactory of " + factory);
        }
    }

    /** Runs one callback, logging a failure confined to it and warning when it held the loop too long. */
    void dispatch(Runnable callback, Object what) {
        long start = nanoTime();
        dispatchDepth++;
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            if (!Callbacks.isRecoverable(e)) {
                throw e;
            }
            logger.log(Level.ERROR, "callback " + what + " failed: " + e, e);
        } finally {
            dispatchDepth--;
            checkSlow(start, what);
        }
    }

    /** Warns about an outermost dispatch that held the loop too long (nested ones are part of it). */
    private void checkSlow(long start, Object what) {
        if (dispatchDepth > 0) {
            return;
        }
        long held = nanoTime() - start;
        if (held > options.slowCallbackThreshold().toNanos()) {
            String description = what instanceof LoopResource r ? r.describe() : String.valueOf(what);
            logger.log(Level.WARNING, "{0} held the event loop for {1,number,#} ms (limit {2,number,#} ms): every "
                    + "other connection waited; move blocking work to deferToThread", description,
                    TimeUnit.NANOSECONDS.toMillis(held), options.slowCallbackThreshold().toMillis());
        }
    }

    private void pass() throws IOException {
        if (!tasks.isEmpty() || !dirty.isEmpty() || !afterNextSelect.isEmpty()) {
            selector.selectNow(this::onReady);
        } else {
            long wait = timers.nanosUntilNext(nanoTime());
            if (wait < 0) {
                selector.select(this::onReady);
            } else if (wait == 0) {
                selector.selectNow(this::onReady);
            } else {
                selector.select(this::onReady, Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)));
            }
        }
        passes++;
        if (!passStarted) {
            startPass();
        }
        wakeupPending.set(false);
        if (!afterNextSelect.isEmpty()) {
            List<Runnable> actions = afterNextSelect;
            afterNextSelect = new ArrayList<>();
            actions.forEach(action -> dispatch(action, action));
        }
        runDueTimers(nanoTime());
        runTasks();
        flushDirty();
        endPass();
    }

    /**
     * Marks the start of a pass's work: at its first ready channel (handled inside the select call) or, if none,
     * once the select returned. The stall event reads the clock only while it is enabled.
     */
    private void startPass() {
        passStarted = true;
        LoopStall event = new LoopStall();
        if (event.isEnabled()) {
            event.begin();
            stall = event;
        }
    }

    private void endPass() {
        passStarted = false;
        LoopStall event = stall;
        if (event != null) {
            stall = null;
            event.end();
            if (event.shouldCommit()) {
                event.loop(Thread.currentThread().getName());
                event.commit();
            }
        }
    }

    /** Runs the timers due at {@code now}; timers they schedule run on a later pass. */
    private void runDueTimers(long now) {
        List<TimerQueue.Timer> due = new ArrayList<>();
        for (TimerQueue.Timer timer; (timer = timers.pollDue(now)) != null; ) {
            due.add(timer);
        }
        for (TimerQueue.Timer timer : due) {
            if (timer.start()) {
                dispatch(timer.task(), timer);
            }
        }
    }

    private void onReady(SelectionKey key) {
        if (!passStarted) {
            startPass();
        }
        if (key.isValid() && key.attachment() instanceof Handler handler) {
            long start = nanoTime();
            dispatchDepth++;
            try {
                handler.ready(key);
            } catch (RuntimeException | Error e) {
                if (!Callbacks.isRecoverable(e)) {
                    throw e;
                }
                logger.log(Level.ERROR, "unexpected failure handling " + handler.describe() + ": " + e, e);
            } finally {
                dispatchDepth--;
                checkSlow(start, handler);
            }
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_PASS; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            dispatch(task, task);
        }
    }

    private void flushDirty() {
        List<StreamConnection> batch = dirty;
        dirty = flushing;
        for (StreamConnection connection : batch) {
            if (connection.flushPending()) {
                connection.flushFromLoop();
            }
        }
        batch.clear();
        flushing = batch;
    }

    private void beginStop(Duration grace) {
        if (state == State.STOPPING && grace != null) {
            // A second stop during a drain, such as a second Ctrl-C, may bring its end closer, never push it back;
            // one that will not wait at all cuts the drain short.
            if (grace.isZero()) {
                finish(true);
            } else {
                callLater(grace, this::finish);
            }
            return;
        }
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPING;
        for (LoopResource port : List.copyOf(ports)) {
            port.closeForShutdown();
        }
        if (grace != null) {
            drainDeadline = callLater(grace, () -> {
                if (!connections.isEmpty()) {
                    logger.log(Level.INFO, "shutdown grace period over: closing {0,number,#} remaining connections",
                            connections.size());
                }
                finish();
            });
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (Supplier<? extends CompletionStage<?>> hook : shutdownHooks) {
            try {
                CompletionStage<?> stage = hook.get();
                if (stage != null) {
                    pending.add(stage.toCompletableFuture());
                }
            } catch (RuntimeException | Error e) {
                if (!Callbacks.isRecoverable(e)) {
                    throw e;
                }
                logger.log(Level.ERROR, "shutdown hook " + hook + " failed: " + e, e);
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            if (failure != null) {
                logger.log(Level.ERROR, "a shutdown hook failed: " + failure, failure);
            }
            execute(() -> {
                hooksDone = true;
                if (grace == null || connections.isEmpty()) {
                    finish();
                }
            });
        });
    }

    private void finish() {
        finish(false);
    }

    /** Closes everything; {@code cutShort}: connections are reset, as their work was not done. */
    private void finish(boolean cutShort) {
        if (state == State.STOPPED) {
            return;
        }
        if (drainDeadline != null) {
            drainDeadline.cancel();
        }
        for (LoopResource port : List.copyOf(ports)) {
            port.closeForShutdown();
        }
        for (LoopResource connector : List.copyOf(connecting)) {
            connector.closeForShutdown();
        }
        for (LoopResource connection : List.copyOf(connections)) {
            if (cutShort) {
                connection.abortForShutdown();
            } else {
                connection.closeForShutdown();
            }
        }
        state = State.STOPPED;
    }
}
