package dev.pier.unix;

import dev.pier.binding.BindFailures;
import dev.pier.libc.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Unix datagram socket ({@code AF_UNIX}, {@code SOCK_DGRAM}), which the JDK's channels lack: whole messages between
 * processes on one machine, addressed by a file path or, on Linux, by an abstract name.
 *
 * <pre>{@code
 * try (UnixDatagramSocket server = UnixDatagramSocket.bind(Path.of("/tmp/pier.sock"));
 *      UnixDatagramSocket client = UnixDatagramSocket.bindAutomatic()) {
 *     client.send(ByteBuffer.wrap("ping".getBytes()), server.boundAddress());
 *     ByteBuffer buffer = ByteBuffer.allocate(65536);
 *     UnixDatagramSocket.Datagram datagram = server.receive(buffer);
 *     server.send(buffer.flip(), datagram.sender());        // the client, abstract address or not, gets "ping"
 * }
 * }</pre>
 *
 * The socket is blocking: run {@link #receive} on a thread of its own (a virtual thread is fine, though it keeps its
 * carrier thread while it waits). Any thread may {@link #close} the socket; a receive or send blocked in it then
 * throws {@link AsynchronousCloseException}. Interrupting a blocked thread does not wake it: close the socket. The descriptor is closed only after every call in progress has returned,
 * so no call ever touches a descriptor number the process has reused. Works on Linux (x86_64, aarch64) through the
 * C library; elsewhere the factories throw {@link UnsupportedOperationException}. The JVM needs
 * {@code --enable-native-access=dev.pier}.
 */
public final class UnixDatagramSocket implements AutoCloseable {

    /**
     * One datagram taken by {@link #receive}.
     *
     * @param sender    who sent it, to pass to {@link #send} for a reply: a {@link UnixDomainSocketAddress} for a
     *                  socket bound to a path, an {@link AbstractUnixAddress} for an abstract or automatically bound
     *                  one, {@code null} for an unbound socket (which cannot be answered)
     * @param length    the datagram's full length in bytes, even when the buffer was too small for it
     * @param truncated whether the buffer was too small, so only its remaining bytes were filled and the rest lost
     */
    public record Datagram(SocketAddress sender, int length, boolean truncated) {}

    private static final System.Logger LOG = System.getLogger(UnixDatagramSocket.class.getName());

    /** How often a send waiting for room at a slow receiver checks whether the socket was closed meanwhile. */
    private static final Duration SEND_CLOSE_CHECK = Duration.ofMillis(100);

    /** Longer timeouts wait this long, a century, so that deadline arithmetic cannot overflow. */
    private static final Duration LONGEST_TIMEOUT = Duration.ofDays(36_525);

    private final int fd;
    /** An eventfd that {@link #close} makes readable, so a receive waiting in poll wakes up. */
    private final int wakeup;
    private final SocketAddress address;
    /** The socket file bind created, removed by close; null for an abstract address. */
    private final Path socketFile;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Calls in progress hold the read lock; close takes the write lock before it releases the descriptors. */
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    private final AtomicInteger callsInProgress = new AtomicInteger();

    private UnixDatagramSocket(int fd, int wakeup, SocketAddress address, Path socketFile) {
        this.fd = fd;
        this.wakeup = wakeup;
        this.address = address;
        this.socketFile = socketFile;
    }

    /**
     * A socket bound to {@code path}, which must not exist yet: bind creates the socket file and {@link #close}
     * removes it.
     *
     * @throws BindException when the path is too long (more than 107 bytes), exists already ("address already in
     *                       use"), or its directory is missing or not writable
     * @throws IOException   when the system refuses a socket (for example, too many open files)
     */
    public static UnixDatagramSocket bind(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        LibC.requireSupportedPlatform();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr;
            try {
                sockaddr = UnixAddresses.encode(arena, UnixDomainSocketAddress.of(path));
            } catch (SocketException tooLong) {
                throw new BindException(tooLong.getMessage());
            }
            return open(arena, sockaddr, UnixDomainSocketAddress.of(path), path);
        }
    }

    /**
     * A socket bound to an abstract address the kernel picks (Linux "autobind"), for a client that wants replies
     * without a socket file to clean up. {@link #boundAddress()} tells the name.
     */
    public static UnixDatagramSocket bindAutomatic() throws IOException {
        LibC.requireSupportedPlatform();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment familyOnly = arena.allocate(LibC.SA_FAMILY_SIZE);
            familyOnly.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_UNIX);
            return open(arena, familyOnly, null, null);
        }
    }

    /**
     * A socket bound to the abstract address {@code name}.
     *
     * @throws BindException when another socket holds that name
     */
    public static UnixDatagramSocket bind(AbstractUnixAddress name) throws IOException {
        Objects.requireNonNull(name, "name");
        LibC.requireSupportedPlatform();
        try (Arena arena = Arena.ofConfined()) {
            return open(arena, UnixAddresses.encode(arena, name), name, null);
        }
    }

    /**
     * Takes over {@code fd}, a bound Unix datagram socket this process owns, such as a copy of another process's
     * socket received with {@link Descriptors#receiveDescriptor}: a forking server's child replies through it from
     * the server's address. Closing the result closes {@code fd} but never removes a socket file, which belongs to
     * whoever bound it.
     *
     * @throws IllegalArgumentException when {@code fd} is not a Unix datagram socket
     */
    public static UnixDatagramSocket adopt(int fd) throws IOException {
        LibC.requireSupportedPlatform();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment type = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment typeLength = arena.allocate(ValueLayout.JAVA_INT);
            typeLength.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
            if (LibC.getsockopt(state, fd, LibC.SOL_SOCKET, LibC.SO_TYPE, type, typeLength) != 0) {
                throw new IllegalArgumentException("descriptor " + fd + " is not a socket: "
                        + LibC.strerror(LibC.errno(state)));
            }
            MemorySegment sockaddr = arena.allocate(LibC.SOCKADDR_UN);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, (int) sockaddr.byteSize());
            if (LibC.getsockname(state, fd, sockaddr, length) != 0
                    || sockaddr.get(ValueLayout.JAVA_SHORT, 0) != LibC.AF_UNIX
                    || type.get(ValueLayout.JAVA_INT, 0) != LibC.SOCK_DGRAM) {
                throw new IllegalArgumentException("descriptor " + fd + " is not a Unix datagram socket");
            }
            SocketAddress address = UnixAddresses.decode(sockaddr, length.get(ValueLayout.JAVA_INT, 0));
            setSendTimeout(arena, state, fd);
            int wakeup = LibC.eventfd(state, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
            if (wakeup < 0) {
                throw new SocketException("cannot create the wakeup descriptor of " + UnixAddresses.name(address)
                        + ": " + LibC.strerror(LibC.errno(state)));
            }
            return new UnixDatagramSocket(fd, wakeup, address, null);
        }
    }

    /** Creates, binds and equips a socket, or releases whatever it got and throws. */
    private static UnixDatagramSocket open(Arena arena, MemorySegment sockaddr, SocketAddress requested,
                                           Path socketFile) throws IOException {
        MemorySegment state = LibC.newCallState(arena);
        String name = requested == null ? "an automatic abstract address" : UnixAddresses.name(requested);
        int fd = LibC.socket(state, LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new SocketException("cannot create a Unix datagram socket for " + name + ": "
                    + LibC.strerror(LibC.errno(state)));
        }
        int wakeup = -1;
        boolean bound = false;
        try {
            if (LibC.bind(state, fd, sockaddr, (int) sockaddr.byteSize()) != 0) {
                throw bindFailure(LibC.errno(state), name, requested);
            }
            bound = true;
            setSendTimeout(arena, state, fd);
            SocketAddress address = requested != null ? requested : boundName(arena, state, fd);
            wakeup = LibC.eventfd(state, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
            if (wakeup < 0) {
                throw new SocketException("cannot create the wakeup descriptor of " + name + ": "
                        + LibC.strerror(LibC.errno(state)));
            }
            return new UnixDatagramSocket(fd, wakeup, address, socketFile);
        } catch (IOException | RuntimeException | Error failure) {
            LibC.close(state, fd);
            if (wakeup >= 0) {
                LibC.close(state, wakeup);
            }
            if (bound && socketFile != null) {
                try {
                    Files.deleteIfExists(socketFile);
                } catch (IOException cleanup) {
                    failure.addSuppressed(cleanup);
                }
            }
            throw failure;
        }
    }

    private static BindException bindFailure(int errno, String name, SocketAddress requested) {
        return new BindException(switch (errno) {
            case LibC.EADDRINUSE -> "cannot bind " + name + ": " + BindFailures.addressInUse(requested);
            case LibC.EACCES -> "permission denied: " + name + " (the directory must be writable and searchable)";
            case LibC.ENOENT -> "no such directory: " + name + " (create the parent directory first)";
            default -> "cannot bind " + name + ": " + LibC.strerror(errno);
        });
    }

    /** Lets a send blocked on a full receiver return now and then, so that it notices close. */
    private static void setSendTimeout(Arena arena, MemorySegment state, int fd) throws SocketException {
        MemorySegment timeout = arena.allocate(LibC.TIMEVAL);
        timeout.set(ValueLayout.JAVA_LONG, 0, 0L);
        timeout.set(ValueLayout.JAVA_LONG, 8, SEND_CLOSE_CHECK.toNanos() / 1000);
        if (LibC.setsockopt(state, fd, LibC.SOL_SOCKET, LibC.SO_SNDTIMEO, timeout, (int) timeout.byteSize()) != 0) {
            throw new SocketException("cannot set the send timeout: " + LibC.strerror(LibC.errno(state)));
        }
    }

    private static SocketAddress boundName(Arena arena, MemorySegment state, int fd) throws SocketException {
        MemorySegment sockaddr = arena.allocate(LibC.SOCKADDR_UN);
        MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
        length.set(ValueLayout.JAVA_INT, 0, (int) sockaddr.byteSize());
        if (LibC.getsockname(state, fd, sockaddr, length) != 0) {
            throw new SocketException("cannot read the automatic address: " + LibC.strerror(LibC.errno(state)));
        }
        return UnixAddresses.decode(sockaddr, length.get(ValueLayout.JAVA_INT, 0));
    }

    /**
     * Waits for one datagram, puts as much of it as fits into {@code dst} (advancing its position) and says who sent
     * it and how long it really was.
     *
     * @throws AsynchronousCloseException when another thread closes the socket meanwhile
     * @throws ClosedChannelException     when the socket is closed already
     */
    public Datagram receive(ByteBuffer dst) throws IOException {
        return receive(dst, false, 0);
    }

    /**
     * Like {@link #receive(ByteBuffer)}, but gives up after {@code timeout}.
     *
     * @return the datagram, or {@code null} when none came within {@code timeout}
     */
    public Datagram receive(ByteBuffer dst, Duration timeout) throws IOException {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        long nanos = timeout.compareTo(LONGEST_TIMEOUT) > 0 ? LONGEST_TIMEOUT.toNanos() : timeout.toNanos();
        return receive(dst, true, System.nanoTime() + nanos);
    }

    private Datagram receive(ByteBuffer dst, boolean timed, long deadline) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("cannot receive into a read-only buffer");
        }
        enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment pollFds = arena.allocate(LibC.POLLFD, 2);
            MemorySegment sender = arena.allocate(LibC.SOCKADDR_UN);
            MemorySegment senderLength = arena.allocate(ValueLayout.JAVA_INT);
            int room = dst.remaining();
            MemorySegment buffer = dst.isDirect() ? MemorySegment.ofBuffer(dst) : arena.allocate(Math.max(room, 1));
            while (true) {
                if (!awaitReadable(state, pollFds, timed, deadline)) {
                    return null;
                }
                senderLength.set(ValueLayout.JAVA_INT, 0, (int) sender.byteSize());
                long length = LibC.recvfrom(state, fd, buffer, room, LibC.MSG_TRUNC | LibC.MSG_DONTWAIT,
                        sender, senderLength);
                if (length < 0) {
                    int errno = LibC.errno(state);
                    if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                        continue; // another receiver took it, or a signal interrupted us
                    }
                    throw new SocketException("receive on " + this + " failed: " + LibC.strerror(errno));
                }
                int filled = (int) Math.min(length, room);
                if (!dst.isDirect()) {
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, dst.array(),
                            dst.arrayOffset() + dst.position(), filled);
                }
                dst.position(dst.position() + filled);
                return new Datagram(UnixAddresses.decode(sender, senderLength.get(ValueLayout.JAVA_INT, 0)),
                        (int) length, length > room);
            }
        } finally {
            leave();
        }
    }

    /** Waits in poll for a datagram or for close; false when the wait is {@code timed} and the deadline passed. */
    private boolean awaitReadable(MemorySegment state, MemorySegment pollFds, boolean timed, long deadline)
            throws IOException {
        LibC.POLL_FD.set(pollFds, 0L, fd);
        LibC.POLL_EVENTS.set(pollFds, 0L, LibC.POLLIN);
        LibC.POLL_FD.set(pollFds, LibC.POLLFD.byteSize(), wakeup);
        LibC.POLL_EVENTS.set(pollFds, LibC.POLLFD.byteSize(), LibC.POLLIN);
        while (true) {
            LibC.POLL_REVENTS.set(pollFds, 0L, (short) 0);
            LibC.POLL_REVENTS.set(pollFds, LibC.POLLFD.byteSize(), (short) 0);
            int timeoutMillis = timed ? millisUntil(deadline) : -1;
            int ready = LibC.poll(state, pollFds, 2, timeoutMillis);
            if (ready < 0) {
                int errno = LibC.errno(state);
                if (errno == LibC.EINTR) {
                    continue;
                }
                throw new SocketException("waiting on " + this + " failed: " + LibC.strerror(errno));
            }
            if ((short) LibC.POLL_REVENTS.get(pollFds, LibC.POLLFD.byteSize()) != 0 || closed.get()) {
                throw new AsynchronousCloseException();
            }
            if ((short) LibC.POLL_REVENTS.get(pollFds, 0L) != 0) {
                return true;
            }
            if (ready == 0 && timeoutMillis == 0) {
                return false;
            }
        }
    }

    private static int millisUntil(long deadline) {
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.ceilDiv(nanos, 1_000_000L));
    }

    /**
     * Sends the remaining bytes of {@code src} as one datagram to {@code target} and advances {@code src} past them.
     * Waits while the receiver's queue is full.
     *
     * @param target a {@link UnixDomainSocketAddress} or an {@link AbstractUnixAddress}, such as a
     *               {@link Datagram#sender()}
     * @return the number of bytes sent: all of them
     * @throws SocketException            when no socket is bound at {@code target}, or the datagram is too large
     * @throws AsynchronousCloseException when another thread closes the socket meanwhile
     */
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        return send(src, target, true);
    }

    /**
     * Sends like {@link #send}, but never waits: when the receiver's queue is full, it sends nothing and returns
     * {@code false}, leaving {@code src} as it was. Suits an event loop, which must not block on a slow peer.
     */
    public boolean trySend(ByteBuffer src, SocketAddress target) throws IOException {
        return send(src, target, false) >= 0;
    }

    /** Sends the datagram; returns its length, or -1 when the receiver is full and {@code wait} is false. */
    private int send(ByteBuffer src, SocketAddress target, boolean wait) throws IOException {
        Objects.requireNonNull(target, "target (an unbound sender cannot be answered)");
        enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment sockaddr = UnixAddresses.encode(arena, target);
            int length = src.remaining();
            MemorySegment data;
            if (src.isDirect()) {
                data = MemorySegment.ofBuffer(src);
            } else {
                data = arena.allocate(Math.max(length, 1));
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, data, 0, length);
            }
            int flags = LibC.MSG_NOSIGNAL | (wait ? 0 : LibC.MSG_DONTWAIT);
            while (true) {
                long sent = LibC.sendto(state, fd, data, length, flags, sockaddr, (int) sockaddr.byteSize());
                if (sent >= 0) {
                    src.position(src.position() + (int) sent);
                    return (int) sent;
                }
                int errno = LibC.errno(state);
                if (closed.get()) {
                    throw new AsynchronousCloseException();
                }
                if (errno == LibC.EINTR || (errno == LibC.EAGAIN && wait)) {
                    continue; // the send timeout expired: check for close, then wait again
                }
                if (errno == LibC.EAGAIN) {
                    return -1;
                }
                throw sendFailure(errno, length, target);
            }
        } finally {
            leave();
        }
    }

    private SocketException sendFailure(int errno, int length, SocketAddress target) {
        String to = UnixAddresses.name(target);
        return new SocketException(switch (errno) {
            case LibC.EMSGSIZE -> "datagram of " + length + " bytes is too large to send to " + to
                    + " (the limit is the socket send buffer, " + sendBufferSize() + " bytes): send smaller datagrams";
            case LibC.ENOENT, LibC.ECONNREFUSED -> "no socket is bound at " + to + " (" + LibC.strerror(errno) + ")";
            case LibC.EACCES -> "permission denied sending to " + to;
            default -> "cannot send " + length + " bytes to " + to + ": " + LibC.strerror(errno);
        });
    }

    private String sendBufferSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, 4);
            if (LibC.getsockopt(state, fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, value, length) != 0) {
                return "unknown";
            }
            return Integer.toString(value.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /** Marks a call in progress, so that close waits for it; fails if the socket is closed. */
    private void enter() throws ClosedChannelException {
        inUse.readLock().lock();
        if (closed.get()) {
            inUse.readLock().unlock();
            throw new ClosedChannelException();
        }
        callsInProgress.incrementAndGet();
    }

    private void leave() {
        callsInProgress.decrementAndGet();
        inUse.readLock().unlock();
    }

    /** How many receives and sends are under way: past the check for close, so close will wake them. */
    int callsInProgress() {
        return callsInProgress.get();
    }

    /** The path bound, or an empty path for an abstract address (as the JDK reports unnamed Unix addresses). */
    public UnixDomainSocketAddress localAddress() {
        return address instanceof UnixDomainSocketAddress path ? path : UnixDomainSocketAddress.of("");
    }

    /**
     * The address others send to in order to reach this socket: a {@link UnixDomainSocketAddress} for a path, an
     * {@link AbstractUnixAddress} for an abstract or automatic one.
     */
    public SocketAddress boundAddress() {
        return address;
    }

    /** The descriptor number, for a reactor's poll; valid until {@link #close}. Do not read or close it directly. */
    public int fd() {
        return fd;
    }

    /** Whether {@link #close} has been called. */
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes the socket and removes the socket file that {@link #bind(Path)} created. Blocked receives and sends
     * wake up with {@link AsynchronousCloseException}; this returns once they have. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            LibC.write(state, wakeup, one, one.byteSize());
            Lock lock = inUse.writeLock();
            lock.lock();
            try {
                LibC.close(state, fd);
                LibC.close(state, wakeup);
            } finally {
                lock.unlock();
            }
        }
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove the socket file of " + this + ": " + e);
            }
        }
    }

    /** {@code unixgram:/path} or {@code unixgram:@name}. */
    @Override
    public String toString() {
        return UnixAddresses.name(address);
    }
}
