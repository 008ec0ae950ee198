package dev.pier.endpoint;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP server to connect to: {@code tcp:host=HOST:port=PORT[:timeout=SECONDS][:bindAddress=LOCAL_HOST]}, also
 * {@code tcp:HOST:PORT} or just {@code HOST:PORT}.
 *
 * <pre>{@code
 * TcpClientEndpoint poetry = TcpClientEndpoint.of("localhost", 10000);
 * }</pre>
 *
 * @param host the server's name or address
 * @param port 1 to 65535
 * @param timeout how long a connection attempt may take (30 s by default)
 * @param bindAddress the local address to connect from, if not the system's choice
 */
public record TcpClientEndpoint(String host, int port, Duration timeout, Optional<String> bindAddress)
        implements ClientEndpoint {

    public TcpClientEndpoint {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        EndpointParser.checkPort(port, 1);
        EndpointParser.checkTimeout(timeout);
        Objects.requireNonNull(bindAddress, "bindAddress");
    }

    /** {@code host:port} with the default timeout and no bind address. */
    public static TcpClientEndpoint of(String host, int port) {
        return new TcpClientEndpoint(host, port, DEFAULT_TIMEOUT, Optional.empty());
    }

    @Override
    public String describe() {
        return "tcp:host=" + EndpointParser.escape(host) + ":port=" + port
                + (timeout.equals(DEFAULT_TIMEOUT) ? "" : ":timeout=" + EndpointParser.seconds(timeout))
                + bindAddress.map(address -> ":bindAddress=" + EndpointParser.escape(address)).orElse("");
    }

    @Override
    public String toString() {
        return describe();
    }
}
