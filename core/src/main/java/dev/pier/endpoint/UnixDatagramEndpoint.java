package dev.pier.endpoint;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Unix datagram socket to listen on: {@code unixgram:PATH}.
 *
 * <pre>{@code
 * UnixDatagramEndpoint socket = (UnixDatagramEndpoint) Endpoint.parseServer("unixgram:/run/log.sock");
 * }</pre>
 *
 * @param path the socket file
 */
public record UnixDatagramEndpoint(Path path) implements ServerEndpoint {

    public UnixDatagramEndpoint {
        Objects.requireNonNull(path, "path");
        EndpointParser.checkUnixPath(path);
    }

    @Override
    public UnixDomainSocketAddress socketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public UnixDatagramEndpoint bound(SocketAddress boundAddress) {
        return new UnixDatagramEndpoint(EndpointParser.unixPath(boundAddress, this));
    }

    @Override
    public String describe() {
        return "unixgram:" + EndpointParser.escape(path.toString());
    }

    @Override
    public String toString() {
        return describe();
    }
}
