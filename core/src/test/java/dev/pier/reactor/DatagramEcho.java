package dev.pier.reactor;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Sends each datagram back to its sender. */
class DatagramEcho implements DatagramProtocol {

    DatagramTransport transport;

    @Override
    public void startProtocol(DatagramTransport t) {
        transport = t;
    }

    @Override
    public void datagramReceived(ByteBuffer data, SocketAddress sender) {
        transport.write(data, sender);
    }
}
