package dev.pier.blocking;

import dev.pier.binding.BindFailures;
import dev.pier.endpoint.UnixDatagramEndpoint;
import dev.pier.unix.UnixDatagramSocket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;

/**
 * A Unix domain datagram server (Python's {@code UnixDatagramServer}), bound to a socket file that
 * {@link #close()} removes. A client must bind an address of its own (a path, or
 * {@link UnixDatagramSocket#bindAutomatic()}) to be answered; datagrams from unbound clients are handled, but the
 * reply is dropped.
 *
 * <pre>{@code
 * try (var server = new UnixDatagramServer(Path.of("/tmp/upper.sock"), UpperCaseHandler::new)) {
 *     server.serveForever();
 * }
 * }</pre>
 */
public non-sealed class UnixDatagramServer extends DatagramServer {

    private static final System.Logger LOG = System.getLogger(UnixDatagramServer.class.getName());
    private static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    private final UnixDomainSocketAddress requestedAddress;
    private final ByteBuffer receiveBuffer;
    private volatile UnixDatagramSocket socket;
    /** Sends an empty datagram to the server to wake a receive, since the socket has no selector to wake. */
    private volatile UnixDatagramSocket waker;
    private IncomingRequest<DatagramRequest> received;   // serving thread only: what awaitRequest took
    private Set<PosixFilePermission> filePermissions;   // null: as the umask leaves them

    public UnixDatagramServer(Path path, RequestHandlerFactory<DatagramRequest> handlerFactory) throws IOException {
        this(path, handlerFactory, ServerOptions.defaults());
    }

    /** Binds where a parsed {@code unixgram:} description says; the socket file gets its {@code mode}. */
    public UnixDatagramServer(UnixDatagramEndpoint endpoint, RequestHandlerFactory<DatagramRequest> handlerFactory,
                              ServerOptions options) throws IOException {
        this(endpoint.path(), handlerFactory, options.withBindAndActivate(false));
        this.filePermissions = endpoint.permissions();
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    public UnixDatagramServer(Path path, RequestHandlerFactory<DatagramRequest> handlerFactory,
                              ServerOptions options) throws IOException {
        super(handlerFactory, options);
        this.requestedAddress = UnixStreamServer.UnixPaths.address(path);
        this.receiveBuffer = ByteBuffer.allocateDirect(options.maxPacketSize());
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    /** The server's socket; null before {@link #bindAndActivate()}. */
    public final UnixDatagramSocket socket() {
        return socket;
    }

    @Override
    public UnixDomainSocketAddress address() {
        return requestedAddress;
    }

    @Override
    protected void serverBind() throws IOException {
        try {
            socket = UnixDatagramSocket.bind(requestedAddress.getPath());
        } catch (BindException e) {
            throw BindFailures.failure(requestedAddress, e);
        }
        if (filePermissions != null) {
            Files.setPosixFilePermissions(requestedAddress.getPath(), filePermissions);
        }
    }

    @Override
    protected void serverActivate() throws IOException {
        waker = UnixDatagramSocket.bindAutomatic();
    }

    @Override
    protected boolean awaitRequest(Duration timeout) throws IOException {
        UnixDatagramSocket server = socket;
        if (server == null || waker == null) {
            throw new IllegalStateException(this + " is not activated: call bindAndActivate() first");
        }
        receiveBuffer.clear();
        UnixDatagramSocket.Datagram datagram;
        try {
            datagram = timeout == null ? server.receive(receiveBuffer) : server.receive(receiveBuffer, timeout);
        } catch (ClosedChannelException e) {
            if (isClosed()) {
                return false;   // closed while serving, as by a handler calling close(): the loop stops
            }
            throw e;
        }
        if (datagram == null || waker.boundAddress().equals(datagram.sender())) {
            return false;
        }
        SocketAddress sender = datagram.sender() == null ? UNNAMED : datagram.sender();
        if (datagram.truncated()) {
            dropOversized(sender);
            return true;   // handled: getRequest will find nothing
        }
        receiveBuffer.flip();
        ByteBuffer data = ByteBuffer.allocate(receiveBuffer.remaining()).put(receiveBuffer).flip();
        counters().received(data.remaining());
        received = new IncomingRequest<>(new DatagramRequest(data, (reply, target) -> {
            int sent = send(server, reply, target);
            counters().sent(sent);
            return sent;
        }), sender);
        return true;
    }

    @Override
    protected void wakeUp() {
        UnixDatagramSocket server = socket;
        UnixDatagramSocket wakeFrom = waker;
        if (server == null || wakeFrom == null || !server.isOpen()) {
            return;
        }
        try {
            // Never waits: when the server's queue is full, a datagram is about to wake it anyway.
            wakeFrom.trySend(ByteBuffer.allocate(0), server.boundAddress());
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Could not wake " + this, e);
        }
    }

    @Override
    protected IncomingRequest<DatagramRequest> getRequest() {
        IncomingRequest<DatagramRequest> request = received;
        received = null;
        return request;
    }

    private int send(UnixDatagramSocket via, ByteBuffer datagram, SocketAddress target) throws IOException {
        if (UNNAMED.equals(target)) {
            LOG.log(Level.DEBUG, "Dropped a reply to an unbound client of {0}", this);
            return 0;
        }
        return via.send(datagram, target);
    }

    @Override
    int socketDescriptor() {
        return socket.fd();
    }

    /** The child only sends on its copy of the server's socket; the parent keeps receiving on its own. */
    @Override
    DatagramSender adoptSocket(int fd) throws IOException {
        UnixDatagramSocket copy = UnixDatagramSocket.adopt(fd);
        return (reply, target) -> send(copy, reply, target);
    }

    /** Closes the socket, which removes its file. */
    @Override
    protected void serverClose() {
        try (UnixDatagramSocket wakeFrom = waker; UnixDatagramSocket server = socket) {
            // closes both
        }
    }
}
