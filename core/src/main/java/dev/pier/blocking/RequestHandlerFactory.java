package dev.pier.blocking;

/**
 * Makes a fresh handler for each request, as socketserver's {@code RequestHandlerClass} does. A handler's
 * constructor is usually all it takes:
 *
 * <pre>{@code
 * new TcpServer(address, EchoHandler::new);
 * new TcpServer(address, () -> new GreetingHandler(greeting));
 * }</pre>
 *
 * @param <R> the request type of the server: {@code SocketChannel} for stream servers,
 *            {@link DatagramRequest} for datagram servers
 */
@FunctionalInterface
public interface RequestHandlerFactory<R> {

    /** Returns a new handler, used for exactly one request. */
    BaseRequestHandler<R> newHandler();
}
