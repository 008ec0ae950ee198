package dev.pier.reactor;

import dev.pier.metrics.ServerStatistics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * A port the reactor listens on (Twisted's {@code IListeningPort}): TCP, UDP, Unix stream or Unix datagram.
 *
 * <pre>{@code
 * ListeningPort port = reactor.listenTcp(0, peer -> new Echo());
 * System.out.println("listening on " + port.port());
 * port.stopListening().toCompletableFuture().join();
 * }</pre>
 */
public interface ListeningPort {

    /** The bound address; a requested port 0 appears here as the port the system chose. */
    SocketAddress address();

    /** The bound TCP or UDP port number, or -1 for a Unix socket. */
    default int port() {
        return address() instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /**
     * Stops accepting connections (or datagrams) and closes the listening socket; connections already accepted go
     * on. A Unix socket's file is removed. The stage completes once the socket is closed and its address can be
     * bound again. Safe to call from any thread, and more than once.
     */
    CompletionStage<Void> stopListening();

    /**
     * What the port counted since it began to listen: connections accepted and refused, bytes received and sent,
     * errors of their protocols (see {@link ServerStatistics}); the counts stay readable after it stopped. Safe from
     * any thread, and cheap: the loops count as they go, without locks. A datagram port counts nothing (all zero).
     */
    default ServerStatistics statistics() {
        return ServerStatistics.NONE;
    }
}
