package dev.pier.proxy;

import dev.pier.layer.Layer;
import dev.pier.layer.LayerFactory;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The PROXY protocol (HAProxy's, versions 1 and 2) on the receiving side: a {@link LayerFactory} whose layers read
 * the header a proxy sends first and make each connection report the client it names. It also counts the
 * connections it accepted and rejected, across every connection it made a layer for.
 *
 * <pre>{@code
 * ProxyProtocol proxy = ProxyProtocol.layer(Duration.ofSeconds(3));
 * reactor.listenTcp(8080, LayeredProtocol.wrap(factory, List.of(proxy)), "10.0.0.5");
 * ...
 * long rejected = proxy.rejectedConnections();   // from any thread, for a metric or a health check
 * }</pre>
 *
 * <p>Put it outermost, nearest the socket (below TLS, which the proxy's header precedes on the wire). See
 * {@link ProxyHeaderLayer} for what a protocol can learn from the header.
 */
public final class ProxyProtocol implements LayerFactory {

    /** How long a connection may take to send its whole header, unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Duration timeout;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    private ProxyProtocol(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the header timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
    }

    /** Layers that wait {@link #DEFAULT_TIMEOUT} for the header. */
    public static ProxyProtocol layer() {
        return new ProxyProtocol(DEFAULT_TIMEOUT);
    }

    /** Layers that abort a connection that has not sent its whole header within {@code timeout}. */
    public static ProxyProtocol layer(Duration timeout) {
        return new ProxyProtocol(timeout);
    }

    /** A {@link ProxyHeaderLayer} for a new connection. */
    @Override
    public Layer newLayer(SocketAddress peer) {
        return new ProxyHeaderLayer(this);
    }

    /** How long a connection may take to send its whole header. */
    public Duration timeout() {
        return timeout;
    }

    /** Connections whose header was read and that were passed on. Safe from any thread. */
    public long acceptedConnections() {
        return accepted.sum();
    }

    /**
     * Connections aborted for a malformed, incomplete or late header. Safe from any thread. A rise usually means a
     * client reached the port without the proxy, or the proxy is not configured to send the header.
     */
    public long rejectedConnections() {
        return rejected.sum();
    }

    void accepted() {
        accepted.increment();
    }

    void rejected() {
        rejected.increment();
    }

    @Override
    public String toString() {
        return "PROXY protocol (timeout " + timeout + ")";
    }
}
