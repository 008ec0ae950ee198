package dev.pier.endpoint;

import dev.pier.layer.LayerFactory;
import java.net.SocketAddress;
import java.util.List;

/**
 * An address to listen on: a {@link SocketEndpoint} ({@link TcpEndpoint}, {@link UdpEndpoint}, {@link UnixEndpoint}
 * or {@link UnixDatagramEndpoint}), perhaps behind {@link #layers() layers}, or a listening socket systemd passed
 * ({@link SystemdEndpoint}: serve its {@link SystemdEndpoint#adopt() adopted} channel, do not bind its
 * {@link #socket()}). See {@link Endpoint} for the description strings.
 *
 * <pre>{@code
 * ListeningPort port = switch (Endpoint.parseServer(args[0]).socket()) {
 *     case TcpEndpoint tcp -> reactor.listenTcp(tcp.socketAddress(), factory, tcp.backlog());
 *     case UnixEndpoint unix -> reactor.listenUnix(unix.path(), factory, unix.backlog());
 *     case UdpEndpoint udp -> reactor.listenUdp(udp.socketAddress(), datagramProtocol);
 *     case UnixDatagramEndpoint gram -> throw new IllegalArgumentException("this service speaks streams");
 * };
 * }</pre>
 */
public sealed interface ServerEndpoint extends Endpoint permits SocketEndpoint, TlsEndpoint, ProxiedEndpoint,
        SystemdEndpoint {

    /**
     * The default backlog of a stream listener (TCP, Unix), for both models: the length of the queue of connections
     * not yet accepted, as long as the system allows. The kernel caps it silently (Linux at
     * {@code net.core.somaxconn}), so this asks for that cap without reading it.
     */
    int DEFAULT_BACKLOG = Integer.MAX_VALUE;

    /** The address to bind; a host name is resolved by this call. */
    SocketAddress socketAddress();

    /**
     * This endpoint at the address actually bound (the real port after listening on port 0, the real interface
     * address), for printing with {@link #describe()}.
     *
     * @throws IllegalArgumentException if {@code boundAddress} is not of this endpoint's kind
     */
    ServerEndpoint bound(SocketAddress boundAddress);

    /** The socket to listen on, without the layers this endpoint adds. */
    SocketEndpoint socket();

    /**
     * The layers every connection of this endpoint runs behind, outermost first, in the order the description
     * names them (none for a plain socket). Both models take them: the reactor through
     * {@link dev.pier.layer.LayeredProtocol}, the blocking model through its {@code ServerOptions}.
     */
    default List<LayerFactory> layers() {
        return List.of();
    }
}
