package dev.pier.endpoint;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * A UDP port to listen on: {@code udp:PORT[:interface=HOST]}.
 *
 * <pre>{@code
 * UdpEndpoint echo = (UdpEndpoint) Endpoint.parseServer("udp:8007:interface=127.0.0.1");
 * }</pre>
 *
 * @param host the interface address or name to listen on; empty for all interfaces
 * @param port 0 to 65535; 0 lets the system choose
 */
public record UdpEndpoint(String host, int port) implements SocketEndpoint {

    public UdpEndpoint {
        Objects.requireNonNull(host, "host");
        EndpointParser.checkPort(port, 0);
    }

    @Override
    public InetSocketAddress socketAddress() {
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public UdpEndpoint bound(SocketAddress boundAddress) {
        InetSocketAddress inet = EndpointParser.inet(boundAddress, this);
        return new UdpEndpoint(EndpointParser.hostString(inet.getAddress()), inet.getPort());
    }

    @Override
    public String describe() {
        return "udp:" + port + (host.isEmpty() ? "" : ":interface=" + EndpointParser.escape(host));
    }

    @Override
    public String toString() {
        return describe();
    }
}
