package dev.pier.endpoint;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;

/**
 * A Unix datagram socket to listen on: {@code unixgram:PATH[:mode=660]}.
 *
 * <pre>{@code
 * UnixDatagramEndpoint socket = (UnixDatagramEndpoint) Endpoint.parseServer("unixgram:/run/log.sock:mode=620");
 * }</pre>
 *
 * @param path the socket file
 * @param mode the socket file's permission bits, e.g. {@code 0660} ({@link UnixEndpoint#DEFAULT_MODE} by default,
 *             as for stream sockets)
 */
public record UnixDatagramEndpoint(Path path, int mode) implements SocketEndpoint {

    public UnixDatagramEndpoint {
        Objects.requireNonNull(path, "path");
        EndpointParser.checkUnixPath(path);
        EndpointParser.checkMode(mode);
    }

    /** The socket file {@code path} with the default mode. */
    public UnixDatagramEndpoint(Path path) {
        this(path, UnixEndpoint.DEFAULT_MODE);
    }

    /** The socket file's permissions as {@code mode} says: who may send to it is decided by write permission. */
    public Set<PosixFilePermission> permissions() {
        return EndpointParser.permissions(mode);
    }

    @Override
    public UnixDomainSocketAddress socketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public UnixDatagramEndpoint bound(SocketAddress boundAddress) {
        return new UnixDatagramEndpoint(EndpointParser.unixPath(boundAddress, this), mode);
    }

    @Override
    public String describe() {
        return "unixgram:" + EndpointParser.escape(path.toString())
                + (mode == UnixEndpoint.DEFAULT_MODE ? "" : ":mode=" + Integer.toOctalString(mode));
    }

    @Override
    public String toString() {
        return describe();
    }
}
