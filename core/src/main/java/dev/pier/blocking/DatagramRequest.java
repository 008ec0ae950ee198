package dev.pier.blocking;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The request of a datagram server: the received datagram and the server's socket, through which replies go out
 * (Python's {@code (data, socket)} pair).
 *
 * @param data   the datagram's bytes; each call returns a fresh read-only view positioned at its start
 * @param socket the server's socket, for replies
 */
public record DatagramRequest(ByteBuffer data, DatagramSender socket) {

    public DatagramRequest {
        data = data.asReadOnlyBuffer();
        Objects.requireNonNull(socket, "socket");
    }

    @Override
    public ByteBuffer data() {
        return data.duplicate();
    }
}
