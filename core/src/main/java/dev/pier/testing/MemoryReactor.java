package dev.pier.testing;

import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.ReactorServices;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A reactor with no network and a manual clock (Twisted's {@code MemoryReactorClock}), for code that takes a
 * {@link ReactorServices}: it records every listen and connect, and the test plays the network. A recorded listen
 * {@linkplain Listen#accept() accepts} a connection into a {@link FakeTransport}; a recorded connect
 * {@linkplain Connect#succeed() succeeds} the same way or {@linkplain Connect#fail fails}. Time moves only on
 * {@link #advance}, as on a {@link ManualClock}.
 *
 * <pre>{@code
 * MemoryReactor reactor = new MemoryReactor();
 * factory.connectTcp(reactor, "127.0.0.1", 10000);
 * MemoryReactor.Connect attempt = reactor.connects().getFirst();
 * attempt.fail(new ConnectException("refused"));        // the factory hears connectionFailed
 * reactor.advance(Duration.ofSeconds(1));               // its retry timer runs: a second connect is recorded
 * FakeTransport transport = reactor.connects().get(1).succeed();
 * transport.disconnect(DisconnectReason.LOST);          // the protocol, then the factory, hear connectionLost
 * }</pre>
 *
 * <p>The test thread plays the loop thread: {@link #callFromThread} runs the task at once, on the calling thread, so
 * code that hands results over from other threads must be driven from the test thread. Not thread-safe.
 */
public final class MemoryReactor implements ReactorServices {

    private final ManualClock clock = new ManualClock();
    private final System.Logger logger;
    private final List<Listen> listens = new ArrayList<>();
    private final List<Connect> connects = new ArrayList<>();

    /** A reactor at time zero reporting to the {@code dev.pier.reactor} logger, as a real one does by default. */
    public MemoryReactor() {
        this(System.getLogger("dev.pier.reactor"));
    }

    /** A reactor at time zero reporting to {@code logger}. */
    public MemoryReactor(System.Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    /** A listen recorded by {@link #listenTcp} or {@link #listenUdp}: where, and what serves it. */
    public final class Listen implements ListeningPort {
        private final InetSocketAddress address;
        private final ProtocolFactory factory;
        private final DatagramProtocol datagramProtocol;
        private boolean listening = true;

        private Listen(InetSocketAddress address, ProtocolFactory factory, DatagramProtocol datagramProtocol) {
            this.address = address;
            this.factory = factory;
            this.datagramProtocol = datagramProtocol;
        }

        /** The factory of a TCP listen, or null for UDP. */
        public ProtocolFactory factory() {
            return factory;
        }

        /** The protocol of a UDP listen, or null for TCP. */
        public DatagramProtocol datagramProtocol() {
            return datagramProtocol;
        }

        /** False once {@link #stopListening()} was called. */
        public boolean isListening() {
            return listening;
        }

        /**
         * A client connects from {@code peer}: the factory builds a protocol, connected to a new transport (its
         * connectionMade has run).
         *
         * @throws IllegalStateException if this is a UDP listen, has stopped, or the factory refused the connection
         */
        public FakeTransport accept(SocketAddress peer) {
            if (factory == null || !listening) {
                throw new IllegalStateException(this + " accepts no connections");
            }
            Protocol protocol = factory.buildProtocol(peer);
            if (protocol == null) {
                throw new IllegalStateException("the factory refused the connection from " + peer);
            }
            return new FakeTransport(clock).setLocalAddress(address).setRemoteAddress(peer).makeConnection(protocol);
        }

        /** A client connects from 127.0.0.1:54321; see {@link #accept(SocketAddress)}. */
        public FakeTransport accept() {
            return accept(new InetSocketAddress(InetAddress.getLoopbackAddress(), 54321));
        }

        /** A port for the UDP protocol: started on it now, it feeds the protocol datagrams and records its sends. */
        public FakeDatagramTransport startDatagrams() {
            if (datagramProtocol == null) {
                throw new IllegalStateException(this + " is not a UDP listen");
            }
            return new FakeDatagramTransport(clock).setLocalAddress(address).startProtocol(datagramProtocol);
        }

        @Override
        public SocketAddress address() {
            return address;
        }

        @Override
        public CompletionStage<Void> stopListening() {
            listening = false;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String toString() {
            return (factory != null ? "TCP" : "UDP") + " listen on " + address + (listening ? "" : " (stopped)");
        }
    }

    /** A connect recorded by {@link #connectTcp} or {@link #connectUnix}, waiting for the test to settle it. */
    public final class Connect {
        private final SocketAddress target;
        private final ClientFactory factory;
        private final CompletableFuture<Protocol> result = new CompletableFuture<>();
        private boolean settled;

        private Connect(SocketAddress target, ClientFactory factory) {
            this.target = target;
            this.factory = factory;
            factory.startedConnecting(target);
            // As on a reactor: cancelling the attempt abandons it, and the factory hears of it.
            result.whenComplete((protocol, failure) -> {
                if (failure instanceof CancellationException cancelled && !settled) {
                    settled = true;
                    factory.connectionFailed(target, cancelled);
                }
            });
        }

        /** Where it connects: an unresolved {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}. */
        public SocketAddress target() {
            return target;
        }

        /** The factory it connects with. */
        public ClientFactory factory() {
            return factory;
        }

        /** The future the caller holds. */
        public CompletableFuture<Protocol> result() {
            return result;
        }

        /** True until it succeeded, failed or was cancelled. */
        public boolean isPending() {
            return !settled;
        }

        /**
         * The connection is made: the factory builds a protocol, connected to a new transport (its connectionMade
         * has run), and the future completes with it. A factory refusing (null) fails the attempt instead, as on a
         * reactor, and this returns null. When the transport is disconnected, the factory hears connectionLost.
         */
        public FakeTransport succeed() {
            settle();
            Protocol protocol = factory.buildProtocol(target);
            if (protocol == null) {
                ConnectException refused = new ConnectException("the factory refused the connection to " + target);
                factory.connectionFailed(target, refused);
                result.completeExceptionally(refused);
                return null;
            }
            FakeTransport transport = new FakeTransport(clock).setRemoteAddress(target);
            transport.afterLoss(reason -> factory.connectionLost(target, reason));
            transport.makeConnection(protocol);
            result.complete(protocol);
            return transport;
        }

        /** The attempt fails with {@code cause}: the factory hears connectionFailed and the future fails. */
        public void fail(Throwable cause) {
            Objects.requireNonNull(cause, "cause");
            settle();
            factory.connectionFailed(target, cause);
            result.completeExceptionally(cause);
        }

        private void settle() {
            if (settled) {
                throw new IllegalStateException("the connect to " + target + " was already settled");
            }
            settled = true;
        }

        @Override
        public String toString() {
            return "connect to " + target + (settled ? " (settled)" : " (pending)");
        }
    }

    @Override
    public Listen listenTcp(int port, ProtocolFactory factory, String interfaceAddress) {
        return record(new Listen(inet(interfaceAddress, port), Objects.requireNonNull(factory, "factory"), null));
    }

    @Override
    public Listen listenUdp(int port, DatagramProtocol protocol, String interfaceAddress) {
        return record(new Listen(inet(interfaceAddress, port), null, Objects.requireNonNull(protocol, "protocol")));
    }

    private Listen record(Listen listen) {
        listens.add(listen);
        return listen;
    }

    @Override
    public CompletableFuture<Protocol> connectTcp(String host, int port, ClientFactory factory) {
        return connect(InetSocketAddress.createUnresolved(host, port), factory);
    }

    @Override
    public CompletableFuture<Protocol> connectUnix(Path path, ClientFactory factory) {
        return connect(UnixDomainSocketAddress.of(path), factory);
    }

    private CompletableFuture<Protocol> connect(SocketAddress target, ClientFactory factory) {
        Connect connect = new Connect(target, Objects.requireNonNull(factory, "factory"));
        connects.add(connect);
        return connect.result;
    }

    /** Every listen so far, in order, stopped ones included. */
    public List<Listen> listens() {
        return List.copyOf(listens);
    }

    /** Every connect so far, in order, settled ones included. */
    public List<Connect> connects() {
        return List.copyOf(connects);
    }

    /** The connects still waiting for the test to settle them. */
    public List<Connect> pendingConnects() {
        return connects.stream().filter(Connect::isPending).toList();
    }

    @Override
    public void callFromThread(Runnable task) {
        task.run();
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    @Override
    public long nanoTime() {
        return clock.nanoTime();
    }

    @Override
    public ManualClock.Call callLater(Duration delay, Runnable task) {
        return clock.callLater(delay, task);
    }

    /** Moves time forward, running the calls that fall due; see {@link ManualClock#advance}. */
    public void advance(Duration amount) {
        clock.advance(amount);
    }

    /** The clock behind this reactor's time, also the scheduler of the transports it makes. */
    public ManualClock clock() {
        return clock;
    }

    private static InetSocketAddress inet(String interfaceAddress, int port) {
        return interfaceAddress == null || interfaceAddress.isEmpty()
                ? new InetSocketAddress(port)
                : new InetSocketAddress(interfaceAddress, port);
    }
}
