package dev.pier.protocols.policies;

import dev.pier.layer.Layer;
import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link Policies#limitConnections}: counts open connections in total and per peer address. A slot is taken when
 * the protocol is built and given back when its connection is lost. Safe to share between loop threads.
 */
final class ConnectionLimiter implements ProtocolFactory {

    private static final System.Logger LOG = System.getLogger(ConnectionLimiter.class.getName());

    private final ProtocolFactory factory;
    private final int maxTotal;
    private final int maxPerPeer;
    private final byte[] overflowReply;
    private final Map<Object, Integer> perPeer = new HashMap<>();
    private int total;

    ConnectionLimiter(ProtocolFactory factory, int maxTotal, int maxPerPeer, byte[] overflowReply) {
        this.factory = Objects.requireNonNull(factory, "factory");
        if (maxTotal < 1 || maxPerPeer < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1, got total " + maxTotal
                    + " and per peer " + maxPerPeer);
        }
        this.maxTotal = maxTotal;
        this.maxPerPeer = maxPerPeer;
        this.overflowReply = overflowReply;
    }

    @Override
    public Protocol buildProtocol(SocketAddress peer) {
        Object key = peerKey(peer);
        if (!reserve(key)) {
            LOG.log(System.Logger.Level.DEBUG, () -> "refusing connection from " + peer + ": limit of " + maxTotal
                    + " in total or " + maxPerPeer + " per peer reached");
            return overflowReply == null ? null : new OverflowReply(overflowReply);
        }
        Protocol protocol;
        try {
            protocol = factory.buildProtocol(peer);
        } catch (RuntimeException | Error e) {
            release(key);
            throw e;
        }
        if (protocol == null) {
            release(key);
            return null;
        }
        return LayeredProtocol.wrap(protocol, List.of(new Layer() {
            @Override
            public void connectionLost(Context context) {
                release(key);
            }

            @Override
            public String toString() {
                return "connection limit";
            }
        }));
    }

    @Override
    public void startFactory() {
        factory.startFactory();
    }

    @Override
    public void stopFactory() {
        factory.stopFactory();
    }

    @Override
    public String toString() {
        return factory.toString();
    }

    /** Open connections counted against the limits (for tests and monitoring). */
    synchronized int openConnections() {
        return total;
    }

    private synchronized boolean reserve(Object key) {
        int fromPeer = perPeer.getOrDefault(key, 0);
        if (total >= maxTotal || fromPeer >= maxPerPeer) {
            return false;
        }
        total++;
        perPeer.put(key, fromPeer + 1);
        return true;
    }

    private synchronized void release(Object key) {
        total--;
        perPeer.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
    }

    private static Object peerKey(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress() : inet.getHostString();
        }
        return peer == null ? "unknown" : peer.getClass();
    }

    /** Sends the overflow reply, then closes once it is sent. */
    private static final class OverflowReply implements Protocol {
        private final byte[] reply;

        OverflowReply(byte[] reply) {
            this.reply = reply;
        }

        @Override
        public void connectionMade(Transport transport) {
            transport.write(reply);
            transport.loseConnection();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            data.position(data.limit());
        }

        @Override
        public String toString() {
            return "connection refused by limit";
        }
    }
}
