package dev.pier.blocking;

import dev.pier.endpoint.UnixEndpoint;
import dev.pier.unix.PeerCredentials;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A Unix domain stream server (Python's {@code UnixStreamServer}), listening on a socket file that
 * {@link #close()} removes. The peer's identity is known, so {@link #verifyRequest} can do access control:
 *
 * <pre>{@code
 * var server = new UnixStreamServer(Path.of("/run/myapp.sock"), EchoHandler::new) {
 *     protected boolean verifyRequest(SocketChannel request, SocketAddress client) throws IOException {
 *         return peerCredentials(request).uid() == DEPLOY_UID;
 *     }
 * };
 * }</pre>
 */
public non-sealed class UnixStreamServer extends StreamServer {

    private static final System.Logger LOG = System.getLogger(UnixStreamServer.class.getName());

    private volatile boolean bound;
    private Set<PosixFilePermission> filePermissions;   // null: as the umask leaves them

    public UnixStreamServer(Path path, RequestHandlerFactory<SocketChannel> handlerFactory) throws IOException {
        this(path, handlerFactory, ServerOptions.defaults());
    }

    public UnixStreamServer(Path path, RequestHandlerFactory<SocketChannel> handlerFactory, ServerOptions options)
            throws IOException {
        super(UnixPaths.address(path), StandardProtocolFamily.UNIX, handlerFactory, options);
    }

    /**
     * Binds where a parsed {@code unix:} description says: its backlog replaces the options' one, and the socket file
     * gets its {@code mode}, which decides who may connect.
     */
    public UnixStreamServer(UnixEndpoint endpoint, RequestHandlerFactory<SocketChannel> handlerFactory,
                            ServerOptions options) throws IOException {
        this(endpoint.path(), handlerFactory, options.withBacklog(endpoint.backlog()).withBindAndActivate(false));
        this.filePermissions = endpoint.permissions();
        if (options.bindAndActivate()) {
            bindAndActivate();
        }
    }

    /**
     * Serves on {@code channel}, a Unix stream socket bound and listening already: one another process passed, such
     * as systemd ({@link dev.pier.endpoint.SystemdEndpoint#adopt()}). The server owns the channel and closes it, but
     * leaves its file, which whoever bound it owns. Not with forking concurrency.
     *
     * @throws IllegalArgumentException if the channel is not bound, or is not a Unix socket
     */
    public UnixStreamServer(ServerSocketChannel channel, RequestHandlerFactory<SocketChannel> handlerFactory,
                            ServerOptions options) throws IOException {
        super(requireUnix(channel), handlerFactory, options);
    }

    private static ServerSocketChannel requireUnix(ServerSocketChannel channel) throws IOException {
        if (!(channel.getLocalAddress() instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException("not a bound Unix socket: " + channel + " (serve a TCP one with"
                    + " TcpServer)");
        }
        return channel;
    }

    @Override
    public UnixDomainSocketAddress address() {
        return (UnixDomainSocketAddress) super.address();
    }

    /**
     * The process, user and group at the other end of {@code connection}, as the kernel recorded them when it
     * connected (SO_PEERCRED): the client cannot forge them.
     */
    public static PeerCredentials peerCredentials(SocketChannel connection) throws IOException {
        return PeerCredentials.of(connection);
    }

    @Override
    protected void serverBind() throws IOException {
        if (boundElsewhere()) {
            return;
        }
        super.serverBind();
        bound = true;
        if (filePermissions != null) {
            Files.setPosixFilePermissions(address().getPath(), filePermissions);
        }
    }

    /** Closes the socket and removes its file (only if this server created it). */
    @Override
    protected void serverClose() throws IOException {
        try {
            super.serverClose();
        } finally {
            if (bound) {
                Path path = address().getPath();
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "Could not remove the socket file " + path, e);
                }
            }
        }
    }

    /** Unix socket path checks shared with {@link UnixDatagramServer}. */
    static final class UnixPaths {
        /** sun_path holds 108 bytes including the terminating NUL. */
        static final int MAX_PATH_BYTES = 107;

        private UnixPaths() {
        }

        static UnixDomainSocketAddress address(Path path) {
            int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
            if (length == 0 || length > MAX_PATH_BYTES) {
                throw new IllegalArgumentException("a Unix socket path must have 1 to " + MAX_PATH_BYTES
                        + " bytes, got " + length + ": " + path + " (use a shorter directory, e.g. under /tmp)");
            }
            return UnixDomainSocketAddress.of(path);
        }
    }
}
