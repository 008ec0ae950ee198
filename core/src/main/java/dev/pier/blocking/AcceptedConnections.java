package dev.pier.blocking;

import dev.pier.libc.LibC;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * Turns a connection's descriptor into a {@link SocketChannel} the way the JDK's own {@code accept} does, as often
 * as needed: what a forked child serving several requests needs, since {@code System.inheritedChannel()} works once
 * per JVM. It reaches the JDK's channel constructor, so the JVM must open {@code java.base/sun.nio.ch} to Pier,
 * which {@link ChildCommand} does for the children of a server with {@link Forking#requestsPerChild()} above 1.
 */
final class AcceptedConnections {

    private static final String PACKAGE = "sun.nio.ch";

    private final MethodHandle newChannel;   // (SelectorProvider, ProtocolFamily, FileDescriptor, SocketAddress)
    private final MethodHandle newDescriptor; // (int) -> FileDescriptor

    private AcceptedConnections(MethodHandle newChannel, MethodHandle newDescriptor) {
        this.newChannel = newChannel;
        this.newDescriptor = newDescriptor;
    }

    /** Whether this JVM lets Pier reach the JDK's channel constructor. */
    static boolean available() {
        return SocketChannel.class.getModule().isOpen(PACKAGE, AcceptedConnections.class.getModule());
    }

    /** Looks the JDK's constructors up once, ahead of the first connection. */
    static AcceptedConnections prepare() {
        if (!available()) {
            throw new IllegalStateException("a forked child serving several requests needs"
                    + " --add-opens=java.base/" + PACKAGE + "=" + moduleName() + " on its command line");
        }
        try {
            Class<?> channelClass = Class.forName(PACKAGE + ".SocketChannelImpl");
            Class<?> ioUtil = Class.forName(PACKAGE + ".IOUtil");
            MethodHandles.Lookup channels = MethodHandles.privateLookupIn(channelClass, MethodHandles.lookup());
            MethodHandle newChannel = channels.findConstructor(channelClass, MethodType.methodType(void.class,
                    SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class, SocketAddress.class));
            MethodHandle newDescriptor = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup())
                    .findStatic(ioUtil, "newFD", MethodType.methodType(FileDescriptor.class, int.class));
            return new AcceptedConnections(newChannel, newDescriptor);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK has no sun.nio.ch.SocketChannelImpl constructor for accepted"
                    + " connections: run Pier on JDK 25", e);
        }
    }

    /** The module name {@code --add-opens} names for Pier: its own, or {@code ALL-UNNAMED} on the class path. */
    static String moduleName() {
        Module pier = AcceptedConnections.class.getModule();
        return pier.isNamed() ? pier.getName() : "ALL-UNNAMED";
    }

    /** A channel owning {@code fd}, a connected stream socket whose peer is {@code client}. */
    SocketChannel adopt(int fd, SocketAddress client) throws IOException {
        ProtocolFamily family = familyOf(fd);
        try {
            return (SocketChannel) newChannel.invoke(SelectorProvider.provider(), family,
                    (FileDescriptor) newDescriptor.invoke(fd), client);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot wrap descriptor " + fd + " in a channel", t);
        }
    }

    private static ProtocolFamily familyOf(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment address = arena.allocate(LibC.SOCKADDR_UN);   // room for any socket address
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, (int) address.byteSize());
            if (LibC.getsockname(state, fd, address, length) != 0) {
                throw new SocketException("cannot inspect socket " + fd + ": " + LibC.strerror(LibC.errno(state)));
            }
            return switch (address.get(ValueLayout.JAVA_SHORT, 0)) {
                case LibC.AF_INET -> StandardProtocolFamily.INET;
                case LibC.AF_INET6 -> StandardProtocolFamily.INET6;
                case LibC.AF_UNIX -> StandardProtocolFamily.UNIX;
                default -> throw new IllegalArgumentException("descriptor " + fd + " is not a stream socket Pier"
                        + " serves");
            };
        }
    }
}
