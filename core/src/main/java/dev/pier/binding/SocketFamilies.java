package dev.pier.binding;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Which family of socket serves an address, the same in both models: an IPv4 address gets an IPv4 socket, so that
 * {@code 0.0.0.0} means every IPv4 interface and no IPv6 one, as for Python's and Twisted's servers. (The JDK would
 * open a dual-stack IPv6 socket, on which binding {@code 0.0.0.0} takes IPv6 clients too.)
 */
public final class SocketFamilies {

    private SocketFamilies() {
    }

    /** IPv6 for an IPv6 address, IPv4 for an IPv4 one. */
    public static StandardProtocolFamily of(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** A listening channel of the family {@code address} needs; the JDK's default for an unresolved address. */
    public static ServerSocketChannel openServer(SocketAddress address) throws IOException {
        return resolved(address) instanceof InetSocketAddress inet ? ServerSocketChannel.open(of(inet))
                : ServerSocketChannel.open();
    }

    /** A connection's channel of the family {@code address} needs; the JDK's default for an unresolved address. */
    public static SocketChannel openStream(SocketAddress address) throws IOException {
        return resolved(address) instanceof InetSocketAddress inet ? SocketChannel.open(of(inet))
                : SocketChannel.open();
    }

    /** A datagram channel of the family {@code address} needs; the JDK's default for an unresolved address. */
    public static DatagramChannel openDatagram(SocketAddress address) throws IOException {
        return resolved(address) instanceof InetSocketAddress inet ? DatagramChannel.open(of(inet))
                : DatagramChannel.open();
    }

    private static SocketAddress resolved(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.isUnresolved() ? null : address;
    }
}
