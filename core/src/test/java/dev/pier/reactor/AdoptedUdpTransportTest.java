package dev.pier.reactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

/**
 * The datagram transport contract over a UDP socket bound before the reactor took it ({@link
 * Reactor#listen(DatagramChannel, DatagramProtocol)}, as systemd passes one): an IPv4 one, which sends through
 * {@code sendto(2)} rather than the channel, as one the JDK inherited must.
 */
class AdoptedUdpTransportTest extends UdpTransportTest {

    @Override
    ListeningPort listen(Reactor reactor, DatagramProtocol protocol) {
        return reactor.listen(bound(0), protocol);
    }

    @Override
    ListeningPort listenAgain(Reactor reactor, ListeningPort stopped, DatagramProtocol protocol) {
        return reactor.listen(bound(stopped.port()), protocol);
    }

    private static DatagramChannel bound(int port) {
        try {
            return DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
