package dev.pier.blocking;

import dev.pier.jfr.RequestHandled;
import dev.pier.unix.AbstractUnixAddress;
import dev.pier.unix.Descriptors;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * How a request crosses from a forking server to its child: a descriptor (the connection, or a datagram server's
 * own socket, so that replies leave from the server's address) and the bytes the child needs besides it (for a
 * datagram: its sender and its data). The child rebuilds the request from them and runs it through the server's
 * usual hooks. The only place that knows what each server type sends.
 */
final class HandOver {

    private static final byte INET = 1;
    private static final byte UNIX_PATH = 2;
    private static final byte UNIX_ABSTRACT = 3;

    private HandOver() {
    }

    /**
     * One request as sent to a child.
     *
     * @param fd      a descriptor of the parent, copied into the child; the parent keeps its own
     * @param details whatever else the server type needs to rebuild the request
     */
    record Described(int fd, ByteBuffer details) {
    }

    /** Describes {@code request} of {@code server} for a child. */
    static Described describe(BaseServer<?> server, Object request, SocketAddress client) throws IOException {
        return switch (server) {
            case StreamServer stream -> new Described(Descriptors.of((SocketChannel) request),
                    bytes(out -> writeAddress(out, client)));
            case DatagramServer datagrams -> new Described(datagrams.socketDescriptor(),
                    describeDatagram((DatagramRequest) request, client));
            default -> throw unsupported(server);
        };
    }

    /**
     * In a child: runs the request that {@link #describe} described, now owning {@code fd}, through the server's
     * hooks ({@code finishRequest}, {@code handleError}, {@code shutdownRequest}).
     *
     * @return whether the handler finished without throwing
     */
    static boolean run(BaseServer<?> server, ChildSession session, int fd, ByteBuffer details) throws IOException {
        // Tests of types rather than a switch on them: a pattern switch links its call site on first use, which here
        // is the child's one request.
        if (server instanceof StreamServer stream) {
            SocketAddress client = readAddress(details);
            SocketChannel channel = session.connections == null
                    ? (SocketChannel) Descriptors.adoptAsInheritedChannel(fd)
                    : session.connections.adopt(fd, client);
            IncomingRequest<SocketChannel> connection = stream.adoptConnection(channel);
            return stream.runRequest(connection.request(), connection.clientAddress());
        }
        if (server instanceof DatagramServer datagrams) {
            // Every datagram comes with the same server socket: the first copy serves them all.
            if (session.datagramSocket == null) {
                session.datagramSocket = datagrams.adoptSocket(fd);
            } else {
                Descriptors.close(fd);
            }
            IncomingRequest<DatagramRequest> datagram = datagram(details, session.datagramSocket);
            return datagrams.runRequest(datagram.request(), datagram.clientAddress());
        }
        throw unsupported(server);
    }

    /**
     * What a child keeps from one request to the next: how it turns a descriptor into a connection (the JDK's
     * inherited channel, good for one, unless the JVM lets it do as {@code accept} does), and a datagram server's
     * socket.
     */
    static final class ChildSession {
        private final AcceptedConnections connections;   // null: the inherited channel, once
        private DatagramSender datagramSocket;

        private ChildSession(AcceptedConnections connections) {
            this.connections = connections;
        }

        /** Whether this child can take more than one connection. */
        boolean servesSeveral() {
            return connections != null;
        }
    }

    /**
     * In a child, before it tells its parent it is ready: runs what the first request would otherwise run for the
     * first time (loading, linking and initialising classes, first calls through native functions), on a loopback
     * connection of its own, so that a request waits for the handler alone. The handler itself does not run: it is
     * the program's, and may do what a request only should.
     */
    static ChildSession prepare(BaseServer<?> server) throws IOException {
        Descriptors.prepareAdoption();
        var event = new RequestHandled();
        event.begin();
        event.end();
        event.shouldCommit();
        AcceptedConnections connections = AcceptedConnections.available() ? AcceptedConnections.prepare() : null;
        if (server instanceof StreamServer) {
            exerciseConnection(connections);
        }
        try {
            for (String name : List.of("sun.nio.ch.InheritedChannel",
                    "sun.nio.ch.InheritedChannel$InheritedSocketChannelImpl",
                    "sun.nio.ch.InheritedChannel$InheritedDatagramChannelImpl")) {
                Class.forName(name, true, null);
            }
        } catch (ClassNotFoundException e) {
            // Another JDK: its first request loads what it needs.
        }
        return new ChildSession(connections);
    }

    /** A loopback exchange through the streams a handler reads and writes, and the hand-over's address format. */
    private static void exerciseConnection(AcceptedConnections connections) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            SocketAddress peer = readAddress(bytes(out -> writeAddress(out, accepted.getRemoteAddress())));
            if (connections != null) {
                connections.adopt(Descriptors.dup(Descriptors.of(accepted)), peer).close();
            }
            var uncounted = new ServerCounters();   // this exchange is no request of the server's
            var input = ChannelStreams.input(accepted, Duration.ofSeconds(10), uncounted);
            var output = ChannelStreams.output(accepted, uncounted);
            client.write(ByteBuffer.wrap(new byte[] {'?'}));
            output.write(input.read());
            output.flush();
            client.read(ByteBuffer.allocate(1));
            client.shutdownOutput();
            input.read();
            accepted.shutdownOutput();
        }
    }

    private static UnsupportedOperationException unsupported(BaseServer<?> server) {
        return new UnsupportedOperationException(server.getClass().getName() + " cannot hand requests to a child"
                + " process: forking works with TcpServer, UdpServer, UnixStreamServer and UnixDatagramServer");
    }

    /** The datagram and its sender, as bytes for a forked child. */
    private static ByteBuffer describeDatagram(DatagramRequest request, SocketAddress sender) {
        return bytes(out -> {
            writeAddress(out, sender);
            ByteBuffer data = request.data();
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            out.writeInt(copy.length);
            out.write(copy);
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static ByteBuffer bytes(Writer writer) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteBuffer.wrap(bytes.toByteArray());
    }

    private static void writeAddress(DataOutputStream out, SocketAddress address) throws IOException {
        switch (address) {
            case InetSocketAddress inet -> {
                out.writeByte(INET);
                byte[] bytes = inet.getAddress().getAddress();
                out.writeByte(bytes.length);
                out.write(bytes);
                out.writeShort(inet.getPort());
            }
            case UnixDomainSocketAddress path -> {
                out.writeByte(UNIX_PATH);
                byte[] utf8 = path.getPath().toString().getBytes(StandardCharsets.UTF_8);
                out.writeShort(utf8.length);
                out.write(utf8);
            }
            case AbstractUnixAddress name -> {
                out.writeByte(UNIX_ABSTRACT);
                out.writeByte(name.name().length);
                out.write(name.name());
            }
            default -> throw new IllegalArgumentException("cannot hand a request from a " + address.getClass()
                    + " to a child process");
        }
    }

    private static SocketAddress readAddress(ByteBuffer details) {
        return switch (details.get()) {
            case INET -> {
                byte[] address = new byte[details.get()];
                details.get(address);
                try {
                    yield new InetSocketAddress(InetAddress.getByAddress(address),
                            Short.toUnsignedInt(details.getShort()));
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("a malformed address from the parent", e);
                }
            }
            case UNIX_PATH -> {
                int length = Short.toUnsignedInt(details.getShort());
                byte[] utf = new byte[length];
                details.get(utf);
                yield UnixDomainSocketAddress.of(new String(utf, StandardCharsets.UTF_8));
            }
            case UNIX_ABSTRACT -> {
                byte[] name = new byte[details.get()];
                details.get(name);
                yield AbstractUnixAddress.of(name);
            }
            default -> throw new IllegalArgumentException("a malformed address from the parent");
        };
    }

    /** In a forked child: the request {@link #describeDatagram} described, answered through {@code replies}. */
    private static IncomingRequest<DatagramRequest> datagram(ByteBuffer details, DatagramSender replies) {
        SocketAddress sender = readAddress(details);
        ByteBuffer data = details.slice(details.position() + Integer.BYTES, details.getInt());
        return new IncomingRequest<>(new DatagramRequest(data, replies), sender);
    }
}
