package dev.pier.blocking;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server of datagrams: each received datagram is one {@link DatagramRequest}, answered through the server's own
 * socket. The base of {@link UdpServer} and {@link UnixDatagramServer}.
 *
 * <p>Datagrams longer than {@link ServerOptions#maxPacketSize()} are never cut short silently: they are dropped,
 * counted and reported to {@link #oversizedDatagram}.
 */
public abstract sealed class DatagramServer extends BaseServer<DatagramRequest> permits UdpServer, UnixDatagramServer {

    private static final System.Logger LOG = System.getLogger(DatagramServer.class.getName());

    private final AtomicLong oversized = new AtomicLong();

    DatagramServer(RequestHandlerFactory<DatagramRequest> handlerFactory, ServerOptions options) {
        super(handlerFactory, options);
    }

    /** How many datagrams were dropped for being longer than {@link ServerOptions#maxPacketSize()}. */
    public final long oversizedDatagrams() {
        return oversized.get();
    }

    /**
     * Called for each dropped datagram longer than {@link ServerOptions#maxPacketSize()}. Default: logs a warning.
     *
     * @param sender the client that sent it
     */
    protected void oversizedDatagram(SocketAddress sender) {
        LOG.log(Level.WARNING, "Dropped a datagram from {0}: longer than maxPacketSize ({1} bytes)",
                sender, options().maxPacketSize());
    }

    /** Counts and reports an oversized datagram. */
    final void dropOversized(SocketAddress sender) {
        oversized.incrementAndGet();
        oversizedDatagram(sender);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + address() + "]";
    }
}
