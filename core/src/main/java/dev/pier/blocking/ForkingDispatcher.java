package dev.pier.blocking;

import dev.pier.libc.JvmFlags;
import dev.pier.libc.LibC;
import dev.pier.logging.RateLimitedLog;
import dev.pier.unix.Descriptors;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parent side of {@link Forking}: starts child JVMs, keeps some of them warm, hands each request to one of them
 * over a private Unix control socket, and reaps them through {@link Process#onExit()} (which waits for that
 * process only: a forking server never reaps a process it did not start).
 */
final class ForkingDispatcher implements RequestDispatcher {

    static final String CONTROL_SOCKET_VARIABLE = "PIER_FORK_CHANNEL";
    static final String SERVER_NUMBER_VARIABLE = "PIER_FORK_SERVER";

    private static final System.Logger LOG = System.getLogger(ForkingDispatcher.class.getName());
    private static final int STDERR = 2;
    /** Above this, a process's exit status is 128 plus the signal that ended it. */
    private static final int SIGNAL_EXIT_STATUS = 128;
    private static final AtomicInteger FORKING_SERVERS = new AtomicInteger();
    /** A request whose hand-over fails because its child just died is offered to this many children in all. */
    private static final int HAND_OVER_ATTEMPTS = 3;
    /** A connected child waits for its request and answers at once; this long means it is stuck. */
    private static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(10);
    /** What a child's start is taken to cost until the first one has connected and told. */
    private static final Duration FIRST_START_ESTIMATE = Duration.ofSeconds(1);
    /** How long close waits for killed children to be gone. */
    private static final long KILL_WAIT_SECONDS = 10;

    private final BaseServer<?> server;
    private final Forking strategy;
    private final int serverNumber;
    /** Children that cannot start fail every request alike: one line now and then says so. */
    private final RateLimitedLog startFailures = RateLimitedLog.of(LOG);

    private final Object lock = new Object();
    private final Set<Child> live = new LinkedHashSet<>();           // started and not yet exited
    private final Map<Long, Child> connecting = new HashMap<>();      // started, not yet connected, by pid
    private final ArrayDeque<Child> idle = new ArrayDeque<>();        // connected, waiting for a request
    private int waitingRequests;                                      // dispatch calls waiting for an idle child
    private final ArrayDeque<Long> retiringTaken = new ArrayDeque<>(); // when a child was taken for its last request
    private long childStartNanos = FIRST_START_ESTIMATE.toNanos();    // a child's start to ready, on average
    private IOException startFailure;                                 // the last child that could not start
    private boolean closed;
    private Path directory;
    private ServerSocketChannel control;
    private Thread acceptor;
    private Thread starter;
    private List<String> command;
    /** A JVM that exits without closing its server (System.exit, SIGTERM) leaves no child serving on. */
    private final Thread killChildrenOnExit = new Thread(this::killAll, "pier-fork-exit");

    private ForkingDispatcher(BaseServer<?> server, Forking strategy, int serverNumber) {
        this.server = server;
        this.strategy = strategy;
        this.serverNumber = serverNumber;
    }

    /** The parent dispatcher, or in a child JVM (as the environment tells) the child's role. */
    static RequestDispatcher forServer(BaseServer<?> server, Forking strategy) {
        // Parent and child pass descriptors to each other on every request: a JVM that cannot must fail here, while
        // the server is built, not after it has said it is ready.
        String what = "a forking server (Concurrency.forking())";
        JvmFlags.requireNativeAccess(what);
        JvmFlags.requireChannelDescriptors(what);
        LibC.requireSupportedPlatform();
        int number = FORKING_SERVERS.getAndIncrement();
        String controlSocket = System.getenv(CONTROL_SOCKET_VARIABLE);
        if (controlSocket != null) {
            return new ForkedChild(server, Path.of(controlSocket),
                    Integer.toString(number).equals(System.getenv(SERVER_NUMBER_VARIABLE)));
        }
        return new ForkingDispatcher(server, strategy, number);
    }

    /** One child JVM. Its fields are guarded by the dispatcher's lock. */
    private static final class Child {
        final Process process;
        final ChildWords startWords;
        final long startedAt = System.nanoTime();
        boolean startTimedOut;
        SocketChannel control;
        SocketAddress client;   // the request it was given, if any
        RequestJob request;     // that request, whose copy here is released once the child finished or exited
        int served;             // requests handed to it
        boolean retired;        // served its last request: told to exit
        boolean exited;

        Child(Process process) {
            this.process = process;
            this.startWords = ChildWords.readFrom(process);
        }
    }

    @Override
    public void serving() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (control == null) {
                openControlSocket();
            }
            lock.notifyAll();
        }
    }

    /** Creates the control socket in a private directory and starts the threads that accept and start children. */
    private void openControlSocket() {
        try {
            command = ChildCommand.of(strategy);
            directory = Files.createTempDirectory("pier-fork",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Forking.writeKept(directory);
            control = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                    .bind(UnixDomainSocketAddress.of(directory.resolve("control")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the control socket for forked children", e);
        }
        acceptor = Thread.ofPlatform().daemon().name("pier-fork-acceptor-" + serverNumber).start(this::acceptChildren);
        Runtime.getRuntime().addShutdownHook(killChildrenOnExit);
        starter = Thread.ofPlatform().daemon().name("pier-fork-starter-" + serverNumber).start(this::startChildren);
    }

    @Override
    public void dispatch(RequestJob job) throws InterruptedException {
        HandOver.Described request;
        try {
            request = HandOver.describe(server, job.request(), job.clientAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot describe the request for a child process", e);
        }
        ByteBuffer message = ByteBuffer.allocate(Integer.BYTES + request.details().remaining())
                .putInt(request.details().remaining()).put(request.details().duplicate()).flip();
        for (int attempt = 1; ; attempt++) {
            Child child = takeIdleChild();
            try {
                Descriptors.sendDescriptor(child.control, request.fd(), message.duplicate());
                awaitTaken(child);
                RequestJob exitedMeanwhile;
                synchronized (lock) {
                    child.client = job.clientAddress();
                    child.request = job;
                    child.served++;
                    exitedMeanwhile = child.exited ? takeRequest(child) : null;
                }
                if (exitedMeanwhile != null) {
                    release(exitedMeanwhile, child.process.exitValue() == 0);
                } else {
                    Thread.ofVirtual().name("pier-fork-busy-" + child.process.pid()).start(() -> awaitFinished(child));
                }
                return;
            } catch (IOException e) {
                // The child died after connecting, or is stuck: it has not taken the request. Its exit is reaped as
                // usual.
                child.process.destroyForcibly();
                if (attempt == HAND_OVER_ATTEMPTS) {
                    throw new UncheckedIOException("cannot hand the request to a child process: the last one tried ("
                            + child.process.pid() + ") did not take it", e);
                }
            }
        }
    }

    /**
     * Waits for the child to say it holds the request. A child that dies first (killed while idle, say) did not
     * take it, and the request can go to another child instead of being lost.
     */
    private static void awaitTaken(Child child) throws IOException {
        SocketChannel control = child.control;
        ByteBuffer answer = ByteBuffer.allocate(1);
        long deadline = System.nanoTime() + HAND_OVER_TIMEOUT.toNanos();
        control.configureBlocking(false);   // a Unix socket channel has no read timeout: wait with a selector
        try (Selector selector = Selector.open()) {
            control.register(selector, SelectionKey.OP_READ);
            while (true) {
                if (control.read(answer) < 0) {
                    throw new EOFException("the child ended before it took the request");
                }
                if (!answer.hasRemaining()) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("the child did not take the request within " + HAND_OVER_TIMEOUT);
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                selector.selectedKeys().clear();
            }
        }
        if (answer.get(0) != ForkedChild.TOOK_REQUEST) {
            throw new IOException("the child answered the hand-over with " + answer.get(0));
        }
    }

    /**
     * Waits for a busy child to say its handler returned, then releases the request and hands the child the next
     * one, or tells it to exit (closing its control socket) after its last. A child that dies first says nothing:
     * its exit releases the request.
     */
    private void awaitFinished(Child child) {
        ByteBuffer answer = ByteBuffer.allocate(1);
        try {
            child.control.configureBlocking(true);
            if (child.control.read(answer) <= 0) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        if (answer.get(0) != ForkedChild.FINISHED) {
            // The handler threw: the child's handleError saw it, not this process. Counted before the child can take
            // its next request, so whoever that request serves sees the count.
            server.counters().failed();
        }
        RequestJob finished;
        boolean again;
        synchronized (lock) {
            finished = takeRequest(child);
            child.client = null;
            again = !closed && !child.exited && child.served < strategy.requestsPerChild();
            if (again) {
                idle.add(child);
                lock.notifyAll();
            } else {
                child.retired = true;
            }
        }
        if (finished != null) {
            release(finished, answer.get(0) == ForkedChild.FINISHED);
        }
        if (!again) {
            closeQuietly(child.control);
        }
    }

    /** The request a child holds, taken so that it is released once only. Called with the lock held. */
    private static RequestJob takeRequest(Child child) {
        RequestJob request = child.request;
        child.request = null;
        return request;
    }

    /**
     * Closes this process's copy of a request once its child has finished it or exited. The child shut its connection
     * down if it finished the request; if it died instead (killed, crashed), this copy is the last one, and closing
     * it with a reset tells the client the reply was cut short: a normal close would make a truncated reply look
     * whole.
     */
    private static void release(RequestJob job, boolean childFinished) {
        if (!childFinished && job.request() instanceof SocketChannel connection) {
            resetOnClose(connection);
        }
        job.release().run();
    }

    private static void resetOnClose(SocketChannel connection) {
        try {
            connection.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Could not arrange a reset for a request whose child died", e);
        }
    }

    /** Waits for a connected child, asking the starter for one; fails when children cannot start. */
    private Child takeIdleChild() throws InterruptedException {
        synchronized (lock) {
            waitingRequests++;
            startFailure = null;
            lock.notifyAll();
            try {
                while (true) {
                    if (closed) {
                        throw new IllegalStateException("the server is closed");
                    }
                    Child child = idle.poll();
                    if (child != null) {
                        if (child.served + 1 == strategy.requestsPerChild()) {
                            retiringTaken.add(System.nanoTime());
                        }
                        lock.notifyAll();   // the starter may replace it
                        return child;
                    }
                    if (startFailure != null) {
                        throw new UncheckedIOException(startFailure);
                    }
                    lock.wait();
                }
            } finally {
                waitingRequests--;
            }
        }
    }

    /**
     * Whether the starter should start a child now: for a waiting request, or to keep the warm ones. A child taken
     * for its last request is replaced at once, and while its replacement starts, those taken meanwhile are too: at
     * a steady rate, as many children are starting as requests come during one child's start, and the warm ones
     * stay ready. Called with the lock held.
     */
    private boolean childWanted() {
        int coming = idle.size() + connecting.size();
        int warm = strategy.warmChildren() == 0 ? 0 : strategy.warmChildren() + retiredDuringOneStart();
        return control != null && live.size() < strategy.maxChildren() && startFailure == null
                && (coming < warm || coming < waitingRequests);
    }

    /** How many children were taken for their last request within one child's start time. */
    private int retiredDuringOneStart() {
        long since = System.nanoTime() - childStartNanos;
        while (!retiringTaken.isEmpty() && retiringTaken.peekFirst() - since < 0) {
            retiringTaken.removeFirst();
        }
        return retiringTaken.size();
    }

    /** The starter thread: starts children one at a time, whenever {@link #childWanted()}. */
    private void startChildren() {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                // Until it connects, a child's standard error comes here: what a child that cannot start says is
                // then logged with its exit. Once connected, it writes to this process's standard error itself.
                .redirectError(ProcessBuilder.Redirect.PIPE);
        builder.environment().put(CONTROL_SOCKET_VARIABLE, directory.resolve("control").toString());
        builder.environment().put(SERVER_NUMBER_VARIABLE,
                Integer.toString(strategy.childMain() == null ? serverNumber : 0));
        while (true) {
            synchronized (lock) {
                while (!closed && !childWanted()) {
                    try {
                        lock.wait(killChildrenSlowToStart());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                synchronized (lock) {
                    startFailure = new IOException("cannot start a child JVM with " + command + ": " + e.getMessage(),
                            e);
                    lock.notifyAll();
                }
                continue;
            }
            Child child = new Child(process);
            synchronized (lock) {
                // Registered even when closing meanwhile: close waits for this thread, then kills what it finds.
                live.add(child);
                connecting.put(process.pid(), child);
            }
            process.onExit().thenRun(() -> exited(child));
        }
    }

    /**
     * Kills the children that have not connected within the start timeout; returns how long until the next one
     * would time out, in milliseconds (0: none is starting). Called with the lock held.
     */
    private long killChildrenSlowToStart() {
        long timeout = strategy.childStartTimeout().toNanos();
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (Child child : connecting.values()) {
            long left = child.startedAt + timeout - now;
            if (left <= 0) {
                if (!child.startTimedOut) {
                    child.startTimedOut = true;
                    child.process.destroyForcibly();
                }
            } else {
                next = Math.min(next, left);
            }
        }
        return next == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(next) + 1);
    }

    /** The acceptor thread: a child connects and says its pid; from then on it is idle. */
    private void acceptChildren() {
        while (true) {
            SocketChannel connection;
            try {
                connection = control.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Accepting a forked child failed", e);
                continue;
            }
            try {
                ByteBuffer pid = ByteBuffer.allocate(Long.BYTES);
                while (pid.hasRemaining()) {
                    if (connection.read(pid) < 0) {
                        throw new EOFException("a child closed the control socket before saying its pid");
                    }
                }
                Child child;
                synchronized (lock) {
                    child = connecting.get(pid.getLong(0));
                }
                if (child != null) {
                    Descriptors.sendDescriptor(connection, STDERR, ByteBuffer.wrap(new byte[] {'2'}));
                    synchronized (lock) {
                        if (connecting.remove(child.process.pid()) != null && !closed) {
                            long started = System.nanoTime() - child.startedAt;
                            childStartNanos += (started - childStartNanos) / 4;
                            LOG.log(Level.DEBUG, "Forked child (pid {0}) ready {1} ms after its start",
                                    Long.toString(child.process.pid()), TimeUnit.NANOSECONDS.toMillis(started));
                            child.control = connection;
                            idle.add(child);
                            lock.notifyAll();
                            continue;
                        }
                    }
                }
                connection.close(); // not one of ours, or too late
            } catch (IOException e) {
                closeQuietly(connection);
            }
        }
    }

    /** Reaps a child (the JDK already waited for it) and reports an unexpected end. */
    private void exited(Child child) {
        boolean neverConnected;
        SocketAddress client;
        RequestJob request;
        boolean closing;
        boolean timedOut;
        boolean retired;
        synchronized (lock) {
            timedOut = child.startTimedOut;
            retired = child.retired;
            live.remove(child);
            idle.remove(child);
            neverConnected = connecting.remove(child.process.pid()) != null;
            client = child.client;
            request = takeRequest(child);
            child.exited = true;
            closing = closed;
        }
        int status = child.process.exitValue();
        // Killed by someone else (an operator, the OOM killer) rather than unable to start: start another.
        boolean killed = !timedOut && status > SIGNAL_EXIT_STATUS;
        String words = neverConnected && !closing ? child.startWords.said() : "";
        synchronized (lock) {
            if (neverConnected && !closing && !killed) {
                startFailure = new IOException("a child JVM (pid " + child.process.pid() + ") "
                        + (timedOut ? "did not connect within " + strategy.childStartTimeout()
                                + " and was killed" : "exited with status " + child.process.exitValue())
                        + " before taking a request" + (words.isEmpty() ? "" : ", saying: " + words)
                        + "; it ran " + command
                        + " (a child must build the same server, with forking concurrency, and serve it)");
            }
            lock.notifyAll();
        }
        if (child.control != null) {
            closeQuietly(child.control);
        }
        if (request != null && status != 0) {
            server.counters().failed();   // the child died handling the request
        }
        if (request != null) {
            release(request, status == 0);
        }
        if (closing || retired) {
            return;
        }
        if (neverConnected && killed) {
            startFailures.log(Level.WARNING, "A forked child (pid {0}) was killed (status {1}) before taking a"
                    + " request; starting another", Long.toString(child.process.pid()), status);
        } else if (neverConnected) {
            startFailures.log(Level.ERROR, "A forked child (pid {0}) exited with status {1} before taking a"
                    + " request{2}{3}", Long.toString(child.process.pid()), status, timedOut
                            ? " (killed: it did not connect within " + strategy.childStartTimeout() + ")" : "",
                    words.isEmpty() ? "" : ", saying: " + words);
        } else if (client == null) {
            LOG.log(Level.WARNING, "A warm forked child (pid {0}) exited with status {1} while waiting for a request",
                    Long.toString(child.process.pid()), status);
        } else if (status != 0 && status != 1) {
            // 1 is a handler that threw (handleError reported it) or a fatal error the child logged before exiting.
            LOG.log(Level.WARNING, "The forked child (pid {0}) handling a request from {1} ended with status {2}",
                    Long.toString(child.process.pid()), client, status);
        }
    }

    private void killAll() {
        synchronized (lock) {
            for (Child child : live) {
                child.process.destroyForcibly();
                if (child.request != null && child.request.request() instanceof SocketChannel connection) {
                    resetOnClose(connection);   // closed as this process ends: the client sees a reply cut short
                }
            }
        }
    }

    /** Child processes alive now: warm, busy, or still starting (for tests and monitoring). */
    List<ProcessHandle> children() {
        synchronized (lock) {
            // A child waited for has exited, though the JDK may not have run its exit callback (which removes it) yet.
            return live.stream().map(child -> child.process.toHandle()).filter(ProcessHandle::isAlive).toList();
        }
    }

    /** Child processes alive now that were handed a request (for tests and monitoring). */
    List<ProcessHandle> busyChildren() {
        synchronized (lock) {
            return live.stream().filter(child -> child.client != null).map(child -> child.process.toHandle())
                    .filter(ProcessHandle::isAlive).toList();
        }
    }

    @Override
    public void close() {
        List<Child> children;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
        closeQuietly(control);
        joinQuietly(starter);
        joinQuietly(acceptor);
        if (control != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(killChildrenOnExit);
            } catch (IllegalStateException exiting) {
                // The hook is running or about to: it kills what close would.
            }
        }
        synchronized (lock) {
            children = List.copyOf(live);
            // Children without a request hold nothing worth a graceful end, and may still be starting up.
            for (Child child : children) {
                if (child.client == null) {
                    child.process.destroyForcibly();
                }
            }
        }
        long deadline = System.nanoTime() + strategy.closeGracePeriod().toNanos();
        boolean interrupted = false;
        for (Child child : children) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !child.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        long killedBusy = 0;
        for (Child child : children) {
            if (child.process.isAlive()) {
                child.process.destroyForcibly();
                synchronized (lock) {
                    killedBusy += child.client != null ? 1 : 0;
                }
            }
        }
        if (killedBusy > 0) {
            LOG.log(Level.WARNING, "Killed {0} forked child(ren) still handling a request after the close grace"
                    + " period of {1}", killedBusy, strategy.closeGracePeriod());
        }
        for (Child child : children) {
            try {
                child.process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        // Released here, not only when each exit is reaped: this process may end as soon as close returns.
        for (Child child : children) {
            RequestJob request;
            synchronized (lock) {
                request = takeRequest(child);
            }
            if (request != null) {
                release(request, !child.process.isAlive() && child.process.exitValue() == 0);
            }
        }
        removeDirectory();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeDirectory() {
        if (directory == null) {
            return;
        }
        try {
            Files.deleteIfExists(directory.resolve("control"));
            Path kept = directory.resolve(Forking.KEPT_DIRECTORY);
            if (Files.isDirectory(kept)) {
                try (var files = Files.list(kept)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Files.delete(file);
                    }
                }
                Files.delete(kept);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not remove the control socket directory " + directory, e);
        }
    }

    private static void joinQuietly(Thread thread) {
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Closing a control socket failed", e);
        }
    }
}
