/**
 * Pier: network servers and clients on the JDK alone.
 *
 * <ul>
 *   <li>{@code dev.pier.reactor}: the event-driven model (Twisted's reactor, protocols, factories, transports).</li>
 *   <li>{@code dev.pier.unix}: what NIO lacks on Linux, through the C library: Unix datagram sockets, descriptor
 *       passing, peer credentials, descriptor numbers.</li>
 * </ul>
 */
module dev.pier {
    exports dev.pier.reactor;
    exports dev.pier.unix;
}
