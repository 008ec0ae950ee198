package dev.pier.unix;

import dev.pier.libc.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/** Converts between Java addresses and the kernel's {@code sockaddr_un}, and names addresses in messages. */
final class UnixAddresses {

    /** The longest path a {@code sockaddr_un} holds: {@code sun_path} keeps one byte for the terminating NUL. */
    static final int MAX_PATH_BYTES = LibC.SUN_PATH_SIZE - 1;

    /** File names are bytes in the charset the JDK itself uses for them. */
    private static final Charset FILE_NAMES = fileNameCharset();

    private UnixAddresses() {}

    /** The bytes of {@code path} as the kernel sees them. */
    static byte[] pathBytes(Path path) {
        return path.toString().getBytes(FILE_NAMES);
    }

    /**
     * A {@code sockaddr_un} for {@code address}, exactly as long as the kernel should read of it.
     *
     * @throws SocketException when the path is too long, empty (unnamed), or the address is of another kind
     */
    static MemorySegment encode(Arena arena, SocketAddress address) throws SocketException {
        return switch (address) {
            case UnixDomainSocketAddress unix -> encodePath(arena, unix.getPath());
            case AbstractUnixAddress name -> {
                MemorySegment sockaddr = arena.allocate(LibC.SA_FAMILY_SIZE + 1 + name.nameLength());
                sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_UNIX);
                for (int i = 0; i < name.nameLength(); i++) {
                    sockaddr.set(ValueLayout.JAVA_BYTE, LibC.SUN_PATH_OFFSET + 1 + i, name.nameByte(i));
                }
                yield sockaddr;
            }
            case null -> throw new NullPointerException("address");
            default -> throw new IllegalArgumentException("a Unix datagram socket sends to a UnixDomainSocketAddress"
                    + " or an AbstractUnixAddress, not to " + address.getClass().getName() + " " + address);
        };
    }

    private static MemorySegment encodePath(Arena arena, Path path) throws SocketException {
        byte[] bytes = pathBytes(path);
        if (bytes.length == 0) {
            throw new SocketException("an empty path names no Unix socket: give the path of a bound socket");
        }
        if (bytes.length > MAX_PATH_BYTES) {
            throw new SocketException(name(path) + " is too long: " + bytes.length + " bytes, and a Unix socket path"
                    + " has at most " + MAX_PATH_BYTES + "; use a shorter path (for example under /tmp, or relative)");
        }
        MemorySegment sockaddr = arena.allocate(LibC.SA_FAMILY_SIZE + bytes.length + 1);
        sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_UNIX);
        MemorySegment.copy(bytes, 0, sockaddr, ValueLayout.JAVA_BYTE, LibC.SUN_PATH_OFFSET, bytes.length);
        return sockaddr;
    }

    /**
     * The Java form of the first {@code length} bytes of a {@code sockaddr_un}: a {@link UnixDomainSocketAddress}
     * for a path, an {@link AbstractUnixAddress} for an abstract name, {@code null} for an unnamed socket.
     */
    static SocketAddress decode(MemorySegment sockaddr, int length) {
        int pathLength = Math.min(length, (int) LibC.SOCKADDR_UN.byteSize()) - LibC.SA_FAMILY_SIZE;
        if (pathLength <= 0) {
            return null;
        }
        byte[] bytes = sockaddr.asSlice(LibC.SUN_PATH_OFFSET, pathLength).toArray(ValueLayout.JAVA_BYTE);
        if (bytes[0] == 0) {
            return AbstractUnixAddress.of(Arrays.copyOfRange(bytes, 1, bytes.length));
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return UnixDomainSocketAddress.of(new String(bytes, 0, end, FILE_NAMES));
    }

    /** How messages name a Unix datagram address: {@code unixgram:/path} or {@code unixgram:@name}. */
    static String name(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress unix -> name(unix.getPath());
            case null -> "an unnamed Unix socket";
            default -> address.toString();
        };
    }

    static String name(Path path) {
        return "unixgram:" + path;
    }

    private static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding", System.getProperty("native.encoding", "UTF-8"));
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException unsupported) {
            return StandardCharsets.UTF_8;
        }
    }
}
