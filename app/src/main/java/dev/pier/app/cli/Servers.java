package dev.pier.app.cli;

import dev.pier.blocking.BaseServer;
import dev.pier.blocking.Concurrency;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.TcpServer;
import dev.pier.blocking.UdpServer;
import dev.pier.blocking.UnixDatagramServer;
import dev.pier.blocking.UnixStreamServer;
import dev.pier.endpoint.ProxiedEndpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.SystemdEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.endpoint.UnixDatagramEndpoint;
import dev.pier.endpoint.UnixEndpoint;
import dev.pier.layer.LayerFactory;
import dev.pier.layer.LayeredProtocol;
import dev.pier.metrics.ServerStatistics;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.ReactorGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Starts a {@link ServiceHandlers} on the endpoint and with the concurrency chosen on the command line. */
public final class Servers {

    private Servers() {}

    /**
     * Binds {@code endpoint} and serves {@code service} on it in the background, with the grace period and datagram
     * limit of {@code options} (a threaded blocking server waits the grace period for its handlers when it stops).
     *
     * @throws CommandFailure if the endpoint cannot be bound (in use, not local, not permitted)
     */
    public static RunningServer start(ServiceHandlers service, ServerEndpoint endpoint, ConcurrencyMode concurrency,
            ServiceOptions options) {
        if (concurrency == ConcurrencyMode.FORKING && systemd(endpoint) != null) {
            throw new CommandFailure("--concurrency forking cannot serve " + endpoint.describe() + ": a forked child"
                    + " cannot take over the socket systemd passed; use --concurrency threads, virtual or reactor");
        }
        try {
            return concurrency == ConcurrencyMode.REACTOR
                    ? onLoops(options.loops(), service, endpoint, true)
                    : blocking(service, endpoint, ServerOptions.defaults()
                            .withConcurrency(blockingConcurrency(concurrency, options.grace(),
                                    options.requestsPerChild(concurrency)))
                            .withMaxPacketSize(options.maxDatagram()), concurrency == ConcurrencyMode.FORKING);
        } catch (IOException | UncheckedIOException e) {
            throw cannotListen(endpoint, e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e);
        }
    }

    /**
     * Removes the socket file of {@code endpoint}, if it has one and nobody listens on it any more (a server that was
     * killed left it behind): binding would otherwise fail as if the address were in use.
     *
     * @throws CommandFailure if the path holds a live socket's file of another kind, or a file that is not a socket
     */
    public static void removeStaleSocketFile(ServerEndpoint endpoint) {
        if (socketFile(endpoint) instanceof Path path) {
            try {
                SocketFiles.removeIfStale(path);
            } catch (IOException e) {
                throw cannotListen(endpoint, e);
            }
        }
    }

    /**
     * Serves {@code service} on the first of {@code loops} alone, for a service whose connections share state that
     * only one thread may touch (a cache, say) and whose protocols use that loop themselves, e.g. to connect
     * elsewhere. The loops are the server's from now on: stopping it (or failing to bind) stops them, and with them
     * any other server on them.
     *
     * @throws CommandFailure if the endpoint cannot be bound
     */
    public static RunningServer startOnFirstLoop(ReactorGroup loops, ServiceHandlers service,
            ServerEndpoint endpoint) {
        try {
            return onLoops(loops, service, endpoint, false);
        } catch (UncheckedIOException e) {
            throw cannotListen(endpoint, e.getCause());
        }
    }

    private static Concurrency blockingConcurrency(ConcurrencyMode mode, Duration grace, int requestsPerChild) {
        return switch (mode) {
            case SYNC -> Concurrency.synchronous();
            case THREADS -> Concurrency.threads().withCloseGracePeriod(grace);
            case VIRTUAL -> Concurrency.virtualThreads().withCloseGracePeriod(grace);
            case FORKING -> Concurrency.forking().withCloseGracePeriod(grace).withRequestsPerChild(requestsPerChild);
            case REACTOR -> throw new IllegalArgumentException("the reactor is not a blocking concurrency");
        };
    }

    private static RunningServer blocking(ServiceHandlers service, ServerEndpoint endpoint, ServerOptions options,
            boolean forking) throws IOException {
        // One list for the server and for what it reports: each call makes new layer factories, with counters of
        // their own.
        List<LayerFactory> layers = endpoint.layers();
        options = options.withLayers(layers);
        SystemdEndpoint systemd = systemd(endpoint);
        BaseServer<?> server = systemd != null
                ? switch (adopt(systemd, endpoint, service)) {
                    case DatagramChannel udp -> new UdpServer(udp, service.datagramHandler(), options);
                    case ServerSocketChannel listening -> systemd.unix()
                            ? new UnixStreamServer(listening, service.streamHandler(), options)
                            : new TcpServer(listening, service.streamHandler(), options);
                    default -> throw new IllegalStateException("adopted " + systemd);
                }
                : switch (endpoint.socket()) {
            case TcpEndpoint tcp -> new TcpServer(tcp, service.streamHandler(), options);
            case UdpEndpoint udp -> new UdpServer(udp, service.datagramHandler(), options);
            case UnixEndpoint unix -> new UnixStreamServer(unix, service.streamHandler(), options);
            case UnixDatagramEndpoint unixgram -> new UnixDatagramServer(unixgram, service.datagramHandler(), options);
        };
        CompletableFuture<Void> finished = new CompletableFuture<>();
        Thread.ofPlatform().name("pier-" + service.name()).start(() -> {
            try {
                server.serveForever();
                finished.complete(null);
            } catch (Throwable failure) {
                finished.completeExceptionally(failure);
            }
        });
        return new Running(endpoint, layers, server.address(), finished) {
            @Override
            public void stop(Duration grace) {
                // close() stops listening, then waits for the requests in progress, whatever the concurrency;
                // past the grace period the process exits without them.
                Thread stopping = Thread.ofVirtual().start(server::close);
                try {
                    stopping.join(grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                removeSocketFile();
                restoreStandardStreams();
            }

            @Override
            public OptionalInt inProgress() {
                return server.requestsInProgress();
            }

            @Override
            public Optional<ServerStatistics> statistics() {
                return streams(endpoint) ? Optional.of(server.statistics()) : Optional.empty();
            }

            @Override
            public boolean servesInProcess() {
                return !forking;
            }
        };
    }

    /**
     * Serves {@code service} on every loop of {@code loops}, each with protocol factories of its own, where the
     * kernel can spread the clients over the loops (TCP and UDP ports the server binds itself); on the first loop
     * alone where it cannot (Unix sockets, a socket systemd passed) or {@code everyLoop} is false.
     */
    private static RunningServer onLoops(ReactorGroup loops, ServiceHandlers service, ServerEndpoint endpoint,
            boolean everyLoop) {
        Reactor first = loops.reactors().getFirst();
        ListeningPort port;
        List<LayerFactory> layers;
        try {
            layers = endpoint.layers();
            Supplier<ProtocolFactory> factories = () -> layered(service.protocolFactories().get(), layers);
            SystemdEndpoint systemd = systemd(endpoint);
            port = systemd != null ? switch (adopt(systemd, endpoint, service)) {
                        case DatagramChannel udp -> first.listen(udp, service.datagramProtocol().get());
                        case ServerSocketChannel listening -> first.listen(listening, factories.get());
                        default -> throw new IllegalStateException("adopted " + systemd);
                    }
                    : switch (endpoint.socket()) {
                case TcpEndpoint tcp -> everyLoop ? loops.listenTcp(tcp, factories)
                        : first.listenTcp(tcp, factories.get());
                case UdpEndpoint udp -> everyLoop ? loops.listenUdp(udp, service.datagramProtocol())
                        : first.listenUdp(udp, service.datagramProtocol().get());
                case UnixEndpoint unix -> first.listenUnix(unix, factories.get());
                case UnixDatagramEndpoint unixgram ->
                        first.listenUnixDatagram(unixgram, service.datagramProtocol().get());
            };
        } catch (IOException e) {
            loops.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            loops.close();
            throw e;
        }
        CompletableFuture<Void> finished = loops.whenStopped().toCompletableFuture().exceptionallyCompose(
                failure -> CompletableFuture.failedFuture(CommandFailure.eventLoopFailed(failure)));
        loops.loopLag();   // starts measuring it, so that the first look at the metrics has a measurement
        return new Running(endpoint, layers, port.address(), finished) {
            @Override
            public void stop(Duration grace) {
                loops.stop(grace);
                try {
                    // The reactor closes what is left once the grace period is over; allow it a moment for that.
                    finished.get(grace.plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException failedOrStuck) {
                    // A failure is reported through finished(); a stuck loop ends with the process.
                }
                removeSocketFile();
                restoreStandardStreams();
            }

            @Override
            public OptionalInt inProgress() {
                return OptionalInt.of(loops.connectionCount());
            }

            @Override
            public Object counter() {
                return loops;
            }

            @Override
            public Optional<ServerStatistics> statistics() {
                return streams(endpoint) ? Optional.of(port.statistics()) : Optional.empty();
            }

            @Override
            public Optional<Duration> loopLag() {
                return Optional.of(loops.loopLag());
            }
        };
    }

    /** Whether {@code endpoint} serves connections (TCP, Unix stream, a socket systemd passed), not datagrams. */
    private static boolean streams(ServerEndpoint endpoint) {
        return systemd(endpoint) != null
                || endpoint.socket() instanceof TcpEndpoint || endpoint.socket() instanceof UnixEndpoint;
    }

    /** The socket systemd passed that {@code endpoint} serves (perhaps behind haproxy:), or null. */
    private static SystemdEndpoint systemd(ServerEndpoint endpoint) {
        return switch (endpoint) {
            case SystemdEndpoint systemd -> systemd;
            case ProxiedEndpoint proxied -> systemd(proxied.inner());
            default -> null;
        };
    }

    /**
     * Takes over the socket systemd passed, a listening stream socket or a UDP socket (as its unit says); not passed,
     * not this one, of the wrong kind, or UDP to a service of streams or behind {@code haproxy:} is the user's to fix.
     */
    private static NetworkChannel adopt(SystemdEndpoint systemd, ServerEndpoint endpoint, ServiceHandlers service)
            throws IOException {
        NetworkChannel socket;
        try {
            socket = systemd.adoptSocket();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        if (socket instanceof DatagramChannel) {
            if (endpoint instanceof ProxiedEndpoint) {
                throw new CommandFailure(endpoint.describe() + ": systemd passed a UDP socket, and the PROXY protocol"
                        + " comes only before a stream: drop haproxy: or pass a ListenStream= socket");
            }
            if (service.datagramHandler() == null || service.datagramProtocol() == null) {
                throw new CommandFailure(endpoint.describe() + ": systemd passed a UDP socket, and this command"
                        + " serves streams only: pass a ListenStream= socket");
            }
        }
        return socket;
    }

    private static ProtocolFactory layered(ProtocolFactory factory, List<LayerFactory> layers) {
        return layers.isEmpty() ? factory : LayeredProtocol.wrap(factory, layers);
    }

    /** A server listening on {@code endpoint}, bound at {@code bound}. */
    private abstract static class Running implements RunningServer {
        private final ServerEndpoint endpoint;
        private final List<LayerFactory> layers;
        private final SocketAddress bound;
        private final CompletableFuture<Void> finished;

        Running(ServerEndpoint endpoint, List<LayerFactory> layers, SocketAddress bound,
                CompletableFuture<Void> finished) {
            this.endpoint = endpoint;
            this.layers = layers;
            this.bound = bound;
            this.finished = finished;
        }

        @Override
        public String endpoint() {
            if (systemd(endpoint) != null) {
                // Where systemd bound the socket, after the description the user gave.
                return endpoint.describe() + " (" + systemd(endpoint).socket().describe() + ")";
            }
            // A socket file is described by the path the user gave, not the one the system reports.
            return socketFile(endpoint) == null ? endpoint.bound(bound).describe() : endpoint.describe();
        }

        @Override
        public SocketAddress address() {
            return bound;
        }

        @Override
        public CompletableFuture<Void> finished() {
            return finished;
        }

        @Override
        public List<LayerFactory> layers() {
            return layers;
        }

        /** Closing a socket systemd passed points stdout and stderr at /dev/null (the JDK does): not the log's end. */
        void restoreStandardStreams() {
            if (systemd(endpoint) != null) {
                try {
                    SystemdEndpoint.restoreStandardStreams();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void removeSocketFile() {
            if (socketFile(endpoint) instanceof Path path) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new CommandFailure("cannot remove the socket file " + path + ": " + Messages.reason(e), e);
                }
            }
        }
    }

    /** The socket file this process binds and so removes, if any: none for a socket systemd passed. */
    private static Path socketFile(ServerEndpoint endpoint) {
        if (systemd(endpoint) != null) {
            return null;
        }
        return switch (endpoint.socket()) {
            case UnixEndpoint unix -> unix.path();
            case UnixDatagramEndpoint unixgram -> unixgram.path();
            case TcpEndpoint tcp -> null;
            case UdpEndpoint udp -> null;
        };
    }

    private static CommandFailure cannotListen(ServerEndpoint endpoint, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        // The system's own words ("Permission denied"), without the layers that wrapped them.
        String reason = Messages.reason(root);
        if (reason.toLowerCase(Locale.ROOT).contains("address already in use")) {
            return new CommandFailure("address already in use: " + endpoint.describe(), cause);
        }
        return new CommandFailure("cannot listen on " + endpoint.describe() + ": " + reason, cause);
    }
}
