package dev.pier.endpoint;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A Unix stream socket to connect to: {@code unix:path=PATH[:timeout=SECONDS]}, also {@code unix:PATH}.
 *
 * <pre>{@code
 * UnixClientEndpoint socket = (UnixClientEndpoint) Endpoint.parseClient("unix:/run/poetry.sock");
 * }</pre>
 *
 * @param path the socket file
 * @param timeout how long a connection attempt may take (30 s by default)
 */
public record UnixClientEndpoint(Path path, Duration timeout) implements ClientEndpoint {

    public UnixClientEndpoint {
        Objects.requireNonNull(path, "path");
        EndpointParser.checkUnixPath(path);
        EndpointParser.checkTimeout(timeout);
    }

    /** The socket file {@code path} with the default timeout. */
    public static UnixClientEndpoint of(Path path) {
        return new UnixClientEndpoint(path, DEFAULT_TIMEOUT);
    }

    /** The address to connect to. */
    public UnixDomainSocketAddress socketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public String describe() {
        return "unix:path=" + EndpointParser.escape(path.toString())
                + (timeout.equals(DEFAULT_TIMEOUT) ? "" : ":timeout=" + EndpointParser.seconds(timeout));
    }

    @Override
    public String toString() {
        return describe();
    }
}
