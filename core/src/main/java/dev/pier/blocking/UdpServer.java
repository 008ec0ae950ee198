package dev.pier.blocking;

import dev.pier.binding.SocketFamilies;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.libc.Ipv4Datagrams;
import dev.pier.logging.RateLimitedLog;
import dev.pier.unix.Descriptors;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;

/**
 * A UDP server (Python's {@code UDPServer}): each datagram is handled by a new {@link DatagramRequestHandler}
 * (or any {@code BaseRequestHandler<DatagramRequest>}), whose reply goes back from the server's port.
 *
 * <pre>{@code
 * try (var server = new UdpServer(new InetSocketAddress("127.0.0.1", 0), UpperCaseHandler::new)) {
 *     server.serveForever();
 * }
 * }</pre>
 */
public non-sealed class UdpServer extends DatagramServer {

    private static final System.Logger LOG = System.getLogger(UdpServer.class.getName());
    private static final RateLimitedLog FULL_SEND_BUFFER_WARNINGS = RateLimitedLog.of(LOG);

    private final ListeningChannel<DatagramChannel> listening;
    private final ByteBuffer receiveBuffer;
    /** An IPv4 socket bound elsewhere, which the JDK may take for IPv6: replies go through {@link Ipv4Datagrams}. */
    private final boolean ipv4BoundElsewhere;
    private final DatagramSender replies;

    public UdpServer(InetSocketAddress address, RequestHandlerFactory<DatagramRequest> handlerFactory)
            throws IOException {
        this(address, handlerFactory, ServerOptions.defaults());
    }

    public UdpServer(InetSocketAddress address, RequestHandlerFactory<DatagramRequest> handlerFactory,
                     ServerOptions options) throws IOException {
        super(handlerFactory, options);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host " + address.getHostString());
        }
        // One byte more than allowed, so that an oversized datagram shows instead of being cut silently.
        this.receiveBuffer = ByteBuffer.allocateDirect(options.maxPacketSize() + 1);
        this.listening = new ListeningChannel<>(openChannel(address, options), address, SelectionKey.OP_READ);
        this.ipv4BoundElsewhere = false;
        this.replies = countedReplies();
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    /**
     * A socket of the address's family; for a forking server, of the JDK's default family instead (dual-stack where
     * IPv6 is available), because that is the family the JDK assumes when a forked child wraps the socket.
     */
    private static DatagramChannel openChannel(InetSocketAddress address, ServerOptions options) throws IOException {
        if (options.concurrency() instanceof Forking) {
            return DatagramChannel.open();
        }
        return DatagramChannel.open(SocketFamilies.of(address));
    }

    /** Binds where a parsed {@code udp:} description says. */
    public UdpServer(UdpEndpoint endpoint, RequestHandlerFactory<DatagramRequest> handlerFactory, ServerOptions options)
            throws IOException {
        this(endpoint.socketAddress(), handlerFactory, options);
    }

    /**
     * Serves on {@code channel}, a UDP socket bound already: one another process passed, such as systemd
     * ({@link dev.pier.endpoint.SystemdEndpoint#adoptDatagram()}). The server owns the channel from now on and
     * closes it. The options' port reuse does not apply; forking concurrency does not either (a forked child cannot
     * take the socket over again).
     *
     * <pre>{@code
     * var systemd = (SystemdEndpoint) Endpoint.parseServer("systemd:domain=INET:index=0");
     * try (var server = new UdpServer(systemd.adoptDatagram(), EchoHandler::new, ServerOptions.defaults())) {
     *     server.serveForever();
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException if the channel is not bound, or is not an IP socket
     */
    public UdpServer(DatagramChannel channel, RequestHandlerFactory<DatagramRequest> handlerFactory,
                     ServerOptions options) throws IOException {
        super(handlerFactory, options);
        SocketAddress bound = channel.getLocalAddress();
        if (!(bound instanceof InetSocketAddress)) {
            channel.close();
            throw new IllegalArgumentException(bound == null ? "the channel is not bound: " + channel
                    : "not a UDP socket: " + channel);
        }
        this.receiveBuffer = ByteBuffer.allocateDirect(options.maxPacketSize() + 1);
        this.listening = ListeningChannel.bound(channel, SelectionKey.OP_READ);
        this.ipv4BoundElsewhere = Ipv4Datagrams.isIpv4(channel);
        this.replies = countedReplies();
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    public UdpServer(String host, int port, RequestHandlerFactory<DatagramRequest> handlerFactory,
                     ServerOptions options) throws IOException {
        this(new InetSocketAddress(host, TcpServer.checkedPort(port)), handlerFactory, options);
    }

    /** The server's socket. */
    public final DatagramChannel channel() {
        return listening.channel();
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) listening.address();
    }

    /** Sets SO_REUSEPORT if asked, then binds. */
    @Override
    protected void serverBind() throws IOException {
        if (options().reusePort() && !listening.boundElsewhere()) {
            Sockets.enableReusePort(listening.channel());
        }
        listening.bind(DatagramChannel::bind);
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

    @Override
    protected IncomingRequest<DatagramRequest> getRequest() throws IOException {
        DatagramChannel channel = listening.channel();
        receiveBuffer.clear();
        SocketAddress sender = channel.receive(receiveBuffer);
        if (sender == null) {
            return null;
        }
        receiveBuffer.flip();
        if (receiveBuffer.remaining() > options().maxPacketSize()) {
            dropOversized(sender);
            return null;
        }
        ByteBuffer data = ByteBuffer.allocate(receiveBuffer.remaining()).put(receiveBuffer).flip();
        counters().received(data.remaining());
        return new IncomingRequest<>(new DatagramRequest(data, replies), sender);
    }

    /** How every request's replies leave, counted: built once, not per datagram. */
    private DatagramSender countedReplies() {
        DatagramChannel channel = listening.channel();
        DatagramSender uncounted = ipv4BoundElsewhere
                ? (datagram, target) -> {
                    int length = datagram.remaining();
                    return warnIfDropped(length, Ipv4Datagrams.send(Descriptors.of(channel), datagram, target), target);
                }
                : (datagram, target) -> send(channel, datagram, target);
        return (datagram, target) -> {
            int sent = uncounted.send(datagram, target);
            counters().sent(sent);
            return sent;
        };
    }

    @Override
    int socketDescriptor() {
        return Descriptors.of(listening.channel());
    }

    /** The JDK wraps the socket's descriptor in a channel as the inherited channel; the child only sends on it. */
    @Override
    DatagramSender adoptSocket(int fd) throws IOException {
        DatagramChannel socket = (DatagramChannel) Descriptors.adoptAsInheritedChannel(fd);
        listening.adoptBoundAddress(socket.getLocalAddress());
        return (datagram, target) -> send(socket, datagram, target);
    }

    private static int send(DatagramChannel via, ByteBuffer datagram, SocketAddress target) throws IOException {
        int length = datagram.remaining();
        return warnIfDropped(length, via.send(datagram, target), target);
    }

    /** Returns what a send of {@code length} bytes returned, once it warned if that was a reply dropped. */
    private static int warnIfDropped(int length, int sent, SocketAddress target) {
        if (sent == 0 && length > 0) {
            FULL_SEND_BUFFER_WARNINGS.log(Level.WARNING, "Dropped a reply to {0}: the socket send buffer is full",
                    target);
        }
        return sent;
    }

    @Override
    protected void serverClose() throws IOException {
        listening.close();
    }
}
