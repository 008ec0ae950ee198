package dev.pier.blocking;

import java.net.SocketAddress;

/**
 * Handles one request: {@link #setup()}, then {@link #handle()}, then {@link #finish()} (which runs even when
 * {@code handle} throws). A new handler is made for every request by the server's {@link RequestHandlerFactory},
 * so fields hold per-request state. Most handlers extend {@link StreamRequestHandler} or
 * {@link DatagramRequestHandler} instead.
 *
 * <pre>{@code
 * class Greeter extends BaseRequestHandler<SocketChannel> {
 *     protected void handle() throws IOException {
 *         request().write(ByteBuffer.wrap(("hello " + clientAddress() + "\n").getBytes(UTF_8)));
 *     }
 * }
 * }</pre>
 *
 * @param <R> the request type of the server
 */
public abstract class BaseRequestHandler<R> {

    private R request;
    private SocketAddress clientAddress;
    private BaseServer<R> server;

    /** Prepares for {@link #handle()}; if it throws, neither {@code handle} nor {@code finish} runs. */
    protected void setup() throws Exception {
    }

    /** Does the work of the request. */
    protected abstract void handle() throws Exception;

    /** Cleans up after {@link #handle()}, whether or not it threw. */
    protected void finish() throws Exception {
    }

    /** The request: an accepted {@code SocketChannel}, or a {@link DatagramRequest}. */
    protected final R request() {
        return request;
    }

    /**
     * The client's address: the socket's peer, or the client a layer of the connection named (a PROXY header), from
     * the end of {@code StreamRequestHandler.setup()} on.
     */
    protected final SocketAddress clientAddress() {
        return clientAddress;
    }

    /** The server handling this request (cast it to reach your own server subclass). */
    protected final BaseServer<R> server() {
        return server;
    }

    /** The connection's layers named the real client (a PROXY header): {@link #clientAddress()} reports it. */
    final void clientAddressFromLayers(SocketAddress client) {
        this.clientAddress = client;
    }

    final void run(R request, SocketAddress clientAddress, BaseServer<R> server) throws Exception {
        if (this.server != null) {
            throw new IllegalStateException("a handler handles one request only: make a new one per request");
        }
        this.request = request;
        this.clientAddress = clientAddress;
        this.server = server;
        setup();
        Exception failure = null;
        try {
            handle();
        } catch (Exception e) {
            failure = e;
            throw e;
        } finally {
            try {
                finish();
            } catch (Exception e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }
}
