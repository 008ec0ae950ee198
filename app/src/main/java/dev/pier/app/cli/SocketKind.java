package dev.pier.app.cli;

import dev.pier.endpoint.ProxiedEndpoint;
import dev.pier.endpoint.ServerEndpoint;
import dev.pier.endpoint.SystemdEndpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.endpoint.UnixDatagramEndpoint;
import dev.pier.endpoint.UnixEndpoint;
import java.nio.file.Path;
import java.util.Locale;

/** The transports a pier server can listen on, named as on the command line and in endpoint descriptions. */
public enum SocketKind {
    TCP(true, false),
    UDP(false, false),
    UNIX(true, true),
    UNIXGRAM(false, true);

    private final boolean stream;
    private final boolean unixDomain;

    SocketKind(boolean stream, boolean unixDomain) {
        this.stream = stream;
        this.unixDomain = unixDomain;
    }

    /** True for connection-oriented transports (tcp, unix), false for datagram ones (udp, unixgram). */
    public boolean isStream() {
        return stream;
    }

    /** True when the address is a socket file path rather than an interface and port. */
    public boolean isUnixDomain() {
        return unixDomain;
    }

    /** The endpoint of this kind on interface {@code iface} and {@code port}, or at the socket file {@code path}. */
    public ServerEndpoint endpoint(String iface, int port, Path path) {
        return switch (this) {
            case TCP -> new TcpEndpoint(iface, port, TcpEndpoint.DEFAULT_BACKLOG);
            case UDP -> new UdpEndpoint(iface, port);
            case UNIX -> UnixEndpoint.of(path);
            case UNIXGRAM -> new UnixDatagramEndpoint(path);
        };
    }

    /** The kind of {@code endpoint}. */
    public static SocketKind of(ServerEndpoint endpoint) {
        // A socket systemd passes is known by its domain until it is taken over, which parsing must not do.
        if (endpoint instanceof SystemdEndpoint systemd) {
            return systemd.unix() ? UNIX : TCP;
        }
        if (endpoint instanceof ProxiedEndpoint proxied && proxied.inner() instanceof SystemdEndpoint) {
            return of(proxied.inner());
        }
        return switch (endpoint.socket()) {
            case TcpEndpoint tcp -> TCP;
            case UdpEndpoint udp -> UDP;
            case UnixEndpoint unix -> UNIX;
            case UnixDatagramEndpoint unixgram -> UNIXGRAM;
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
