package dev.pier.endpoint;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * A TCP port to listen on: {@code tcp:PORT[:interface=HOST][:backlog=N]}.
 *
 * <pre>{@code
 * TcpEndpoint any = TcpEndpoint.of(8080);                          // tcp:8080, all interfaces
 * TcpEndpoint local = new TcpEndpoint("127.0.0.1", 0, TcpEndpoint.DEFAULT_BACKLOG); // tcp:0:interface=127.0.0.1
 * }</pre>
 *
 * @param host the interface address or name to listen on; empty for all interfaces
 * @param port 0 to 65535; 0 lets the system choose
 * @param backlog the length of the queue of connections not yet accepted; by default the system maximum
 *                (net.core.somaxconn), where Twisted uses 50 and drops connections under a burst
 */
public record TcpEndpoint(String host, int port, int backlog) implements SocketEndpoint {


    public TcpEndpoint {
        Objects.requireNonNull(host, "host");
        EndpointParser.checkPort(port, 0);
        EndpointParser.checkBacklog(backlog);
    }

    /** Port {@code port} on all interfaces, with the default backlog. */
    public static TcpEndpoint of(int port) {
        return new TcpEndpoint("", port, DEFAULT_BACKLOG);
    }

    @Override
    public InetSocketAddress socketAddress() {
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public TcpEndpoint bound(SocketAddress boundAddress) {
        InetSocketAddress inet = EndpointParser.inet(boundAddress, this);
        return new TcpEndpoint(EndpointParser.hostString(inet.getAddress()), inet.getPort(), backlog);
    }

    @Override
    public String describe() {
        return "tcp:" + port + (host.isEmpty() ? "" : ":interface=" + EndpointParser.escape(host))
                + (backlog == DEFAULT_BACKLOG ? "" : ":backlog=" + backlog);
    }

    @Override
    public String toString() {
        return describe();
    }
}
