package dev.pier.blocking;

import java.nio.ByteBuffer;

/**
 * What a forking server sends a child for one request: a descriptor (the connection, or the datagram server's
 * socket) and the bytes the child needs besides it (for a datagram: the sender and the data).
 *
 * @param fd      a descriptor of the parent, copied into the child; the parent keeps its own
 * @param details whatever else the server type needs to rebuild the request
 */
record ForkedRequest(int fd, ByteBuffer details) {
}
