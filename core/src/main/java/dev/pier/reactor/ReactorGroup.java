package dev.pier.reactor;

import dev.pier.binding.BindFailures;
import dev.pier.binding.SocketFamilies;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.metrics.ServerStatistics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Several {@link Reactor}s, one thread each, serving the same ports: the way to use every core.
 *
 * <p><b>How a port is shared.</b> TCP and UDP: each loop opens its own socket on the same address with
 * {@code SO_REUSEPORT}, and the kernel spreads incoming connections (or senders) over them by a hash of the peer's
 * address and port: no acceptor thread handing sockets over, no lock between loops. A port another socket holds is
 * refused as in use, though {@code SO_REUSEPORT} would let another process of the same user share it. Unix sockets
 * have no such kernel balancing, so the first loop accepts and hands the connections to the loops in turn. Either
 * way a connection lives on one loop for its whole life, so protocols stay single-threaded. State shared between
 * connections of different loops needs thread-safe types (or {@link Reactor#callFromThread} to the owning loop), or
 * a factory per loop ({@link #listenTcp(TcpEndpoint, Supplier)}).
 *
 * <pre>{@code
 * try (ReactorGroup group = ReactorGroup.start()) {           // one loop per core
 *     group.listenTcp(8007, peer -> new Echo(), "0.0.0.0");
 *     group.whenStopped().toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class ReactorGroup implements AutoCloseable {

    private final List<Reactor> reactors;
    private final AtomicInteger next = new AtomicInteger();

    private ReactorGroup(List<Reactor> reactors) {
        this.reactors = List.copyOf(reactors);
    }

    /** One running loop per available processor. */
    public static ReactorGroup start() {
        return start(ReactorOptions.defaults());
    }

    /** One running loop per available processor, with the given options. */
    public static ReactorGroup start(ReactorOptions options) {
        return start(Runtime.getRuntime().availableProcessors(), options);
    }

    /** {@code loops} running loops with the given options. */
    public static ReactorGroup start(int loops, ReactorOptions options) {
        if (loops < 1) {
            throw new IllegalArgumentException("a reactor group needs at least one loop, got " + loops);
        }
        List<Reactor> started = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            started.add(Reactor.start(options));
        }
        return new ReactorGroup(started);
    }

    /** The loops, in a fixed order. */
    public List<Reactor> reactors() {
        return reactors;
    }

    /** The loops in turn: where to make the next outgoing connection. */
    public Reactor next() {
        return reactors.get(Math.floorMod(next.getAndIncrement(), reactors.size()));
    }

    /** Listens on {@code port} (0: any free port) of one interface on every loop. */
    public ListeningPort listenTcp(int port, ProtocolFactory factory, String interfaceAddress) {
        return listenTcp(inet(interfaceAddress, port), factory, ServerEndpoint.DEFAULT_BACKLOG);
    }

    /**
     * Listens on {@code address} on every loop. {@code startFactory} and {@code stopFactory} are called once for
     * the whole group, {@code buildProtocol} on the loop that accepted the connection (so from several threads).
     *
     * @throws UnsupportedOperationException if the system has no {@code SO_REUSEPORT}
     */
    public ListeningPort listenTcp(SocketAddress address, ProtocolFactory factory, int backlog) {
        ProtocolFactory shared = new SharedFactory(Objects.requireNonNull(factory, "factory"));
        return onEveryLoop(address, true, (reactor, bound) -> reactor.listenTcp(bound, shared, backlog, true));
    }

    /**
     * Listens where a parsed {@code tcp:} description says, on every loop, each loop with a factory of its own from
     * {@code factories}: a factory that keeps state across its connections (those in flight, say) is then used by one
     * thread only, like its protocols, and is started and stopped on its loop.
     *
     * <pre>{@code
     * group.listenTcp(new TcpEndpoint("127.0.0.1", 10000, 50), () -> new SessionTable());   // a table per loop
     * }</pre>
     *
     * @throws UnsupportedOperationException if the system has no {@code SO_REUSEPORT}
     */
    public ListeningPort listenTcp(TcpEndpoint endpoint, Supplier<? extends ProtocolFactory> factories) {
        return onEveryLoop(endpoint.socketAddress(), true,
                (reactor, bound) -> reactor.listenTcp(bound, factories.get(), endpoint.backlog(), true));
    }

    /** Receives UDP datagrams where a parsed {@code udp:} description says, each loop with its own protocol. */
    public ListeningPort listenUdp(UdpEndpoint endpoint, Supplier<? extends DatagramProtocol> protocols) {
        return onEveryLoop(endpoint.socketAddress(), false,
                (reactor, bound) -> reactor.listenUdp(bound, protocols.get(), true));
    }

    /**
     * Binds {@code address} on every loop with {@code listen}, each loop with a socket of its own and
     * {@code SO_REUSEPORT}; if one fails, those already listening stop. First a probe of the same kind, bound without
     * that option, makes sure no other socket holds the address (with the option any process of the same user could
     * bind the port as well, and a second server started on it by mistake would quietly take part of the clients
     * rather than fail) and picks the port if it is 0. The probe does not listen, so no client is reset meanwhile;
     * TCP connections of an earlier server waiting out {@code TIME_WAIT} do not count, as for any server that sets
     * {@code SO_REUSEADDR}.
     *
     * @throws UnsupportedOperationException if the system has no {@code SO_REUSEPORT}
     * @throws UncheckedIOException          if the address is in use, or cannot be bound for another reason
     */
    private ListeningPort onEveryLoop(SocketAddress address, boolean stream,
            BiFunction<Reactor, SocketAddress, ListeningPort> listen) {
        SocketAddress bound;
        try (NetworkChannel probe = stream ? SocketChannel.open(SocketFamilies.of(address))
                : DatagramChannel.open(SocketFamilies.of(address))) {
            if (!probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("this system has no SO_REUSEPORT, so several loops cannot "
                        + "share a port; use a single Reactor");
            }
            if (stream) {
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            probe.bind(address);
            // The port alone: the probe's own address may be another family's spelling of the one asked for.
            bound = new InetSocketAddress(((InetSocketAddress) address).getAddress(),
                    ((InetSocketAddress) probe.getLocalAddress()).getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + (stream ? "TCP " : "UDP ") + address + ": "
                    + BindFailures.reason(address, e), e);
        }
        List<ListeningPort> ports = new ArrayList<>();
        try {
            for (Reactor reactor : reactors) {
                ports.add(listen.apply(reactor, bound));
            }
        } catch (RuntimeException e) {
            ports.forEach(ListeningPort::stopListening);
            throw e;
        }
        return new GroupPort(List.copyOf(ports));
    }

    /**
     * Receives UDP datagrams on {@code port} (0: any free port) of one interface on every loop, each loop with its
     * own socket (SO_REUSEPORT) and its own protocol from {@code protocols}: the kernel sends all datagrams of one
     * sender to the same loop, and replies leave from the same port.
     *
     * @throws UnsupportedOperationException if the system has no {@code SO_REUSEPORT}
     */
    public ListeningPort listenUdp(int port, Supplier<? extends DatagramProtocol> protocols, String interfaceAddress) {
        return onEveryLoop(inet(interfaceAddress, port), false,
                (reactor, bound) -> reactor.listenUdp(bound, protocols.get(), true));
    }

    /**
     * Listens on the Unix socket at {@code path}: the first loop accepts, every loop serves connections in turn.
     * {@code buildProtocol} runs on the loop that serves the connection (so on several threads).
     */
    public ListeningPort listenUnix(Path path, ProtocolFactory factory) {
        return reactors.getFirst().listenUnix(path, factory, ServerEndpoint.DEFAULT_BACKLOG, reactors);
    }

    /** The connections open now on all loops (see {@link Reactor#connectionCount()}); safe from any thread. */
    public int connectionCount() {
        return reactors.stream().mapToInt(Reactor::connectionCount).sum();
    }

    /** The lag of the loop that lags most (see {@link Reactor#loopLag()}); safe from any thread. */
    public Duration loopLag() {
        return reactors.stream().map(Reactor::loopLag).max(Duration::compareTo).orElseThrow();
    }

    /** Stops every loop (see {@link Reactor#stop()}). */
    public void stop() {
        reactors.forEach(Reactor::stop);
    }

    /** Stops every loop gracefully (see {@link Reactor#stop(Duration)}). */
    public void stop(Duration grace) {
        reactors.forEach(reactor -> reactor.stop(grace));
    }

    /**
     * Completes when every loop has stopped, or exceptionally as soon as one fails (the others go on until stopped):
     * a group with a dead loop no longer serves all its clients.
     */
    public CompletionStage<Void> whenStopped() {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        CompletableFuture.allOf(reactors.stream()
                        .map(reactor -> reactor.whenStopped().toCompletableFuture())
                        .toArray(CompletableFuture[]::new))
                .thenRun(() -> stopped.complete(null));
        reactors.forEach(reactor -> reactor.whenStopped().exceptionally(failure -> {
            stopped.completeExceptionally(failure);
            return null;
        }));
        return stopped;
    }

    /** Stops every loop and waits for them. */
    @Override
    public void close() {
        stop();
        reactors.forEach(Reactor::close);
    }

    private static InetSocketAddress inet(String interfaceAddress, int port) {
        return interfaceAddress == null || interfaceAddress.isEmpty()
                ? new InetSocketAddress(port) : new InetSocketAddress(interfaceAddress, port);
    }

    /** The group's listening sockets seen as one port. */
    private record GroupPort(List<ListeningPort> ports) implements ListeningPort {

        @Override
        public SocketAddress address() {
            return ports.getFirst().address();
        }

        @Override
        public CompletionStage<Void> stopListening() {
            return CompletableFuture.allOf(ports.stream()
                    .map(port -> port.stopListening().toCompletableFuture())
                    .toArray(CompletableFuture[]::new));
        }

        @Override
        public ServerStatistics statistics() {
            return ports.stream().map(ListeningPort::statistics).reduce(ServerStatistics.NONE, ServerStatistics::plus);
        }
    }

    /** Passes connections on, and starts and stops the factory once for all loops. */
    private static final class SharedFactory implements ProtocolFactory {
        private final ProtocolFactory factory;
        private final AtomicInteger loopsUsing = new AtomicInteger();

        SharedFactory(ProtocolFactory factory) {
            this.factory = factory;
        }

        @Override
        public Protocol buildProtocol(SocketAddress peer) {
            return factory.buildProtocol(peer);
        }

        @Override
        public void startFactory() {
            if (loopsUsing.getAndIncrement() == 0) {
                factory.startFactory();
            }
        }

        @Override
        public void stopFactory() {
            if (loopsUsing.decrementAndGet() == 0) {
                factory.stopFactory();
            }
        }

        @Override
        public String toString() {
            return factory.toString();
        }
    }
}
