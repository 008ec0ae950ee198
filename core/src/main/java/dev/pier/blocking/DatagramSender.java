package dev.pier.blocking;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** The server socket of a datagram server, seen as the way to answer a client. */
@FunctionalInterface
public interface DatagramSender {

    /**
     * Sends the remaining bytes of {@code datagram} as one datagram to {@code target}.
     *
     * @return the number of bytes sent: all of them, or 0 when the datagram had to be dropped
     */
    int send(ByteBuffer datagram, SocketAddress target) throws IOException;
}
