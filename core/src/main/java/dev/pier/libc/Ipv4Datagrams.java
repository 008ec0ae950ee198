package dev.pier.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnresolvedAddressException;

/**
 * Replies from a UDP socket bound to an IPv4 address that the JDK took over from another process: the channel the JDK
 * makes of an inherited datagram socket ({@link System#inheritedChannel()}) is of its default family, IPv6 wherever
 * IPv6 is available, whatever the socket's, and its {@code send} then addresses the IPv4 socket with an IPv6 address,
 * which the kernel refuses ("Address family not supported by protocol"). This sends with {@code sendto(2)} and an
 * IPv4 address instead; receiving through the channel works as it is.
 */
public final class Ipv4Datagrams {

    private static final int SOCKADDR_IN_SIZE = 16;
    private static final ValueLayout.OfShort NETWORK_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private Ipv4Datagrams() {}

    /** Whether {@code channel}, bound elsewhere, is an IPv4 socket, to send from with {@link #send}. */
    public static boolean isIpv4(DatagramChannel channel) throws IOException {
        return channel.getLocalAddress() instanceof InetSocketAddress bound
                && bound.getAddress() instanceof Inet4Address;
    }

    /**
     * Sends {@code datagram}'s remaining bytes to {@code target} from the IPv4 UDP socket {@code fd} without waiting,
     * as a non-blocking {@link DatagramChannel#send} does: returns the bytes sent, consuming them, or 0 (leaving
     * them) when the socket's send buffer is full.
     *
     * @throws UnresolvedAddressException if {@code target} is not resolved
     * @throws SocketException            if the system refuses, with its words and the target
     */
    public static int send(int fd, ByteBuffer datagram, SocketAddress target) throws IOException {
        InetSocketAddress to = (InetSocketAddress) target;
        if (to.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (!(to.getAddress() instanceof Inet4Address ipv4)) {
            throw new SocketException("cannot send to " + to + " from an IPv4 socket");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE);
            address.set(JAVA_SHORT, 0, (short) LibC.AF_INET);
            address.set(NETWORK_SHORT, 2, (short) to.getPort());
            MemorySegment.copy(ipv4.getAddress(), 0, address, JAVA_BYTE, 4, 4);
            int length = datagram.remaining();
            MemorySegment data = arena.allocate(Math.max(length, 1));
            MemorySegment.copy(MemorySegment.ofBuffer(datagram), 0, data, 0, length);
            while (true) {
                long sent = LibC.sendto(state, fd, data, length, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL, address,
                        SOCKADDR_IN_SIZE);
                if (sent >= 0) {
                    datagram.position(datagram.position() + (int) sent);
                    return (int) sent;
                }
                int errno = LibC.errno(state);
                if (errno == LibC.EAGAIN) {
                    return 0;
                }
                if (errno != LibC.EINTR) {
                    throw new SocketException(LibC.strerror(errno) + " (sending " + length + " bytes to " + to + ")");
                }
            }
        }
    }
}
