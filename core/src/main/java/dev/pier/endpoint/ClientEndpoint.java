package dev.pier.endpoint;

import java.time.Duration;

/**
 * An address to connect to: {@link TcpClientEndpoint} or {@link UnixClientEndpoint}. See {@link Endpoint} for the
 * description strings.
 *
 * <pre>{@code
 * ClientEndpoint upstream = Endpoint.parseClient("localhost:10000");   // tcp:host=localhost:port=10000
 * }</pre>
 */
public sealed interface ClientEndpoint extends Endpoint permits TcpClientEndpoint, UnixClientEndpoint {

    /** The default connection timeout, as in Twisted. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** How long a connection attempt may take before it fails. */
    Duration timeout();
}
