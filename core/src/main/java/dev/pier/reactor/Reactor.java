package dev.pier.reactor;

import dev.pier.binding.BindFailures;
import dev.pier.binding.SocketFamilies;
import dev.pier.endpoint.ClientEndpoint;
import dev.pier.layer.LayeredProtocol;
import dev.pier.endpoint.TcpClientEndpoint;
import dev.pier.endpoint.TlsClientEndpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.endpoint.UnixClientEndpoint;
import dev.pier.endpoint.UnixDatagramEndpoint;
import dev.pier.endpoint.UnixEndpoint;
import dev.pier.reactor.internal.Callbacks;
import dev.pier.reactor.internal.EventLoop;
import dev.pier.unix.StopSignals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The event loop (Twisted's reactor): one thread, one NIO selector, any number of listening ports, connections and
 * timers. Every protocol callback, timer and {@link #callFromThread} task runs on the loop thread, one at a time,
 * so protocols need no locks — and must never block (hand blocking work to {@link #deferToThread}).
 *
 * <pre>{@code
 * try (Reactor reactor = Reactor.create()) {
 *     reactor.listenTcp(8007, peer -> new Protocol() {
 *         Transport transport;
 *         public void connectionMade(Transport t) { transport = t; }
 *         public void dataReceived(ByteBuffer data) { transport.write(data); }
 *     });
 *     reactor.runUntilStopSignal(Duration.ofSeconds(5));   // Ctrl-C: finish what is in progress, then return
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> {@code listen*}, {@code connect*}, {@link #callLater}, {@link #callFromThread},
 * {@link #callInThread}, {@link #deferToThread} and {@code stop} may be called from any thread (work is handed to
 * the loop); {@link DelayedCall} and {@link Transport} methods belong to the loop thread. Listening binds at once,
 * so a busy port fails in the caller, and {@link ListeningPort#address()} is known before the loop runs.
 *
 * <p><b>Shutdown.</b> {@link #stop()} stops listening, waits for the {@linkplain #addShutdownHook shutdown hooks},
 * then closes every connection. {@link #stop(Duration)} is the graceful drain: it stops listening and lets
 * connections finish by themselves (their protocols and peers close them, queued writes are flushed) for up to
 * {@code grace} — hooks included — and then closes what is left. {@link #run()} returns when the loop has stopped.
 *
 * <p><b>Failure.</b> A callback that throws an exception (or fails an assertion) is logged and only its connection
 * is closed. Any other {@link Error} — out of memory, a class that cannot be loaded because the descriptor table
 * is full — stops the loop: {@link #run()} throws it and {@link #whenStopped()} fails with it, so a process that
 * can no longer serve ends instead of running on deaf.
 *
 * <p><b>Several cores.</b> A reactor uses one core; {@link ReactorGroup} runs one reactor per core on the same port.
 */
public final class Reactor implements ReactorServices, AutoCloseable {

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final EventLoop loop;

    private Reactor(ReactorOptions options) {
        this.loop = new EventLoop(Objects.requireNonNull(options, "options"), this);
    }

    /** A reactor with default options; it does nothing until {@link #run()}. */
    public static Reactor create() {
        return create(ReactorOptions.defaults());
    }

    /** A reactor with {@code options}; it does nothing until {@link #run()}. */
    public static Reactor create(ReactorOptions options) {
        return new Reactor(options);
    }

    /** A reactor already running on a new thread named {@code pier-reactor-N}; {@link #close()} stops it. */
    public static Reactor start() {
        return start(ReactorOptions.defaults());
    }

    /** A reactor with {@code options}, already running on a new thread. */
    public static Reactor start(ReactorOptions options) {
        Reactor reactor = create(options);
        reactor.loop.start("pier-reactor-" + THREAD_NUMBER.incrementAndGet());
        return reactor;
    }

    // ---- listening ----

    /** Listens for TCP connections on {@code port} (0: any free port) of every interface. */
    public ListeningPort listenTcp(int port, ProtocolFactory factory) {
        return listenTcp(new InetSocketAddress(port), factory, ServerEndpoint.DEFAULT_BACKLOG);
    }

    /** Listens on {@code port} of one interface, e.g. {@code "127.0.0.1"} or {@code "::1"}. */
    @Override
    public ListeningPort listenTcp(int port, ProtocolFactory factory, String interfaceAddress) {
        return listenTcp(inet(interfaceAddress, port), factory, ServerEndpoint.DEFAULT_BACKLOG);
    }

    /** Listens on {@code port} of one interface with a given accept backlog. */
    public ListeningPort listenTcp(int port, ProtocolFactory factory, int backlog, String interfaceAddress) {
        return listenTcp(inet(interfaceAddress, port), factory, backlog);
    }

    /**
     * Listens on {@code address}; {@code backlog} is the accept queue's length
     * ({@link ServerEndpoint#DEFAULT_BACKLOG}: the system maximum).
     */
    public ListeningPort listenTcp(SocketAddress address, ProtocolFactory factory, int backlog) {
        return listenTcp(address, factory, backlog, false);
    }

    ListeningPort listenTcp(SocketAddress address, ProtocolFactory factory, int backlog, boolean reusePort) {
        try {
            ServerSocketChannel channel = ServerSocketChannel.open(SocketFamilies.of(address));
            try {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (reusePort) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return loop.listenStream(channel, address, backlog, factory, List.of(loop));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on TCP " + address + ": " + BindFailures.reason(address, e), e);
        }
    }

    /**
     * Accepts connections on {@code channel}, a TCP or Unix stream socket that is bound and listening already: one
     * another process passed, such as systemd ({@link dev.pier.endpoint.SystemdEndpoint#adopt()}). The port owns the
     * channel from now on and closes it when it stops; a Unix socket's file stays, as whoever bound it owns it.
     *
     * <pre>{@code
     * var systemd = (SystemdEndpoint) Endpoint.parseServer("systemd:domain=INET:index=0");
     * ListeningPort port = reactor.listen(systemd.adopt(), factory);
     * }</pre>
     *
     * @throws IllegalArgumentException if the channel is not bound
     */
    public ListeningPort listen(ServerSocketChannel channel, ProtocolFactory factory) {
        try {
            return loop.serveStream(channel, factory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot accept on " + channel + ": " + e.getMessage(), e);
        }
    }

    /**
     * Receives datagrams on {@code channel}, a UDP socket that is bound already: one another process passed, such as
     * systemd ({@link dev.pier.endpoint.SystemdEndpoint#adoptDatagram()}). The port owns the channel from now on and
     * closes it when it stops.
     *
     * <pre>{@code
     * var systemd = (SystemdEndpoint) Endpoint.parseServer("systemd:domain=INET:index=0");
     * ListeningPort port = reactor.listen(systemd.adoptDatagram(), protocol);
     * }</pre>
     *
     * @throws IllegalArgumentException if the channel is not bound
     */
    public ListeningPort listen(DatagramChannel channel, DatagramProtocol protocol) {
        try {
            return loop.serveUdp(channel, protocol);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot receive on " + channel + ": " + e.getMessage(), e);
        }
    }

    /**
     * Listens on a Unix stream socket at {@code path}; the file must not exist (remove a stale one first). It is
     * removed again when the port stops listening.
     */
    public ListeningPort listenUnix(Path path, ProtocolFactory factory) {
        return listenUnix(path, factory, ServerEndpoint.DEFAULT_BACKLOG);
    }

    /** Listens on a Unix stream socket at {@code path} with a given accept backlog. */
    public ListeningPort listenUnix(Path path, ProtocolFactory factory, int backlog) {
        return listenUnix(path, factory, backlog, List.of(this));
    }

    /** Listens on this loop and hands the accepted connections to the {@code workers} in turn. */
    ListeningPort listenUnix(Path path, ProtocolFactory factory, int backlog, List<Reactor> workers) {
        try {
            return loop.listenStream(ServerSocketChannel.open(StandardProtocolFamily.UNIX),
                    UnixDomainSocketAddress.of(path), backlog, factory,
                    workers.stream().map(reactor -> reactor.loop).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on Unix socket " + path + ": "
                    + BindFailures.reason(UnixDomainSocketAddress.of(path), e), e);
        }
    }

    /** Receives UDP datagrams on {@code port} (0: any free port) of every interface. */
    public ListeningPort listenUdp(int port, DatagramProtocol protocol) {
        return listenUdp(new InetSocketAddress(port), protocol);
    }

    /** Receives UDP datagrams on {@code port} of one interface, e.g. {@code "127.0.0.1"}. */
    @Override
    public ListeningPort listenUdp(int port, DatagramProtocol protocol, String interfaceAddress) {
        return listenUdp(inet(interfaceAddress, port), protocol);
    }

    /** Receives UDP datagrams on {@code address}. */
    public ListeningPort listenUdp(SocketAddress address, DatagramProtocol protocol) {
        return listenUdp(address, protocol, false);
    }

    ListeningPort listenUdp(SocketAddress address, DatagramProtocol protocol, boolean reusePort) {
        try {
            return loop.listenUdp(address, protocol, reusePort);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on UDP " + address + ": " + BindFailures.reason(address, e), e);
        }
    }

    /**
     * Receives Unix datagrams on a socket bound to {@code path} (which must not exist; it is removed when the port
     * stops). The JDK has no Unix datagram channel: a virtual thread receives and hands each datagram to the loop,
     * so callbacks still run on the loop thread. Linux only.
     */
    public ListeningPort listenUnixDatagram(Path path, DatagramProtocol protocol) {
        try {
            return loop.listenUnixDatagram(path, protocol);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on Unix datagram socket " + path + ": " + e.getMessage(), e);
        }
    }

    // ---- endpoints ----

    /** Listens where a parsed {@code tcp:} description says (port, interface, backlog). */
    public ListeningPort listenTcp(TcpEndpoint endpoint, ProtocolFactory factory) {
        return listenTcp(endpoint.socketAddress(), factory, endpoint.backlog());
    }

    /** Listens where a parsed {@code unix:} description says, and gives the socket file its {@code mode}. */
    public ListeningPort listenUnix(UnixEndpoint endpoint, ProtocolFactory factory) {
        return withMode(listenUnix(endpoint.path(), factory, endpoint.backlog()), endpoint.path(), endpoint.mode(),
                endpoint.permissions());
    }

    /** Listens where a parsed {@code udp:} description says. */
    public ListeningPort listenUdp(UdpEndpoint endpoint, DatagramProtocol protocol) {
        return listenUdp(endpoint.socketAddress(), protocol);
    }

    /** Listens where a parsed {@code unixgram:} description says, and gives the socket file its {@code mode}. */
    public ListeningPort listenUnixDatagram(UnixDatagramEndpoint endpoint, DatagramProtocol protocol) {
        return withMode(listenUnixDatagram(endpoint.path(), protocol), endpoint.path(), endpoint.mode(),
                endpoint.permissions());
    }

    /** {@code port}, once its socket file has the permissions of {@code mode}; who may use a socket depends on them. */
    private static ListeningPort withMode(ListeningPort port, Path path, int mode,
            Set<PosixFilePermission> permissions) {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException e) {
            port.stopListening();
            throw new UncheckedIOException("cannot set mode " + Integer.toOctalString(mode) + " on " + path + ": "
                    + e.getMessage(), e);
        }
        return port;
    }

    /**
     * Connects where a parsed client description ({@code tcp:host=...:port=...}, {@code tls:host=...:port=...} or
     * {@code unix:path=...}) says. Over TLS the factory's protocols run behind the TLS layer (their
     * {@code connectionMade} comes after the handshake) and the future completes with the {@link LayeredProtocol}.
     */
    public CompletableFuture<Protocol> connect(ClientEndpoint endpoint, ClientFactory factory) {
        return switch (endpoint) {
            case TlsClientEndpoint tls -> connect(tls.tcp(), LayeredProtocol.wrap(factory, tls.layers()));
            case TcpClientEndpoint tcp -> connectTcp(tcp.host(), tcp.port(), factory, tcp.timeout(),
                    tcp.bindAddress().map(host -> new InetSocketAddress(host, 0)).orElse(null));
            case UnixClientEndpoint unix -> connectUnix(unix.path(), factory, unix.timeout());
        };
    }

    // ---- connecting ----

    /**
     * Connects to {@code host:port}; the factory builds the protocol once connected, or hears
     * {@code connectionFailed}. The future completes with the protocol after its {@code connectionMade}, or fails
     * with the cause. Cancelling it abandons the attempt: the socket is closed and the factory hears
     * {@code connectionFailed} with a {@link java.util.concurrent.CancellationException}. No timeout.
     */
    @Override
    public CompletableFuture<Protocol> connectTcp(String host, int port, ClientFactory factory) {
        return connectTcp(host, port, factory, null, null);
    }

    /** Connects to {@code host:port}, failing with a {@link java.net.ConnectException} after {@code timeout}. */
    public CompletableFuture<Protocol> connectTcp(String host, int port, ClientFactory factory, Duration timeout) {
        return connectTcp(host, port, factory, timeout, null);
    }

    /**
     * Connects with a {@code timeout} (null: none) from a local {@code bindAddress} (null: any), as Twisted's
     * {@code connectTCP(host, port, factory, timeout, bindAddress)}.
     */
    public CompletableFuture<Protocol> connectTcp(String host, int port, ClientFactory factory, Duration timeout,
                                                  SocketAddress bindAddress) {
        InetSocketAddress target;
        try {
            target = new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException notALiteral) {
            target = InetSocketAddress.createUnresolved(host, port);
        }
        return loop.connect(null, target, bindAddress, factory, timeout);
    }

    /** Connects to the Unix stream socket at {@code path}; see {@link #connectTcp(String, int, ClientFactory)}. */
    @Override
    public CompletableFuture<Protocol> connectUnix(Path path, ClientFactory factory) {
        return connectUnix(path, factory, null);
    }

    /** Connects to the Unix stream socket at {@code path} within {@code timeout} (null: none). */
    public CompletableFuture<Protocol> connectUnix(Path path, ClientFactory factory, Duration timeout) {
        return loop.connect(StandardProtocolFamily.UNIX, UnixDomainSocketAddress.of(path), null, factory, timeout);
    }

    // ---- time and threads ----

    /** The loop's clock ({@link ReactorOptions#nanoTime()}). */
    @Override
    public long nanoTime() {
        return loop.nanoTime();
    }

    /** Runs {@code task} on the loop thread after {@code delay}. Safe from any thread. */
    @Override
    public DelayedCall callLater(Duration delay, Runnable task) {
        return loop.callLater(delay, task);
    }

    /** Runs {@code task} on the loop thread as soon as possible, waking it; safe from any thread. */
    @Override
    public void callFromThread(Runnable task) {
        loop.execute(Objects.requireNonNull(task, "task"));
    }

    /** Runs blocking {@code task} on a new virtual thread; to touch protocols afterwards, use callFromThread. */
    public void callInThread(Runnable task) {
        Objects.requireNonNull(task, "task");
        Thread.ofVirtual().name("pier-worker").start(task);
    }

    /**
     * Runs blocking {@code task} on a new virtual thread and completes the returned future with its result on the
     * loop thread, so its callbacks may use transports directly. Never completes if the reactor stops first.
     */
    public <T> CompletableFuture<T> deferToThread(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().name("pier-worker").start(() -> {
            try {
                T value = task.call();
                loop.execute(() -> result.complete(value));
            } catch (Exception | Error e) {
                if (e instanceof Exception || Callbacks.isRecoverable(e)) {
                    loop.execute(() -> result.completeExceptionally(e));
                } else {
                    // Out of memory, a class that cannot be loaded: fatal on the loop, so fatal for its helpers too.
                    Error fatal = (Error) e;
                    loop.execute(() -> {
                        result.completeExceptionally(fatal);
                        throw fatal;
                    });
                }
            }
        });
        return result;
    }

    // ---- running and stopping ----

    /**
     * Runs the loop on the calling thread until {@link #stop()}; a reactor runs once.
     *
     * @throws Error                if an error stopped the loop (see "Failure" above)
     * @throws RuntimeException     if the loop itself failed
     * @throws UncheckedIOException if the selector failed
     */
    public void run() {
        loop.run();
    }

    /** True from {@link #run()} until the loop stopped. */
    public boolean isRunning() {
        return loop.isRunning();
    }

    /**
     * Adds a hook run on the loop thread when a stop begins (Twisted's "before shutdown" trigger); the stop waits
     * for the returned stage (null: nothing to wait for), e.g. to tell peers goodbye or flush a log.
     */
    public void addShutdownHook(Supplier<? extends CompletionStage<?>> hook) {
        loop.addShutdownHook(Objects.requireNonNull(hook, "hook"));
    }

    /** Stops: stop listening, wait for the shutdown hooks, close every connection, end {@link #run()}. */
    public void stop() {
        loop.requestStop(null);
    }

    /**
     * Stops gracefully: stop listening at once, let connections finish by themselves for up to {@code grace}
     * (shutdown hooks included), then close the rest. Safe from any thread. Called again during the drain, it can
     * only end it sooner: {@code stop(Duration.ZERO)} closes what is left at once, as a second Ctrl-C does for an
     * impatient user, with a reset, since the work of those connections was not done.
     */
    public void stop(Duration grace) {
        loop.requestStop(Objects.requireNonNull(grace, "grace"));
    }

    /**
     * How late the loop runs what is due, as of the last measurement: once a second a probe schedules a call for now
     * and measures how long the loop took to get to it (callbacks that hold the loop show up here, as every
     * connection waited as long). A probe still waiting counts as long as it has waited, so a loop that is stuck shows
     * a growing lag. The probe starts at the first call, which answers zero. Safe from any thread.
     */
    public Duration loopLag() {
        return loop.lag();
    }

    /** The connections open now, accepted and made (for a drain's progress report); safe from any thread. */
    public int connectionCount() {
        return loop.connectionCount();
    }

    /**
     * Runs the loop on the calling thread, as {@link #run()}, until SIGTERM, SIGINT (Ctrl-C) or SIGHUP starts a graceful
     * {@link #stop(Duration) stop(grace)}; a second signal closes what is left at once. Returns when the loop has
     * stopped, so that {@code main} can return and the JVM exit with status 0 (without this, such a signal ends the
     * JVM with status 143 or 130 and no drain).
     *
     * <pre>{@code
     * try (var reactor = Reactor.create()) {
     *     reactor.listenTcp(10000, factory, "127.0.0.1");
     *     reactor.runUntilStopSignal(Duration.ofSeconds(5));
     * }
     * }</pre>
     *
     * @see StopSignals
     */
    public void runUntilStopSignal(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        StopSignals signals = StopSignals.install();
        signals.stopRequested().thenRun(() -> stop(grace));
        signals.stopInsisted().thenRun(() -> stop(Duration.ZERO));
        run();
    }

    /**
     * Completes when the loop has stopped and released its sockets: normally after a requested stop, exceptionally
     * with the cause if the loop failed (see "Failure" above).
     */
    public CompletionStage<Void> whenStopped() {
        return loop.terminated().copy();
    }

    /**
     * Stops the reactor (as {@link #stop()}) and waits until it has; a reactor that never ran releases its ports.
     * Called on the loop thread itself, it only requests the stop. A loop that failed is reported by {@link #run()}
     * and {@link #whenStopped()}, not here.
     */
    @Override
    public void close() {
        stop();
        if (!loop.hasStarted()) {
            try {
                loop.run();
            } catch (IllegalStateException raceWithAnotherRunner) {
                awaitTermination();
            }
        } else if (!loop.inLoop()) {
            awaitTermination();
        }
    }

    private void awaitTermination() {
        loop.terminated().exceptionally(failure -> null).join();
    }

    /** Where this reactor reports ({@link ReactorOptions#logger()}). */
    @Override
    public System.Logger logger() {
        return loop.options().logger();
    }

    /** The loop itself, for tests in this package. */
    EventLoop loop() {
        return loop;
    }

    private static InetSocketAddress inet(String interfaceAddress, int port) {
        return interfaceAddress == null || interfaceAddress.isEmpty()
                ? new InetSocketAddress(port)
                : new InetSocketAddress(interfaceAddress, port);
    }
}
