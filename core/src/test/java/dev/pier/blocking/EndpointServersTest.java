package dev.pier.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.blocking.TestServers.Behaviour;
import dev.pier.blocking.TestServers.LineHandler;
import dev.pier.blocking.TestServers.PacketHandler;
import dev.pier.blocking.TestServers.Serving;
import dev.pier.blocking.TestServers.StreamClient;
import dev.pier.blocking.TestServers.UdpClient;
import dev.pier.blocking.TestServers.UnixDatagramClient;
import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.TcpEndpoint;
import dev.pier.endpoint.UdpEndpoint;
import dev.pier.endpoint.UnixDatagramEndpoint;
import dev.pier.endpoint.UnixEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every server type can be made from an endpoint description, and honours what the description says. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EndpointServersTest {

    private static final Behaviour ECHO = (line, server) -> line;

    private Path directory;

    @BeforeEach
    void makeDirectory() throws Exception {
        directory = Files.createTempDirectory(Path.of("/tmp"), "pier");   // short: sun_path holds 107 bytes
    }

    @AfterEach
    void removeDirectory() throws Exception {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    @Test
    void tcpDescriptionGivesTheInterfaceAndAnyFreePort() throws Exception {
        var endpoint = (TcpEndpoint) Endpoint.parseServer("tcp:0:interface=127.0.0.1");
        try (var server = new TcpServer(endpoint, () -> new LineHandler(ECHO), ServerOptions.defaults())) {
            assertEquals(InetAddress.getByName("127.0.0.1"), server.address().getAddress());
            var serving = Serving.start(server);
            try (var client = new StreamClient(server.address())) {
                assertEquals("hello world", client.exchange("hello world"));
            }
            serving.shutdownAndAwait();
            assertEquals("tcp:" + server.address().getPort() + ":interface=127.0.0.1",
                    endpoint.bound(server.address()).describe());
        }
    }

    @Test
    void serversTakeOverChannelsBoundElsewhereAndLeaveTheirSocketFiles() throws Exception {
        var tcp = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        try (var server = new TcpServer(tcp, () -> new LineHandler(ECHO), ServerOptions.defaults())) {
            assertEquals(tcp.getLocalAddress(), server.address());
            var serving = Serving.start(server);
            try (var client = new StreamClient(server.address())) {
                assertEquals("over tcp", client.exchange("over tcp"));
            }
            serving.shutdownAndAwait();
        }
        assertFalse(tcp.isOpen(), "the server owns the channel");
        Path path = directory.resolve("bound.sock");
        var unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        try (var server = new UnixStreamServer(unix, () -> new LineHandler(ECHO), ServerOptions.defaults())) {
            var serving = Serving.start(server);
            try (var client = new StreamClient(server.address())) {
                assertEquals("over unix", client.exchange("over unix"));
            }
            serving.shutdownAndAwait();
        }
        assertTrue(Files.exists(path), "whoever bound the socket owns its file");
        try (var unbound = ServerSocketChannel.open()) {
            assertThrows(IllegalArgumentException.class,
                    () -> new TcpServer(unbound, () -> new LineHandler(ECHO), ServerOptions.defaults()));
        }
    }

    @Test
    void unixDescriptionSetsTheSocketFileMode() throws Exception {
        Path path = directory.resolve("s.sock");
        var endpoint = (UnixEndpoint) Endpoint.parseServer("unix:" + path + ":mode=600");
        try (var server = new UnixStreamServer(endpoint, () -> new LineHandler(ECHO), ServerOptions.defaults())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            var serving = Serving.start(server);
            try (var client = new StreamClient(server.address())) {
                assertEquals("hello world", client.exchange("hello world"));
            }
            serving.shutdownAndAwait();
        }
    }

    @Test
    void unixgramDescriptionSetsTheSocketFileModeAs666ByDefault() throws Exception {
        Path path = directory.resolve("g.sock");
        var endpoint = (UnixDatagramEndpoint) Endpoint.parseServer("unixgram:" + path + ":mode=620");
        try (var server = new UnixDatagramServer(endpoint, () -> new PacketHandler(ECHO), ServerOptions.defaults())) {
            assertEquals("rw--w----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        }
        try (var server = new UnixDatagramServer(new UnixDatagramEndpoint(path), () -> new PacketHandler(ECHO),
                ServerOptions.defaults())) {
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        }
    }

    @Test
    void datagramDescriptionsBindBothDatagramServers() throws Exception {
        var udp = (UdpEndpoint) Endpoint.parseServer("udp:0:interface=127.0.0.1");
        try (var server = new UdpServer(udp, () -> new PacketHandler(ECHO), ServerOptions.defaults())) {
            var serving = Serving.start(server);
            try (var client = new UdpClient(server.address())) {
                assertEquals("hello world", client.exchange("hello world"));
            }
            serving.shutdownAndAwait();
        }
        var unixgram = (UnixDatagramEndpoint) Endpoint.parseServer("unixgram:" + directory.resolve("d.sock"));
        try (var server = new UnixDatagramServer(unixgram, () -> new PacketHandler(ECHO), ServerOptions.defaults())) {
            var serving = Serving.start(server);
            try (var client = new UnixDatagramClient(server.address())) {
                assertEquals("hello world", client.exchange("hello world"));
            }
            serving.shutdownAndAwait();
        }
    }
}
