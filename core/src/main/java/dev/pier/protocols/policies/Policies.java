package dev.pier.protocols.policies;

import dev.pier.layer.LayerFactory;
import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.ProtocolFactory;
import java.time.Duration;
import java.util.List;

/**
 * Policies that wrap any server {@link ProtocolFactory} without changing its protocols (Twisted's
 * {@code twisted.protocols.policies}): idle timeouts, connection limits and bandwidth throttling. Each runs as a
 * {@link dev.pier.layer.Layer} between the transport and the protocol; wrappers compose into one stack of layers, and
 * the protocol inside sees an ordinary transport. The layers themselves ({@link #idleTimeout(Duration)},
 * {@link #throttleReads(long)}, {@link #throttleWrites(long)}) serve the blocking model too.
 * The wrapping factory passes on {@code startFactory} and {@code stopFactory}; it is not a
 * {@link dev.pier.reactor.ClientFactory}, so wrap server factories.
 *
 * <pre>{@code
 * ProtocolFactory factory = Policies.limitConnections(
 *         Policies.idleTimeout(peer -> new Chat(), Duration.ofMinutes(5)),
 *         1000, 10, "busy, try later\r\n".getBytes(US_ASCII));
 * reactor.listenTcp(8007, factory);
 * }</pre>
 */
public final class Policies {

    private Policies() {}

    /**
     * Aborts a connection on which nothing was received or written for {@code timeout} (Twisted's
     * {@code TimeoutFactory}). Aborting, not a graceful close, because a peer that went silent may not read either.
     */
    public static ProtocolFactory idleTimeout(ProtocolFactory factory, Duration timeout) {
        return LayeredProtocol.wrap(factory, List.of(idleTimeout(timeout)));
    }

    /** The layer of {@link #idleTimeout(ProtocolFactory, Duration)}, for any connection of either model. */
    public static LayerFactory idleTimeout(Duration timeout) {
        IdleTimeout.positiveNanos(timeout);
        return peer -> new IdleTimeoutLayer(timeout);
    }

    /**
     * Refuses connections beyond {@code maxTotal} open at once, or beyond {@code maxPerPeer} from one IP address
     * (for Unix sockets all peers count as one): a refused connection is closed at once.
     *
     * @param maxTotal at least 1; {@link Integer#MAX_VALUE} for no total limit
     * @param maxPerPeer at least 1; {@link Integer#MAX_VALUE} for no per-peer limit
     */
    public static ProtocolFactory limitConnections(ProtocolFactory factory, int maxTotal, int maxPerPeer) {
        return new ConnectionLimiter(factory, maxTotal, maxPerPeer, null);
    }

    /**
     * Like {@link #limitConnections(ProtocolFactory, int, int)}, but a refused connection is sent
     * {@code overflowReply} before it is closed (e.g. {@code "421 too many connections\r\n"}).
     */
    public static ProtocolFactory limitConnections(ProtocolFactory factory, int maxTotal, int maxPerPeer,
            byte[] overflowReply) {
        return new ConnectionLimiter(factory, maxTotal, maxPerPeer, overflowReply.clone());
    }

    /**
     * Reads at most {@code bytesPerSecond} on average from each connection: after a read that goes over the budget,
     * reading is paused until the budget allows it again (the peer's writes back up in TCP).
     */
    public static ProtocolFactory throttleReads(ProtocolFactory factory, long bytesPerSecond) {
        return LayeredProtocol.wrap(factory, List.of(throttleReads(bytesPerSecond)));
    }

    /** The layer of {@link #throttleReads(ProtocolFactory, long)}, for any connection of either model. */
    public static LayerFactory throttleReads(long bytesPerSecond) {
        checkRate(bytesPerSecond);
        return peer -> new ReadThrottle(bytesPerSecond);
    }

    /**
     * Sends at most {@code bytesPerSecond} on average on each connection: writes are queued and released over time,
     * in slices of a tenth of a second's budget. A registered producer is paused while the queue is not empty, and
     * {@code loseConnection} waits for the queue to drain; {@code bufferedBytes} includes the queue.
     */
    public static ProtocolFactory throttleWrites(ProtocolFactory factory, long bytesPerSecond) {
        return LayeredProtocol.wrap(factory, List.of(throttleWrites(bytesPerSecond)));
    }

    /** The layer of {@link #throttleWrites(ProtocolFactory, long)}, for any connection of either model. */
    public static LayerFactory throttleWrites(long bytesPerSecond) {
        checkRate(bytesPerSecond);
        return peer -> new WriteThrottle(bytesPerSecond);
    }

    private static void checkRate(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytes per second must be greater than 0, got " + bytesPerSecond);
        }
    }
}
