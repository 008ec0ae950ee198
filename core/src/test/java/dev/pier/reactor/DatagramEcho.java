package dev.pier.reactor;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Sends each datagram back to its sender; tests of other packages override its reply too. */
public class DatagramEcho implements DatagramProtocol {

    protected DatagramTransport transport;

    @Override
    public void startProtocol(DatagramTransport t) {
        transport = t;
    }

    @Override
    public void datagramReceived(ByteBuffer data, SocketAddress sender) {
        transport.write(data, sender);
    }
}
