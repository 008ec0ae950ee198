package dev.pier.endpoint;

import dev.pier.layer.LayerFactory;
import dev.pier.proxy.ProxyProtocol;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stream endpoint behind a load balancer that speaks HAProxy's PROXY protocol: {@code haproxy:} before any stream
 * endpoint ({@code haproxy:tcp:10000}, {@code haproxy:ssl:10443:privateKey=key.pem}, {@code haproxy:unix:/run/a.sock}).
 * Every connection must open with a PROXY header (version 1 or 2), read before anything else, TLS included; the
 * protocol or handler then sees the client the header names.
 *
 * @param inner the endpoint behind the header: TCP, TLS or a Unix stream socket
 */
public record ProxiedEndpoint(ServerEndpoint inner) implements ServerEndpoint {

    public ProxiedEndpoint {
        Objects.requireNonNull(inner, "inner");
        // A systemd: socket is a stream socket, known only once adopted.
        if (!(inner instanceof SystemdEndpoint)
                && (inner.socket() instanceof UdpEndpoint || inner.socket() instanceof UnixDatagramEndpoint)) {
            throw new IllegalArgumentException("haproxy: takes a stream endpoint (tcp, ssl or unix), not "
                    + inner.describe());
        }
    }

    @Override
    public SocketAddress socketAddress() {
        return inner.socketAddress();
    }

    @Override
    public ProxiedEndpoint bound(SocketAddress boundAddress) {
        return new ProxiedEndpoint(inner.bound(boundAddress));
    }

    @Override
    public SocketEndpoint socket() {
        return inner.socket();
    }

    /** The PROXY header reader, outside every layer of {@link #inner()}. */
    @Override
    public List<LayerFactory> layers() {
        List<LayerFactory> layers = new ArrayList<>();
        layers.add(ProxyProtocol.layer());
        layers.addAll(inner.layers());
        return List.copyOf(layers);
    }

    @Override
    public String describe() {
        return "haproxy:" + inner.describe();
    }

    @Override
    public String toString() {
        return describe();
    }
}
