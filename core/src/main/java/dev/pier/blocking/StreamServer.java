package dev.pier.blocking;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A server of connections: each accepted {@code SocketChannel} is one request. The base of {@link TcpServer} and
 * {@link UnixStreamServer}.
 */
public abstract sealed class StreamServer extends BaseServer<SocketChannel> permits TcpServer, UnixStreamServer {

    private static final System.Logger LOG = System.getLogger(StreamServer.class.getName());

    /** The most connections taken from the queue as the socket closes: Linux's default longest queue (somaxconn). */
    private static final int MAX_TAKEN_AT_CLOSE = 4096;

    private final ListeningChannel<ServerSocketChannel> listening;

    StreamServer(SocketAddress address, ProtocolFamily family, RequestHandlerFactory<SocketChannel> handlerFactory,
                 ServerOptions options) throws IOException {
        super(handlerFactory, options);
        this.listening = new ListeningChannel<>(ServerSocketChannel.open(family), address, SelectionKey.OP_ACCEPT);
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    /** Serves on {@code channel}, which listens already; the options' backlog and address reuse do not apply. */
    StreamServer(ServerSocketChannel channel, RequestHandlerFactory<SocketChannel> handlerFactory,
                 ServerOptions options) throws IOException {
        super(handlerFactory, options);
        this.listening = ListeningChannel.bound(channel, SelectionKey.OP_ACCEPT);
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    /** Whether the listening socket was bound before this server took it over. */
    final boolean boundElsewhere() {
        return listening.boundElsewhere();
    }

    /** The listening channel. */
    public final ServerSocketChannel channel() {
        return listening.channel();
    }

    @Override
    public SocketAddress address() {
        return listening.address();
    }

    /** Sets socket options, then binds and listens ({@link ServerOptions#backlog()}). */
    @Override
    protected void serverBind() throws IOException {
        listening.bind((channel, address) -> channel.bind(address, options().backlog()));
    }

    @Override
    protected void serverActivate() throws IOException {
        listening.activate();
    }

    @Override
    protected boolean awaitRequest(Duration timeout) throws IOException {
        return listening.await(timeout, this);
    }

    @Override
    protected void wakeUp() {
        listening.wakeUp();
    }

    /** Accepts a connection; the handler gets it in blocking mode. */
    @Override
    protected IncomingRequest<SocketChannel> getRequest() throws IOException {
        SocketChannel connection = listening.channel().accept();
        if (connection == null) {
            return null;
        }
        try {
            connection.configureBlocking(true);
            return new IncomingRequest<>(connection, connection.getRemoteAddress());
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Half-closes the connection, so the client sees end of stream after everything sent, then closes it. */
    @Override
    protected void shutdownRequest(SocketChannel request) {
        try {
            request.shutdownOutput();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Half-closing a connection failed; closing it anyway", e);
        }
        closeRequest(request);
    }

    @Override
    protected void closeRequest(SocketChannel request) {
        try {
            request.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Closing a connection failed", e);
        }
    }

    /** In a forked child: a connection its parent accepted, now a channel of this process. */
    IncomingRequest<SocketChannel> adoptConnection(SocketChannel connection) throws IOException {
        listening.adoptBoundAddress(connection.getLocalAddress());   // the parent's listening address, for the handler
        return new IncomingRequest<>(connection, connection.getRemoteAddress());
    }

    /**
     * Closes the listening socket, and the selector watching it: while registered with one, a channel's socket is
     * only closed at the selector's next wait, which a synchronous server busy with a request never reaches.
     */
    @Override
    List<IncomingRequest<SocketChannel>> stopListening() throws IOException {
        List<IncomingRequest<SocketChannel>> queued = new ArrayList<>();
        if (listening.isActivated()) {
            try {
                for (IncomingRequest<SocketChannel> next;
                        queued.size() < MAX_TAKEN_AT_CLOSE && (next = getRequest()) != null; ) {
                    queued.add(next);
                }
            } catch (IOException takingFailed) {
                // those left are reset, as they would have been without this
            }
        }
        listening.close();
        return queued;
    }

    @Override
    protected void serverClose() throws IOException {
        listening.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + address() + "]";
    }
}
