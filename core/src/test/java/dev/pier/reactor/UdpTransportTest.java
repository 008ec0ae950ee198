package dev.pier.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** The datagram transport contract over UDP on loopback. */
class UdpTransportTest extends DatagramTransportContract {

    @Override
    ListeningPort listen(Reactor reactor, DatagramProtocol protocol) {
        return reactor.listenUdp(0, protocol, "127.0.0.1");
    }

    @Override
    ListeningPort listenAgain(Reactor reactor, ListeningPort stopped, DatagramProtocol protocol) {
        return reactor.listenUdp(stopped.port(), protocol, "127.0.0.1");
    }

    @Override
    Client openClient() throws IOException {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        return new Client() {
            @Override
            public void send(ByteBuffer data, SocketAddress target) throws IOException {
                channel.send(data, target);
            }

            @Override
            public String receive() throws IOException {
                ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM + 1);
                channel.receive(buffer);
                return new String(buffer.array(), 0, buffer.position(), US_ASCII);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** A port that was free a moment ago: the kernel answers datagrams to it with port-unreachable. */
    @Override
    SocketAddress unreachable() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            return probe.getLocalAddress();
        }
    }
}
