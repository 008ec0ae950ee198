package dev.pier.protocols.policies;

import dev.pier.reactor.Transport;

/** What one policy does on one connection, around the protocol it wraps (see {@link PolicyProtocol}). */
abstract class ConnectionPolicy {

    /** The connection is up; returns the transport the wrapped protocol is given. */
    Transport connectionMade(Transport transport) {
        return transport;
    }

    /** The wrapped protocol has handled {@code bytes} received bytes. */
    void dataReceived(int bytes) {}

    /** The connection is gone; release whatever this policy holds. */
    void connectionLost() {}
}
