package dev.pier.blocking;

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
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

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
            case StreamServer stream -> new Described(Descriptors.of((SocketChannel) request), ByteBuffer.allocate(0));
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
    static boolean run(BaseServer<?> server, int fd, ByteBuffer details) throws IOException {
        return switch (server) {
            case StreamServer stream -> {
                IncomingRequest<SocketChannel> connection = stream.adoptConnection(fd);
                yield stream.runRequest(connection.request(), connection.clientAddress());
            }
            case DatagramServer datagrams -> {
                IncomingRequest<DatagramRequest> datagram = datagram(details, datagrams.adoptSocket(fd));
                yield datagrams.runRequest(datagram.request(), datagram.clientAddress());
            }
            default -> throw unsupported(server);
        };
    }

    private static UnsupportedOperationException unsupported(BaseServer<?> server) {
        return new UnsupportedOperationException(server.getClass().getName() + " cannot hand requests to a child"
                + " process: forking works with TcpServer, UdpServer, UnixStreamServer and UnixDatagramServer");
    }

    /** The datagram and its sender, as bytes for a forked child. */
    private static ByteBuffer describeDatagram(DatagramRequest request, SocketAddress sender) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            switch (sender) {
                case InetSocketAddress inet -> {
                    out.writeByte(INET);
                    byte[] address = inet.getAddress().getAddress();
                    out.writeByte(address.length);
                    out.write(address);
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
                default -> throw new IllegalArgumentException("cannot hand a datagram from a " + sender.getClass()
                        + " to a child process");
            }
            ByteBuffer data = request.data();
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            out.writeInt(copy.length);
            out.write(copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteBuffer.wrap(bytes.toByteArray());
    }

    /** In a forked child: the request {@link #describeDatagram} described, answered through {@code replies}. */
    private static IncomingRequest<DatagramRequest> datagram(ByteBuffer details, DatagramSender replies) {
        SocketAddress sender = switch (details.get()) {
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
        ByteBuffer data = details.slice(details.position() + Integer.BYTES, details.getInt());
        return new IncomingRequest<>(new DatagramRequest(data, replies), sender);
    }
}
