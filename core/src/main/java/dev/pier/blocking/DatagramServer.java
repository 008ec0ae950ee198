package dev.pier.blocking;

import dev.pier.logging.RateLimitedLog;
import dev.pier.unix.AbstractUnixAddress;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server of datagrams: each received datagram is one {@link DatagramRequest}, answered through the server's own
 * socket. The base of {@link UdpServer} and {@link UnixDatagramServer}.
 *
 * <p>Datagrams longer than {@link ServerOptions#maxPacketSize()} are never cut short silently: they are dropped,
 * counted and reported to {@link #oversizedDatagram}.
 */
public abstract sealed class DatagramServer extends BaseServer<DatagramRequest> permits UdpServer, UnixDatagramServer {

    private static final System.Logger LOG = System.getLogger(DatagramServer.class.getName());

    private static final byte INET = 1;
    private static final byte UNIX_PATH = 2;
    private static final byte UNIX_ABSTRACT = 3;

    private final AtomicLong oversized = new AtomicLong();
    private final RateLimitedLog oversizedWarnings = RateLimitedLog.of(LOG);

    DatagramServer(RequestHandlerFactory<DatagramRequest> handlerFactory, ServerOptions options) {
        super(handlerFactory, options);
    }

    /** How many datagrams were dropped for being longer than {@link ServerOptions#maxPacketSize()}. */
    public final long oversizedDatagrams() {
        return oversized.get();
    }

    /**
     * Called for each dropped datagram longer than {@link ServerOptions#maxPacketSize()}. Default: logs a warning,
     * at most one every {@link RateLimitedLog#DEFAULT_INTERVAL}, since any sender can trigger it with every packet.
     *
     * @param sender the client that sent it
     */
    protected void oversizedDatagram(SocketAddress sender) {
        oversizedWarnings.log(Level.WARNING, "Dropped a datagram from {0}: longer than maxPacketSize ({1} bytes)",
                sender, options().maxPacketSize());
    }

    /** Counts and reports an oversized datagram. */
    final void dropOversized(SocketAddress sender) {
        oversized.incrementAndGet();
        oversizedDatagram(sender);
    }

    /** The datagram and its sender, as bytes for a forked child. */
    static ByteBuffer describeForChild(DatagramRequest request, SocketAddress sender) {
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
                    out.writeUTF(path.getPath().toString());
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

    /** In a forked child: the request {@link #describeForChild} described, answered through {@code replies}. */
    static IncomingRequest<DatagramRequest> describedRequest(ByteBuffer details, DatagramSender replies) {
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

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + address() + "]";
    }
}
