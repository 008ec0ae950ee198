package dev.pier.blocking;

import dev.pier.unix.Descriptors;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The role of a forking server inside a child JVM: instead of listening, it takes requests from the parent over
 * the control socket, one at a time, and ends the JVM when the parent closes that socket (after
 * {@link Forking#requestsPerChild()} requests). Only the server the parent named (by its number among the
 * program's forking servers) does that; the program's other forking servers in the child neither bind nor serve.
 */
final class ForkedChild implements RequestDispatcher {

    private static final System.Logger LOG = System.getLogger(ForkedChild.class.getName());

    /** Exit status when the child could not even take its request: the parent logs it. */
    static final int FAILED_TO_TAKE_REQUEST = 3;
    private static final int STDERR = 2;
    /** What a child answers once it holds its request: until then, the parent may give it to another child. */
    static final byte TOOK_REQUEST = 'T';
    /** What a child answers once its handler returned: the parent may hand it the next request, or end it. */
    static final byte FINISHED = 'F';
    /** What a child answers once its handler threw (after {@code handleError}). */
    static final byte FAILED = 'E';

    private final BaseServer<?> server;
    private final Path controlSocket;
    private final boolean chosen;

    ForkedChild(BaseServer<?> server, Path controlSocket, boolean chosen) {
        this.server = server;
        this.controlSocket = controlSocket;
        this.chosen = chosen;
    }

    /** The parent listens: a child's server never binds. */
    @Override
    public void bindAndActivate(ServerStep bindAndActivate) {
    }

    /**
     * Instead of the server's loop: handles the requests the parent hands over, one at a time, until the parent
     * closes the control socket, then exits the JVM: status 0, or 1 if the last handler threw. Returns at once for a
     * server the parent did not name.
     */
    @Override
    public void serve(ServerStep loop) {
        if (!chosen) {
            return;
        }
        int status;
        try {
            status = takeAndHandle();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "A forked child of " + server + " could not take its request", e);
            status = FAILED_TO_TAKE_REQUEST;
        } catch (Error e) {
            // The request is shut down already; ending the JVM here keeps other threads from holding it alive.
            LOG.log(Level.ERROR, "A fatal error ended the request of a forked child of " + server, e);
            status = 1;
        }
        System.exit(status);
    }

    private int takeAndHandle() throws IOException {
        // Everything a request would do for the first time, done before the parent counts this child as ready.
        HandOver.ChildSession session = HandOver.prepare(server);
        boolean handled = true;
        try (SocketChannel control = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            control.connect(UnixDomainSocketAddress.of(controlSocket));
            writeFully(control, ByteBuffer.allocate(Long.BYTES).putLong(0, ProcessHandle.current().pid()));
            if (!takeParentsStandardError(control)) {
                return 0; // the server closed before it had a request for this child
            }
            while (true) {
                ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
                Descriptors.Received received = Descriptors.receiveDescriptor(control, length);
                if (received.bytesRead() < 0) {
                    return handled ? 0 : 1; // the parent has no more requests for this child
                }
                int fd = received.fd();
                if (fd < 0) {
                    throw new IOException("the parent sent a request without its descriptor");
                }
                readFully(control, length);
                ByteBuffer details = ByteBuffer.allocate(length.getInt(0));
                readFully(control, details);
                writeFully(control, ByteBuffer.wrap(new byte[] {TOOK_REQUEST}));
                handled = handle(session, fd, details.flip());
                writeFully(control, ByteBuffer.wrap(new byte[] {handled ? FINISHED : FAILED}));
            }
        }
    }

    private boolean handle(HandOver.ChildSession session, int fd, ByteBuffer details) throws IOException {
        if (session.servesSeveral()) {
            return HandOver.run(server, session, fd, details);
        }
        // Closing a connection adopted as the inherited channel points standard output and error at /dev/null;
        // keep copies so that whatever the hooks log afterwards still shows.
        int stdout = Descriptors.dup(1);
        int stderr = Descriptors.dup(2);
        try {
            return HandOver.run(server, session, fd, details);
        } finally {
            System.out.flush();
            System.err.flush();
            Descriptors.dup2(stdout, 1);
            Descriptors.dup2(stderr, 2);
            Descriptors.close(stdout);
            Descriptors.close(stderr);
        }
    }

    /**
     * Points this JVM's standard error at the parent's: until now it was a pipe the parent read for a start-up
     * failure; from now on the child's log lines go where the parent's go.
     *
     * @return false if the parent closed the control socket instead
     */
    private static boolean takeParentsStandardError(SocketChannel control) throws IOException {
        Descriptors.Received received = Descriptors.receiveDescriptor(control, ByteBuffer.allocate(1));
        if (received.bytesRead() < 0) {
            return false;
        }
        if (received.fd() < 0) {
            throw new IOException("the parent did not send its standard error");
        }
        System.err.flush();
        Descriptors.dup2(received.fd(), STDERR);
        Descriptors.close(received.fd());
        return true;
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the parent closed the control socket in the middle of a request");
            }
        }
    }

    @Override
    public void dispatch(RequestJob job) {
        throw new IllegalStateException("a forked child handles only the request its parent hands over");
    }

    @Override
    public void close() {
    }
}
