package dev.pier.blocking;

import dev.pier.binding.SocketFamilies;
import dev.pier.endpoint.TcpEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A TCP server (Python's {@code TCPServer}): each accepted connection is handled by a new
 * {@link StreamRequestHandler} (or any {@code BaseRequestHandler<SocketChannel>}).
 *
 * <pre>{@code
 * try (var server = new TcpServer("127.0.0.1", 0, EchoHandler::new,
 *         ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads()))) {
 *     System.out.println("listening on " + server.address());
 *     server.serveForever();
 * }
 * }</pre>
 */
public non-sealed class TcpServer extends StreamServer {

    /** Binds {@code address} (port 0: any free port) with the default options. */
    public TcpServer(InetSocketAddress address, RequestHandlerFactory<SocketChannel> handlerFactory)
            throws IOException {
        this(address, handlerFactory, ServerOptions.defaults());
    }

    public TcpServer(InetSocketAddress address, RequestHandlerFactory<SocketChannel> handlerFactory,
                     ServerOptions options) throws IOException {
        super(resolved(address), SocketFamilies.of(address), handlerFactory, options);
    }

    /** Binds where a parsed {@code tcp:} description says; its backlog replaces the options' one. */
    public TcpServer(TcpEndpoint endpoint, RequestHandlerFactory<SocketChannel> handlerFactory, ServerOptions options)
            throws IOException {
        this(endpoint.socketAddress(), handlerFactory, options.withBacklog(endpoint.backlog()));
    }

    /**
     * Serves on {@code channel}, a TCP socket bound and listening already: one another process passed, such as
     * systemd ({@link dev.pier.endpoint.SystemdEndpoint#adopt()}). The server owns the channel from now on and
     * closes it. The options' backlog, address and port reuse do not apply; forking concurrency does not either (a
     * forked child cannot take the socket over again).
     *
     * <pre>{@code
     * var systemd = (SystemdEndpoint) Endpoint.parseServer("systemd:domain=INET:index=0");
     * try (var server = new TcpServer(systemd.adopt(), EchoHandler::new, ServerOptions.defaults())) {
     *     server.serveForever();
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException if the channel is not bound, or is a Unix socket
     */
    public TcpServer(ServerSocketChannel channel, RequestHandlerFactory<SocketChannel> handlerFactory,
                     ServerOptions options) throws IOException {
        super(requireInet(channel), handlerFactory, options);
    }

    private static ServerSocketChannel requireInet(ServerSocketChannel channel) throws IOException {
        if (!(channel.getLocalAddress() instanceof InetSocketAddress) && channel.getLocalAddress() != null) {
            throw new IllegalArgumentException("not a TCP socket: " + channel + " (serve a Unix one with"
                    + " UnixStreamServer)");
        }
        if (channel.getLocalAddress() == null) {
            throw new IllegalArgumentException("the channel is not bound: " + channel);
        }
        return channel;
    }

    /** Binds {@code host:port} (port 0: any free port) with the default options. */
    public TcpServer(String host, int port, RequestHandlerFactory<SocketChannel> handlerFactory) throws IOException {
        this(host, port, handlerFactory, ServerOptions.defaults());
    }

    public TcpServer(String host, int port, RequestHandlerFactory<SocketChannel> handlerFactory,
                     ServerOptions options) throws IOException {
        this(new InetSocketAddress(host, checkedPort(port)), handlerFactory, options);
    }

    /** The bound address, with port 0 resolved. */
    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) super.address();
    }

    /** Sets SO_REUSEADDR and SO_REUSEPORT as the options say, then binds and listens. */
    @Override
    protected void serverBind() throws IOException {
        if (boundElsewhere()) {
            return;
        }
        channel().setOption(StandardSocketOptions.SO_REUSEADDR, options().reuseAddress());
        if (options().reusePort()) {
            Sockets.enableReusePort(channel());
        }
        super.serverBind();
    }

    static int checkedPort(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535 (0: any free port), got " + port);
        }
        return port;
    }

    private static InetSocketAddress resolved(InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host " + address.getHostString());
        }
        return address;
    }
}
