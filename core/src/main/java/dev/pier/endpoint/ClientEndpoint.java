package dev.pier.endpoint;

import dev.pier.layer.LayerFactory;
import java.time.Duration;
import java.util.List;

/**
 * An address to connect to: {@link TcpClientEndpoint}, {@link UnixClientEndpoint} or {@link TlsClientEndpoint}.
 * See {@link Endpoint} for the description strings.
 *
 * <pre>{@code
 * ClientEndpoint upstream = Endpoint.parseClient("localhost:10000"); // tcp:host=localhost:port=10000
 * }</pre>
 */
public sealed interface ClientEndpoint extends Endpoint
        permits TcpClientEndpoint, UnixClientEndpoint, TlsClientEndpoint {

    /** The default connection timeout, as in Twisted. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** How long a connection attempt may take before it fails. */
    Duration timeout();

    /** The layers a connection to this endpoint runs behind, outermost first (none for a plain socket). */
    default List<LayerFactory> layers() {
        return List.of();
    }
}
