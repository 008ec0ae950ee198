package dev.pier.unix;

import dev.pier.libc.JvmFlags;
import dev.pier.libc.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * File descriptors behind the JDK's channels, and passing them between processes over Unix stream sockets
 * ({@code SCM_RIGHTS}): what a forking server needs to hand one connection to a child JVM.
 *
 * <pre>{@code
 * // parent: accepted a TCP connection, hands it to a child connected over a Unix socket
 * Descriptors.sendDescriptor(toChild, Descriptors.of(connection), ByteBuffer.wrap(new byte[] {1}));
 * connection.close();                                        // the child holds its own copy now
 *
 * // child JVM, first thing in main
 * Descriptors.Received received = Descriptors.receiveDescriptor(toParent, ByteBuffer.allocate(1));
 * SocketChannel connection = (SocketChannel) Descriptors.adoptAsInheritedChannel(received.fd());
 * }</pre>
 *
 * Linux only. The JVM needs {@code --enable-native-access=dev.pier} and, to read a channel's descriptor,
 * {@code --add-exports=java.base/sun.nio.ch=dev.pier} (on the class path: {@code ALL-UNNAMED} instead of
 * {@code dev.pier}). A descriptor number is valid only while its channel is open: never close a channel while
 * another thread works with its number.
 */
public final class Descriptors {

    /**
     * A {@link #receiveDescriptor} result.
     *
     * @param fd        the descriptor that came with the bytes, owned by the caller now (close it, or adopt it);
     *                  -1 when none came
     * @param bytesRead how many payload bytes arrived, or -1 at the end of the stream
     */
    public record Received(int fd, int bytesRead) {}

    /** Room for this many descriptors in one message: a peer sending more loses the extra ones (we close them). */
    private static final int MAX_DESCRIPTORS = 8;

    private static volatile MethodHandle descriptorOfChannel;

    private Descriptors() {}

    /**
     * The descriptor number of a JDK channel: a {@link SocketChannel}, {@link java.nio.channels.ServerSocketChannel}
     * or {@link java.nio.channels.DatagramChannel} of the default provider (also {@link System#inheritedChannel}).
     *
     * @throws IllegalArgumentException when the channel is of another kind
     * @throws IllegalStateException    when the channel is closed, or the JVM lacks the {@code --add-exports} flag
     *                                  (the message names it)
     */
    public static int of(Channel channel) {
        Objects.requireNonNull(channel, "channel");
        MethodHandle getFdVal = descriptorOfChannel();
        if (!getFdVal.type().parameterType(0).isInstance(channel)) {
            throw new IllegalArgumentException("a " + channel.getClass().getName() + " has no descriptor Pier can"
                    + " reach: give a SocketChannel, ServerSocketChannel or DatagramChannel of the JDK's provider");
        }
        if (!channel.isOpen()) {
            throw new IllegalStateException("the channel is closed, its descriptor number may name another file now: "
                    + channel);
        }
        try {
            return (int) getFdVal.invoke(channel);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read the descriptor of " + channel, t);
        }
    }

    private static MethodHandle descriptorOfChannel() {
        MethodHandle handle = descriptorOfChannel;
        if (handle == null) {
            LibC.requireSupportedPlatform();
            JvmFlags.requireChannelDescriptors("reading a channel's descriptor");
            try {
                Class<?> selectableChannel = Class.forName("sun.nio.ch.SelChImpl");
                handle = MethodHandles.lookup().findVirtual(selectableChannel, "getFDVal",
                        MethodType.methodType(int.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("this JDK has no sun.nio.ch.SelChImpl#getFDVal to read a channel's"
                        + " descriptor: run Pier on JDK 25", e);
            }
            descriptorOfChannel = handle;
        }
        return handle;
    }

    /**
     * A new descriptor for the same open file or socket as {@code fd} ({@code dup}); both must be closed.
     *
     * @return the lowest free descriptor number
     */
    public static int dup(int fd) throws IOException {
        LibC.requireSupportedPlatform();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            int copy = LibC.dup(state, fd);
            if (copy < 0) {
                throw new IOException("cannot duplicate descriptor " + fd + ": " + LibC.strerror(LibC.errno(state)));
            }
            return copy;
        }
    }

    /**
     * Makes descriptor {@code to} refer to what {@code from} refers to ({@code dup2}), closing whatever {@code to}
     * referred to before. Both stay open.
     */
    public static void dup2(int from, int to) throws IOException {
        LibC.requireSupportedPlatform();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            while (LibC.dup2(state, from, to) < 0) {
                int errno = LibC.errno(state);
                if (errno != LibC.EINTR) {
                    throw new IOException("cannot duplicate descriptor " + from + " onto " + to + ": "
                            + LibC.strerror(errno));
                }
            }
        }
    }

    /** Closes a descriptor this process owns, such as one {@link #receiveDescriptor} returned. */
    public static void close(int fd) throws IOException {
        LibC.requireSupportedPlatform();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            // On Linux the descriptor is released even when close reports EINTR, so it must not be retried.
            if (LibC.close(state, fd) != 0 && LibC.errno(state) != LibC.EINTR) {
                throw new IOException("cannot close descriptor " + fd + ": " + LibC.strerror(LibC.errno(state)));
            }
        }
    }

    /**
     * Sends the remaining bytes of {@code payload} over a connected Unix stream socket, with a copy of descriptor
     * {@code fd} attached to them ({@code SCM_RIGHTS}), and advances {@code payload} past them. The receiver gets its
     * own descriptor, so the sender may close {@code fd} right after. Blocks until all bytes are sent, even when the
     * channel is in non-blocking mode.
     *
     * @param payload at least one byte: a descriptor travels with data, and the receiver must read that data
     * @throws IllegalArgumentException when the channel is not a Unix domain socket or the payload is empty
     */
    public static void sendDescriptor(SocketChannel unixChannel, int fd, ByteBuffer payload) throws IOException {
        if (!payload.hasRemaining()) {
            throw new IllegalArgumentException("the payload must hold at least one byte: a descriptor travels with"
                    + " data");
        }
        int socket = ofUnixStream(unixChannel, "sendDescriptor");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment data = nativeCopy(arena, payload);
            MemorySegment control = arena.allocate(LibC.cmsgSpace(Integer.BYTES), 8);
            LibC.CMSG_LEN_FIELD.set(control, 0L, LibC.cmsgLen(Integer.BYTES));
            LibC.CMSG_LEVEL.set(control, 0L, LibC.SOL_SOCKET);
            LibC.CMSG_TYPE.set(control, 0L, LibC.SCM_RIGHTS);
            control.set(ValueLayout.JAVA_INT, LibC.cmsgLen(0), fd);
            MemorySegment iov = arena.allocate(LibC.IOVEC);
            MemorySegment message = arena.allocate(LibC.MSGHDR);
            LibC.MSG_IOV.set(message, 0L, iov);
            LibC.MSG_IOVLEN.set(message, 0L, 1L);
            long offset = 0;
            while (offset < data.byteSize()) {
                LibC.IOV_BASE.set(iov, 0L, data.asSlice(offset));
                LibC.IOV_LEN.set(iov, 0L, data.byteSize() - offset);
                boolean first = offset == 0;
                LibC.MSG_CONTROL.set(message, 0L, first ? control : MemorySegment.NULL);
                LibC.MSG_CONTROLLEN.set(message, 0L, first ? control.byteSize() : 0L);
                long sent = LibC.sendmsg(state, socket, message, LibC.MSG_NOSIGNAL);
                if (sent >= 0) {
                    offset += sent;
                    payload.position(payload.position() + (int) sent);
                } else {
                    awaitOrThrow(arena, socket, LibC.POLLOUT, LibC.errno(state), "send descriptor " + fd + " over "
                            + unixChannel);
                }
            }
        }
    }

    /**
     * Reads bytes from a connected Unix stream socket into {@code payload} (advancing its position), with the
     * descriptor a peer attached to them by {@link #sendDescriptor}, if any. Blocks until at least one byte arrives,
     * even when the channel is in non-blocking mode. The new descriptor is close-on-exec.
     *
     * @throws IllegalArgumentException when the channel is not a Unix domain socket or the payload has no room
     */
    public static Received receiveDescriptor(SocketChannel unixChannel, ByteBuffer payload) throws IOException {
        if (!payload.hasRemaining()) {
            throw new IllegalArgumentException("the payload buffer must have room for at least one byte");
        }
        if (payload.isReadOnly()) {
            throw new IllegalArgumentException("cannot receive into a read-only buffer");
        }
        int socket = ofUnixStream(unixChannel, "receiveDescriptor");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            int room = payload.remaining();
            MemorySegment data = arena.allocate(room);
            MemorySegment control = arena.allocate(LibC.cmsgSpace((long) Integer.BYTES * MAX_DESCRIPTORS), 8);
            MemorySegment iov = arena.allocate(LibC.IOVEC);
            LibC.IOV_BASE.set(iov, 0L, data);
            LibC.IOV_LEN.set(iov, 0L, (long) room);
            MemorySegment message = arena.allocate(LibC.MSGHDR);
            LibC.MSG_IOV.set(message, 0L, iov);
            LibC.MSG_IOVLEN.set(message, 0L, 1L);
            long received;
            while (true) {
                LibC.MSG_CONTROL.set(message, 0L, control);
                LibC.MSG_CONTROLLEN.set(message, 0L, control.byteSize());
                received = LibC.recvmsg(state, socket, message, LibC.MSG_CMSG_CLOEXEC);
                if (received >= 0) {
                    break;
                }
                awaitOrThrow(arena, socket, LibC.POLLIN, LibC.errno(state), "receive a descriptor over "
                        + unixChannel);
            }
            int fd = firstDescriptor(state, control, (long) LibC.MSG_CONTROLLEN.get(message, 0L));
            if (received == 0) {
                return new Received(fd, -1);
            }
            payload.put(data.asSlice(0, received).asByteBuffer());
            return new Received(fd, (int) received);
        }
    }

    /** The first descriptor in the control messages; any others are closed, as nobody asked for them. */
    private static int firstDescriptor(MemorySegment state, MemorySegment control, long controlLength) {
        int first = -1;
        long offset = 0;
        while (offset + LibC.CMSGHDR.byteSize() <= controlLength) {
            long length = (long) LibC.CMSG_LEN_FIELD.get(control, offset);
            if (length < LibC.cmsgLen(0) || offset + length > controlLength) {
                break;
            }
            if ((int) LibC.CMSG_LEVEL.get(control, offset) == LibC.SOL_SOCKET
                    && (int) LibC.CMSG_TYPE.get(control, offset) == LibC.SCM_RIGHTS) {
                for (long at = LibC.cmsgLen(0); at + Integer.BYTES <= length; at += Integer.BYTES) {
                    int fd = control.get(ValueLayout.JAVA_INT, offset + at);
                    if (first < 0) {
                        first = fd;
                    } else {
                        LibC.close(state, fd);
                    }
                }
            }
            offset += LibC.cmsgAlign(length);
        }
        return first;
    }

    /** Waits in poll when the call would block (the channel is non-blocking), retries after a signal, else fails. */
    private static void awaitOrThrow(Arena arena, int socket, short events, int errno, String what)
            throws IOException {
        if (errno == LibC.EINTR) {
            return;
        }
        if (errno != LibC.EAGAIN) {
            throw new SocketException("cannot " + what + ": " + LibC.strerror(errno));
        }
        MemorySegment state = LibC.newCallState(arena);
        MemorySegment pollFd = arena.allocate(LibC.POLLFD);
        LibC.POLL_FD.set(pollFd, 0L, socket);
        LibC.POLL_EVENTS.set(pollFd, 0L, events);
        if (LibC.poll(state, pollFd, 1, -1) < 0 && LibC.errno(state) != LibC.EINTR) {
            throw new SocketException("cannot " + what + ": " + LibC.strerror(LibC.errno(state)));
        }
    }

    private static MemorySegment nativeCopy(Arena arena, ByteBuffer buffer) {
        MemorySegment copy = arena.allocate(buffer.remaining());
        MemorySegment.copy(MemorySegment.ofBuffer(buffer), 0, copy, 0, buffer.remaining());
        return copy;
    }

    /**
     * Makes {@code fd} this JVM's standard input and returns {@link System#inheritedChannel()} for it: the JDK's
     * way to turn a socket descriptor into a channel. It closes {@code fd} (standard input keeps the socket). What
     * comes back depends on the socket, as the JDK decides:
     * <ul>
     *   <li>a connected TCP socket: a {@link SocketChannel} ({@link SocketChannel#getRemoteAddress()} is the
     *       client's {@link java.net.InetSocketAddress});</li>
     *   <li>a connected Unix stream socket: a {@link SocketChannel} with a
     *       {@link java.net.UnixDomainSocketAddress} remote address (an empty path when the peer is unnamed);</li>
     *   <li>a listening TCP or Unix stream socket: a {@link java.nio.channels.ServerSocketChannel};</li>
     *   <li>a UDP socket: a {@link java.nio.channels.DatagramChannel}.</li>
     * </ul>
     * Two things follow from the JDK: it creates the inherited channel once per JVM, so this works once, and only
     * if nothing called {@code System.inheritedChannel()} before; and closing the channel points standard input,
     * output and error at {@code /dev/null}, so write logs elsewhere (or before) in such a child.
     *
     * @throws IllegalArgumentException when {@code fd} is not a socket, or is a Unix datagram socket (which the JDK
     *                                  cannot wrap: use {@link UnixDatagramSocket} instead)
     * @throws IllegalStateException    when this JVM has created its inherited channel already
     */
    public static Channel adoptAsInheritedChannel(int fd) throws IOException {
        LibC.requireSupportedPlatform();
        String socket = describe(fd);
        if (!socket.startsWith("socket:")) {
            throw new IllegalArgumentException("descriptor " + fd + " is not a socket but " + socket
                    + ": only sockets become inherited channels");
        }
        if (isUnixDatagram(fd)) {
            throw new IllegalArgumentException("descriptor " + fd + " is a Unix datagram socket, which the JDK"
                    + " cannot wrap in a channel: use UnixDatagramSocket instead");
        }
        if (fd != 0) {
            dup2(fd, 0);
            close(fd);
        }
        Channel channel = System.inheritedChannel();
        if (channel == null || !describe(of(channel)).equals(socket)) {
            throw new IllegalStateException("System.inheritedChannel() was called in this JVM before, and the JDK"
                    + " creates that channel only once: adopt the descriptor before anything asks for the inherited"
                    + " channel (descriptor " + fd + " is now standard input)");
        }
        return channel;
    }

    /**
     * Does the slow first-call work of {@link #adoptAsInheritedChannel}, {@link #dup}, {@link #dup2} and
     * {@link #close} ahead of time (linking native functions, loading classes), so that a process waiting for a
     * descriptor, such as a forking server's warm child, adopts it quickly when it comes. Uses only a temporary
     * socket of its own.
     */
    public static void prepareAdoption() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            int copy = dup(of(probe));
            try {
                dup2(copy, copy);
                describe(copy);
                isUnixDatagram(copy);
            } finally {
                close(copy);
            }
        }
    }

    /** What a descriptor refers to, as {@code /proc/self/fd} tells: {@code socket:[inode]}, a path, and so on. */
    private static String describe(int fd) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("descriptor " + fd + " is not open in this process", e);
        }
    }

    private static boolean isUnixDatagram(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment address = arena.allocate(LibC.SOCKADDR_UN);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, (int) address.byteSize());
            MemorySegment type = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment typeLength = arena.allocate(ValueLayout.JAVA_INT);
            typeLength.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
            if (LibC.getsockname(state, fd, address, length) != 0
                    || LibC.getsockopt(state, fd, LibC.SOL_SOCKET, LibC.SO_TYPE, type, typeLength) != 0) {
                throw new SocketException("cannot inspect socket " + fd + ": " + LibC.strerror(LibC.errno(state)));
            }
            return address.get(ValueLayout.JAVA_SHORT, 0) == LibC.AF_UNIX
                    && type.get(ValueLayout.JAVA_INT, 0) == LibC.SOCK_DGRAM;
        }
    }

    /** The descriptor of a connected, open Unix domain {@link SocketChannel}, or a clear failure for {@code what}. */
    static int ofUnixStream(SocketChannel channel, String what) throws IOException {
        Objects.requireNonNull(channel, "channel");
        LibC.requireSupportedPlatform();
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        if (!channel.isConnected()) {
            throw new NotYetConnectedException();
        }
        if (!(channel.getRemoteAddress() instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException(what + " needs a Unix domain SocketChannel (opened with"
                    + " StandardProtocolFamily.UNIX), not " + channel);
        }
        return of(channel);
    }
}
