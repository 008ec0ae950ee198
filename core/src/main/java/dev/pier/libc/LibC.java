package dev.pier.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The C library calls, constants and struct layouts of Linux (x86_64 and aarch64 share all of them), bound on first
 * use. Every call that can fail captures {@code errno}: pass {@link #newCallState} as the first argument and read it
 * with {@link #errno} right after a failure.
 */
public final class LibC {

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_TYPE = 3;
    public static final int SO_SNDBUF = 7;
    public static final int SO_PEERCRED = 17;
    public static final int SO_SNDTIMEO = 21;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EMSGSIZE = 90;
    public static final int EADDRINUSE = 98;
    public static final int ECONNREFUSED = 111;

    /** {@code sizeof(sa_family_t)}: a sockaddr_un this long carries no name (autobind, unnamed peer). */
    public static final int SA_FAMILY_SIZE = 2;
    /** {@code sizeof(sun_path)}; a path must leave room for its terminating NUL. */
    public static final int SUN_PATH_SIZE = 108;

    public static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(SUN_PATH_SIZE, ValueLayout.JAVA_BYTE).withName("sun_path"));
    public static final long SUN_PATH_OFFSET = SOCKADDR_UN.byteOffset(MemoryLayout.PathElement.groupElement("sun_path"));

    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"));

    public static final StructLayout UCRED = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"));

    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"));

    public static final StructLayout TIMEVAL = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_usec"));

    public static final VarHandle IOV_BASE = field(IOVEC, "iov_base");
    public static final VarHandle IOV_LEN = field(IOVEC, "iov_len");
    public static final VarHandle MSG_IOV = field(MSGHDR, "msg_iov");
    public static final VarHandle MSG_IOVLEN = field(MSGHDR, "msg_iovlen");
    public static final VarHandle MSG_CONTROL = field(MSGHDR, "msg_control");
    public static final VarHandle MSG_CONTROLLEN = field(MSGHDR, "msg_controllen");
    public static final VarHandle CMSG_LEN_FIELD = field(CMSGHDR, "cmsg_len");
    public static final VarHandle CMSG_LEVEL = field(CMSGHDR, "cmsg_level");
    public static final VarHandle CMSG_TYPE = field(CMSGHDR, "cmsg_type");
    public static final VarHandle POLL_FD = field(POLLFD, "fd");
    public static final VarHandle POLL_EVENTS = field(POLLFD, "events");
    public static final VarHandle POLL_REVENTS = field(POLLFD, "revents");

    /** {@code CMSG_ALIGN}: control messages are aligned to {@code sizeof(size_t)}. */
    public static long cmsgAlign(long length) {
        return (length + 7) & ~7L;
    }

    /** {@code CMSG_LEN}: the header plus {@code dataLength} bytes, the value of {@code cmsg_len}. */
    public static long cmsgLen(long dataLength) {
        return cmsgAlign(CMSGHDR.byteSize()) + dataLength;
    }

    /** {@code CMSG_SPACE}: the room one control message with {@code dataLength} bytes takes in the buffer. */
    public static long cmsgSpace(long dataLength) {
        return cmsgAlign(CMSGHDR.byteSize()) + cmsgAlign(dataLength);
    }

    private LibC() {}

    /**
     * Fails with a clear message on platforms whose C library this class does not describe, or in a JVM that denies
     * Pier native access; every public entry point of the package calls it first.
     */
    public static void requireSupportedPlatform() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            throw new UnsupportedOperationException("dev.pier.unix supports Linux on x86_64 and aarch64 only, not "
                    + os + " on " + arch + ": use the JDK's channels (TCP, UDP, Unix stream sockets) instead");
        }
        JvmFlags.requireNativeAccess("calling the C library (dev.pier.unix)");
    }

    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(Calls.CALL_STATE);
    }

    public static int errno(MemorySegment callState) {
        return (int) Calls.ERRNO.get(callState, 0L);
    }

    /** The C library's description of {@code errno}, e.g. "Address already in use". */
    public static String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) Calls.STRERROR.invokeExact(errno);
            return message.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) Calls.SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bind(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) Calls.BIND.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) Calls.GETSOCKNAME.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value,
                          MemorySegment length) {
        try {
            return (int) Calls.GETSOCKOPT.invokeExact(state, fd, level, name, value, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) Calls.SETSOCKOPT.invokeExact(state, fd, level, name, value, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long recvfrom(MemorySegment state, int fd, MemorySegment buffer, long length, int flags,
                         MemorySegment address, MemorySegment addressLength) {
        try {
            return (long) Calls.RECVFROM.invokeExact(state, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendto(MemorySegment state, int fd, MemorySegment buffer, long length, int flags,
                       MemorySegment address, int addressLength) {
        try {
            return (long) Calls.SENDTO.invokeExact(state, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendmsg(MemorySegment state, int fd, MemorySegment message, int flags) {
        try {
            return (long) Calls.SENDMSG.invokeExact(state, fd, message, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long recvmsg(MemorySegment state, int fd, MemorySegment message, int flags) {
        try {
            return (long) Calls.RECVMSG.invokeExact(state, fd, message, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int poll(MemorySegment state, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) Calls.POLL.invokeExact(state, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(MemorySegment state, int initialValue, int flags) {
        try {
            return (int) Calls.EVENTFD.invokeExact(state, initialValue, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            return (long) Calls.WRITE.invokeExact(state, fd, buffer, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int dup(MemorySegment state, int fd) {
        try {
            return (int) Calls.DUP.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int dup2(MemorySegment state, int from, int to) {
        try {
            return (int) Calls.DUP2.invokeExact(state, from, to);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(MemorySegment state, int fd) {
        try {
            return (int) Calls.CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected failure of a C library call", t);
    }

    /** The bound functions: a holder class, so the first use binds them and other platforms fail clearly. */
    private static final class Calls {

        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup C = LINKER.defaultLookup();
        private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");

        static final MethodHandle STRERROR = LINKER.downcallHandle(C.findOrThrow("strerror"),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
        static final MethodHandle SOCKET = failing("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle BIND = failing("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle GETSOCKNAME = failing("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle GETSOCKOPT = failing("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SETSOCKOPT = failing("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle RECVFROM = failing("recvfrom",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SENDTO = failing("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SENDMSG = failing("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle RECVMSG = failing("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle POLL = failing("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle EVENTFD = failing("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle WRITE = failing("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle DUP = failing("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle DUP2 = failing("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle CLOSE = failing("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

        private static MethodHandle failing(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(C.findOrThrow(name), descriptor, ERRNO_CAPTURE);
        }
    }
}
