package dev.pier.unix;

import dev.pier.libc.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketException;
import java.nio.channels.SocketChannel;

/**
 * Who is at the other end of a Unix stream socket, as the kernel recorded it when the connection was made
 * ({@code SO_PEERCRED}): the peer cannot forge it. A server uses it to decide what a local client may do.
 *
 * <pre>{@code
 * SocketChannel client = server.accept();      // server: ServerSocketChannel.open(StandardProtocolFamily.UNIX)
 * PeerCredentials peer = PeerCredentials.of(client);
 * if (peer.uid() != 0) client.close();                      // serve root only
 * }</pre>
 *
 * Linux only; the JVM needs {@code --enable-native-access=dev.pier} and
 * {@code --add-exports=java.base/sun.nio.ch=dev.pier} (see {@link Descriptors#of}).
 *
 * @param pid the peer's process id when it connected (or when it created the socket pair)
 * @param uid the peer's effective user id; ids above {@code Integer.MAX_VALUE} read as negative, see
 *            {@link Integer#toUnsignedLong}
 * @param gid the peer's effective group id, in the same form
 */
public record PeerCredentials(long pid, int uid, int gid) {

    /**
     * The credentials of the peer of {@code unixStreamChannel}, a connected Unix domain {@link SocketChannel}. Do
     * not close the channel from another thread meanwhile.
     *
     * @throws IllegalArgumentException when the channel is not a Unix domain socket
     * @throws java.nio.channels.NotYetConnectedException when it is not connected
     * @throws java.nio.channels.ClosedChannelException  when it is closed
     */
    public static PeerCredentials of(SocketChannel unixStreamChannel) throws IOException {
        int fd = Descriptors.ofUnixStream(unixStreamChannel, "PeerCredentials.of");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment credentials = arena.allocate(LibC.UCRED);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, (int) credentials.byteSize());
            if (LibC.getsockopt(state, fd, LibC.SOL_SOCKET, LibC.SO_PEERCRED, credentials, length) != 0) {
                throw new SocketException("cannot read the peer credentials of " + unixStreamChannel + ": "
                        + LibC.strerror(LibC.errno(state)));
            }
            return new PeerCredentials(credentials.get(ValueLayout.JAVA_INT, 0),
                    credentials.get(ValueLayout.JAVA_INT, 4), credentials.get(ValueLayout.JAVA_INT, 8));
        }
    }
}
