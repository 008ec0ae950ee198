package dev.pier.blocking;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * What {@link BaseServer#getRequest()} returns: the request and the address of the client that sent it
 * (Python's {@code (request, client_address)} pair).
 *
 * @param request       an accepted {@code SocketChannel}, or a {@link DatagramRequest}
 * @param clientAddress the peer's address; for Unix sockets usually an unnamed address
 * @param <R>           the request type
 */
public record IncomingRequest<R>(R request, SocketAddress clientAddress) {

    public IncomingRequest {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(clientAddress, "clientAddress");
    }
}
