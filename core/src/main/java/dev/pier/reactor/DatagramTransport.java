package dev.pier.reactor;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Sends datagrams from a listening datagram port. Writes copy their data and never block. */
public interface DatagramTransport {

    /** Sends the remaining bytes of {@code data} as one datagram to {@code target}. */
    void write(ByteBuffer data, SocketAddress target);

    /** The port's own address. */
    SocketAddress localAddress();

    /** The timers of the loop this port runs on. */
    Scheduler scheduler();
}
