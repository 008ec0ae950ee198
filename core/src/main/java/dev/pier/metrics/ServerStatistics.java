package dev.pier.metrics;

/**
 * What a listening server counted since it started: a snapshot, read from any thread while it serves or after. Each
 * count only grows, so that two snapshots taken one after the other show what happened in between. Both models count
 * the same things on stream sockets (TCP and Unix), where each connection is one request:
 *
 * <pre>{@code
 * ListeningPort port = reactor.listenTcp(8080, factory);           // the reactor
 * ServerStatistics seen = port.statistics();
 *
 * try (var server = new TcpServer(address, EchoHandler::new)) {   // the blocking model
 *     ...
 *     long bytes = server.statistics().bytesReceived();
 * }
 * }</pre>
 *
 * <p>Datagram servers: in the blocking model each datagram is a request, and counts as one accepted (or refused),
 * with its bytes and its replies'; the reactor's datagram ports count nothing (all zero). What a layer counts
 * belongs to its factory: the handshakes of a {@link dev.pier.tls.TlsServer}, the headers of a
 * {@link dev.pier.proxy.ProxyProtocol}.
 *
 * @param accepted      connections taken from the listening socket, those refused afterwards included
 * @param refused       accepted connections that were closed without being served: the factory built no protocol
 *                      for them (reactor: {@code buildProtocol} returned null or threw, as a connection limit does
 *                      unless it has an overflow reply to send), {@code verifyRequest} said no (blocking model), or
 *                      their layers never passed them on (a failed TLS handshake, a bad PROXY header, a client gone
 *                      before its handshake was done)
 * @param bytesReceived bytes read from the connections' sockets, as they came off the wire: with TLS, the encrypted
 *                      records, handshakes included
 * @param bytesSent     bytes written to the connections' sockets, likewise
 * @param errors        exceptions of the code serving the connections: a protocol callback that threw and so had its
 *                      connection closed, or a {@code buildProtocol} that threw (reactor); an exception a hook or
 *                      handler passed to {@code handleError} (blocking model), other than that of a connection its
 *                      layers did not pass on (a refusal)
 */
public record ServerStatistics(long accepted, long refused, long bytesReceived, long bytesSent, long errors) {

    /** Nothing counted. */
    public static final ServerStatistics NONE = new ServerStatistics(0, 0, 0, 0, 0);

    /** The counts of this and {@code other} added: the statistics of two servers, or of two parts of one. */
    public ServerStatistics plus(ServerStatistics other) {
        return new ServerStatistics(accepted + other.accepted, refused + other.refused,
                bytesReceived + other.bytesReceived, bytesSent + other.bytesSent, errors + other.errors);
    }
}
