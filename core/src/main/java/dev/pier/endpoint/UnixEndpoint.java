package dev.pier.endpoint;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;

/**
 * A Unix stream socket to listen on: {@code unix:PATH[:mode=660][:backlog=N]} (Twisted also spells the path
 * {@code address=PATH}).
 *
 * <pre>{@code
 * UnixEndpoint socket = (UnixEndpoint) Endpoint.parseServer("unix:/run/poetry.sock:mode=660");
 * }</pre>
 *
 * @param path the socket file
 * @param mode the socket file's permission bits, e.g. {@code 0660} (0666 by default, as in Twisted)
 * @param backlog the length of the queue of connections not yet accepted (by default the system maximum)
 */
public record UnixEndpoint(Path path, int mode, int backlog) implements SocketEndpoint {

    /** The default permission bits of the socket file, as in Twisted. */
    public static final int DEFAULT_MODE = 0666;

    public UnixEndpoint {
        Objects.requireNonNull(path, "path");
        EndpointParser.checkUnixPath(path);
        EndpointParser.checkMode(mode);
        EndpointParser.checkBacklog(backlog);
    }

    /** The socket file {@code path} with the default mode and backlog. */
    public static UnixEndpoint of(Path path) {
        return new UnixEndpoint(path, DEFAULT_MODE, DEFAULT_BACKLOG);
    }

    /**
     * The socket file's permissions as {@code mode} says (set-id and sticky bits, which sockets ignore, left out).
     * Who may connect to a Unix socket is decided by write permission on its file.
     */
    public Set<PosixFilePermission> permissions() {
        return EndpointParser.permissions(mode);
    }

    @Override
    public UnixDomainSocketAddress socketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public UnixEndpoint bound(SocketAddress boundAddress) {
        return new UnixEndpoint(EndpointParser.unixPath(boundAddress, this), mode, backlog);
    }

    @Override
    public String describe() {
        return "unix:" + EndpointParser.escape(path.toString())
                + (mode == DEFAULT_MODE ? "" : ":mode=" + Integer.toOctalString(mode))
                + (backlog == DEFAULT_BACKLOG ? "" : ":backlog=" + backlog);
    }

    @Override
    public String toString() {
        return describe();
    }
}
