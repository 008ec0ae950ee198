package dev.pier.app.echo;

import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DatagramTransport;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Echo in the event-driven model for datagrams: each datagram goes back to its sender. */
public final class DatagramEchoProtocol implements DatagramProtocol {

    private DatagramTransport transport;

    @Override
    public void startProtocol(DatagramTransport transport) {
        this.transport = transport;
    }

    @Override
    public void datagramReceived(ByteBuffer data, SocketAddress sender) {
        transport.write(data, sender);
    }
}
