package dev.pier.blocking;

import dev.pier.endpoint.ServerEndpoint;
import dev.pier.layer.LayerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The settings of a server, fixed when it is made (socketserver's class attributes). Immutable: start from
 * {@link #defaults()} and change what you need.
 *
 * <pre>{@code
 * ServerOptions.defaults()
 *         .withConcurrency(Concurrency.threads())
 *         .withTimeout(Duration.ofSeconds(5))
 *         .withReusePort(true)
 * }</pre>
 *
 * @param concurrency     how requests run (default {@link Concurrency#synchronous()})
 * @param timeout         the longest {@link BaseServer#handleRequest()} waits before calling
 *                        {@link BaseServer#handleTimeout()}; {@code null} (the default) waits for ever
 * @param reuseAddress    SO_REUSEADDR on TCP listeners, so a restarted server can bind at once (default true);
 *                        datagram and Unix servers ignore it, since on UDP it lets two servers share a port by
 *                        accident (ask for {@code reusePort} to share on purpose)
 * @param reusePort       SO_REUSEPORT before binding, so several processes can serve one port (default false)
 * @param backlog         the listen queue length of stream servers (default {@link ServerEndpoint#DEFAULT_BACKLOG}: the system
 *                        maximum)
 * @param maxPacketSize   the longest datagram a datagram server accepts (default 8192); longer ones are
 *                        reported through {@link DatagramServer#oversizedDatagram} and dropped
 * @param bindAndActivate whether the constructor binds and activates the server (default true); when false, call
 *                        {@link BaseServer#bindAndActivate()} yourself
 * @param layers          the layers between each connection of a stream server and its handler, outermost first
 *                        (default none): {@link StreamRequestHandler#in()} and {@code out()} read and write through
 *                        them
 */
public record ServerOptions(Concurrency concurrency, Duration timeout, boolean reuseAddress, boolean reusePort,
                            int backlog, int maxPacketSize, boolean bindAndActivate, List<LayerFactory> layers) {

    /** socketserver's {@code max_packet_size}. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 8192;

    private static final ServerOptions DEFAULTS = new ServerOptions(Concurrency.synchronous(), null, true, false,
            ServerEndpoint.DEFAULT_BACKLOG, DEFAULT_MAX_PACKET_SIZE, true, List.of());

    public ServerOptions {
        Objects.requireNonNull(concurrency, "concurrency");
        layers = List.copyOf(layers);
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive, got " + backlog);
        }
        if (maxPacketSize < 1 || maxPacketSize > 65_507) {
            throw new IllegalArgumentException("maxPacketSize must be between 1 and 65507, got " + maxPacketSize);
        }
    }

    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    public ServerOptions withConcurrency(Concurrency concurrency) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }

    public ServerOptions withTimeout(Duration timeout) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }

    public ServerOptions withReuseAddress(boolean reuseAddress) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }

    public ServerOptions withReusePort(boolean reusePort) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }

    public ServerOptions withBacklog(int backlog) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }

    public ServerOptions withMaxPacketSize(int maxPacketSize) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }

    public ServerOptions withBindAndActivate(boolean bindAndActivate) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }

    /** The layers every connection of a stream server runs behind, outermost first (datagram servers take none). */
    public ServerOptions withLayers(List<LayerFactory> layers) {
        return new ServerOptions(concurrency, timeout, reuseAddress, reusePort, backlog, maxPacketSize,
                bindAndActivate, layers);
    }
}
