package dev.pier.binding;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;

/**
 * Which family of socket serves an address, the same in both models: an IPv4 address gets an IPv4 socket, so that
 * {@code 0.0.0.0} means every IPv4 interface and no IPv6 one, as for Python's and Twisted's servers. (The JDK would
 * open a dual-stack IPv6 socket, on which binding {@code 0.0.0.0} takes IPv6 clients too.)
 */
public final class SocketFamilies {

    private SocketFamilies() {
    }

    /**
     * IPv6 for an IPv6 address, else IPv4 (an unresolved address, or one of another kind, fails to bind on either,
     * with the same exception).
     */
    public static StandardProtocolFamily of(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }
}
