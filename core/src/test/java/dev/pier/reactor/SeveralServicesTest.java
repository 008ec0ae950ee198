package dev.pier.reactor;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.endpoint.UnixEndpoint;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One reactor serving TCP, Unix stream and UDP at once, set up from endpoint descriptions. */
@Timeout(30)
class SeveralServicesTest {

    @TempDir
    Path dir;

    @Test
    void oneLoopServesEveryKindOfPortAtOnce() throws Exception {
        try (Reactor reactor = Reactor.start()) {
            ListeningPort tcp = reactor.listenTcp(
                    (TcpEndpoint) Endpoint.parseServer("tcp:0:interface=127.0.0.1"), peer -> new Echo());
            Path socket = dir.resolve("echo.sock");
            ListeningPort unix = reactor.listenUnix(
                    (UnixEndpoint) Endpoint.parseServer("unix:" + socket + ":mode=600"), peer -> new Echo());
            ListeningPort udp = reactor.listenUdp((UdpEndpoint) Endpoint.parseServer("udp:0:interface=127.0.0.1"),
                    new DatagramEcho());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

            try (SocketChannel viaTcp = SocketChannel.open(tcp.address());
                 SocketChannel viaUnix = SocketChannel.open(unix.address());
                 DatagramChannel viaUdp = DatagramChannel.open()) {
                viaTcp.write(StreamTransportContract.ascii("tcp"));
                viaUnix.write(StreamTransportContract.ascii("unix"));
                viaUdp.send(StreamTransportContract.ascii("udp"), udp.address());
                assertEquals("tcp", StreamTransportContract.readExactly(viaTcp, 3));
                assertEquals("unix", StreamTransportContract.readExactly(viaUnix, 4));
                ByteBuffer reply = ByteBuffer.allocate(16);
                viaUdp.receive(reply);
                assertEquals("udp", new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
            }

            Recorder client = new Recorder();
            reactor.connect(Endpoint.parseClient("tcp:host=127.0.0.1:port=" + tcp.port() + ":timeout=5"),
                    peer -> client).get(10, SECONDS);
            reactor.connect(Endpoint.parseClient("unix:path=" + socket), peer -> new Recorder()).get(10, SECONDS);
        }
    }
}
