package dev.pier.blocking;

import dev.pier.unix.Descriptors;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A server of connections: each accepted {@code SocketChannel} is one request. The base of {@link TcpServer} and
 * {@link UnixStreamServer}.
 */
public abstract sealed class StreamServer extends BaseServer<SocketChannel> permits TcpServer, UnixStreamServer {

    private static final System.Logger LOG = System.getLogger(StreamServer.class.getName());

    private final SocketAddress requestedAddress;
    private final ServerSocketChannel channel;
    private volatile SocketAddress boundAddress;
    private volatile Readiness readiness;

    StreamServer(SocketAddress address, ProtocolFamily family, RequestHandlerFactory<SocketChannel> handlerFactory,
                 ServerOptions options) throws IOException {
        super(handlerFactory, options);
        this.requestedAddress = address;
        this.channel = ServerSocketChannel.open(family);
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    /** The listening channel. */
    public final ServerSocketChannel channel() {
        return channel;
    }

    @Override
    public SocketAddress address() {
        SocketAddress bound = boundAddress;
        return bound != null ? bound : requestedAddress;
    }

    /** Sets socket options, then binds and listens ({@link ServerOptions#backlog()}). */
    @Override
    protected void serverBind() throws IOException {
        try {
            channel.bind(requestedAddress, options().backlog());
        } catch (java.net.BindException e) {
            throw Bind.failure(requestedAddress, e);
        }
        boundAddress = channel.getLocalAddress();
    }

    @Override
    protected void serverActivate() throws IOException {
        readiness = new Readiness(channel, SelectionKey.OP_ACCEPT);
    }

    @Override
    protected boolean awaitRequest(Duration timeout) throws IOException {
        Readiness ready = readiness;
        if (ready == null) {
            throw new IllegalStateException(this + " is not activated: call bindAndActivate() first");
        }
        return ready.await(timeout);
    }

    @Override
    protected void wakeUp() {
        Readiness ready = readiness;
        if (ready != null) {
            ready.wakeUp();
        }
    }

    /** Accepts a connection; the handler gets it in blocking mode. */
    @Override
    protected IncomingRequest<SocketChannel> getRequest() throws IOException {
        SocketChannel connection = channel.accept();
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

    /** A forked child gets a copy of the connection's descriptor. */
    @Override
    ForkedRequest forkRequest(SocketChannel request, SocketAddress clientAddress) {
        return new ForkedRequest(Descriptors.of(request), ByteBuffer.allocate(0));
    }

    /** The JDK wraps a connection's descriptor in a channel only as the inherited channel, once per JVM. */
    @Override
    IncomingRequest<SocketChannel> adoptForkedRequest(int fd, ByteBuffer details) throws IOException {
        SocketChannel connection = (SocketChannel) Descriptors.adoptAsInheritedChannel(fd);
        boundAddress = connection.getLocalAddress();   // the parent's listening address, for the handler
        return new IncomingRequest<>(connection, connection.getRemoteAddress());
    }

    @Override
    protected void serverClose() throws IOException {
        try (Readiness ignored = readiness; channel) {
            // closes both, in reverse order
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + address() + "]";
    }
}
