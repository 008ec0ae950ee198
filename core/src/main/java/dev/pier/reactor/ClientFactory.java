package dev.pier.reactor;

import java.net.SocketAddress;

/**
 * A {@link ProtocolFactory} for outgoing connections, told when a connection attempt fails and when an
 * established connection is lost (Twisted's {@code ClientFactory}).
 */
public interface ClientFactory extends ProtocolFactory {

    /** A connection attempt to {@code address} is starting. */
    default void startedConnecting(SocketAddress address) {}

    /** The connection to {@code address} could not be made (refused, timed out, cancelled, unresolvable). */
    default void connectionFailed(SocketAddress address, Throwable cause) {}

    /** An established connection to {@code address} ended. */
    default void connectionLost(SocketAddress address, DisconnectReason reason) {}
}
