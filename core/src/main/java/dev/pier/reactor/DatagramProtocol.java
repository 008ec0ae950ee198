package dev.pier.reactor;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Behaviour of a datagram port (UDP or Unix datagram). The buffer passed to {@link #datagramReceived} is valid only
 * during the call.
 *
 * <pre>{@code
 * reactor.listenUdp(8007, new DatagramProtocol() {
 *     DatagramTransport transport;
 *     public void startProtocol(DatagramTransport t) { transport = t; }
 *     public void datagramReceived(ByteBuffer data, SocketAddress sender) { transport.write(data, sender); }
 * });
 * }</pre>
 */
public interface DatagramProtocol {

    /** The port is listening; {@code transport} sends datagrams from it. */
    default void startProtocol(DatagramTransport transport) {}

    /** One whole datagram from {@code sender}; readable only during this call. */
    void datagramReceived(ByteBuffer data, SocketAddress sender);

    /** The port stopped listening; the last callback. */
    default void stopProtocol() {}
}
