package dev.pier.bench;

import dev.pier.blocking.BaseServer;
import dev.pier.blocking.Concurrency;
import dev.pier.blocking.DatagramRequestHandler;
import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import dev.pier.blocking.UdpServer;
import dev.pier.endpoint.Endpoint;
import dev.pier.endpoint.TlsEndpoint;
import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.DatagramProtocol;
import dev.pier.reactor.DatagramTransport;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.ProtocolFactory;
import dev.pier.reactor.ReactorGroup;
import dev.pier.reactor.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pier's peers, each written the way Pier's own documentation shows:
 *
 * <pre>{@code java -cp ... dev.pier.bench.PierServer reactor|virtual echo|poetry|udp PORT [POEM_FILE]
 * java -cp ... dev.pier.bench.PierServer reactor|virtual tls-echo|tls-poetry PORT POEM_FILE KEY.pem CERT.pem}</pre>
 *
 * <p>{@code reactor} is the event-driven model on a {@link ReactorGroup}; {@code virtual} is the socketserver
 * model with a virtual thread per request. Listens on 127.0.0.1:PORT (0 picks a free port) and prints
 * {@code READY <port>} on stdout once it accepts. The TLS services listen on the {@code ssl:} endpoint a user gives
 * {@code pier echo --listen} or {@code pier poetry serve --listen}, and run its layers as the launcher does:
 * {@code ssl:PORT:interface=127.0.0.1:privateKey=KEY.pem:certKey=CERT.pem}.
 */
public final class PierServer {

    private PierServer() {
    }

    public static void main(String[] args) throws IOException {
        boolean tls = args.length >= 6 && args[1].matches("tls-echo|tls-poetry");
        if (args.length < 3 || !args[0].matches("reactor|virtual") || !(tls || args[1].matches("echo|poetry|udp"))) {
            System.err.println("usage: PierServer reactor|virtual echo|poetry|udp PORT [POEM_FILE]\n"
                    + "       PierServer reactor|virtual tls-echo|tls-poetry PORT POEM_FILE KEY.pem CERT.pem");
            System.exit(2);
        }
        String service = args[1];
        int port = Integer.parseInt(args[2]);
        byte[] poem = service.endsWith("poetry") ? Files.readAllBytes(Path.of(args[3])) : new byte[0];
        if (tls) {
            TlsEndpoint endpoint = (TlsEndpoint) Endpoint.parseServer("ssl:" + port + ":interface=127.0.0.1"
                    + ":privateKey=" + args[4] + ":certKey=" + args[5]);
            boolean echo = service.equals("tls-echo");
            if (args[0].equals("reactor")) {
                serveReactorTls(endpoint, echo, poem);
            } else {
                serveBlockingTls(endpoint, echo, poem);
            }
        } else if (args[0].equals("reactor")) {
            serveReactor(service, port, poem);
        } else {
            serveBlocking(service, port, poem);
        }
    }

    private static void ready(int port) {
        System.out.println("READY " + port);
        System.out.flush();
    }

    // ---- the event-driven model ----

    /** One reactor per core sharing the TCP port, as Netty runs one event loop per core; UDP has one socket. */
    private static void serveReactor(String service, int port, byte[] poem) {
        try (ReactorGroup group = ReactorGroup.start()) {
            ListeningPort listening = switch (service) {
                case "echo" -> group.listenTcp(port, peer -> new Echo(), "127.0.0.1");
                case "poetry" -> group.listenTcp(port, poetry(ByteBuffer.wrap(poem)), "127.0.0.1");
                default -> group.next().listenUdp(port, new UdpEcho(), "127.0.0.1");
            };
            ready(listening.port());
            group.whenStopped().toCompletableFuture().join();
        }
    }

    /** As {@code pier echo|poetry serve --concurrency reactor --listen ssl:...}: the protocol behind the layers. */
    private static void serveReactorTls(TlsEndpoint endpoint, boolean echo, byte[] poem) {
        ProtocolFactory factory = echo ? peer -> new Echo() : poetry(ByteBuffer.wrap(poem));
        try (ReactorGroup group = ReactorGroup.start()) {
            ListeningPort listening = group.listenTcp(endpoint.socketAddress(),
                    LayeredProtocol.wrap(factory, endpoint.layers()), endpoint.tcp().backlog());
            ready(listening.port());
            group.whenStopped().toCompletableFuture().join();
        }
    }

    private static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    private static ProtocolFactory poetry(ByteBuffer poem) {
        return peer -> new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                transport.write(poem.duplicate());
                transport.loseConnection();
            }

            @Override
            public void dataReceived(ByteBuffer data) {
            }
        };
    }

    private static final class UdpEcho implements DatagramProtocol {
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

    // ---- the socketserver model ----

    private static void serveBlocking(String service, int port, byte[] poem) throws IOException {
        ServerOptions options = ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads());
        try (BaseServer<?> server = switch (service) {
            case "echo" -> new TcpServer("127.0.0.1", port, EchoHandler::new, options);
            case "poetry" -> new TcpServer("127.0.0.1", port, () -> new PoetryHandler(poem), options);
            default -> new UdpServer("127.0.0.1", port, UdpEchoHandler::new, options);
        }) {
            ready(((java.net.InetSocketAddress) server.address()).getPort());
            server.serveForever();
        }
    }

    /** As {@code pier echo|poetry serve --concurrency virtual --listen ssl:...}: the endpoint's layers in the options. */
    private static void serveBlockingTls(TlsEndpoint endpoint, boolean echo, byte[] poem) throws IOException {
        ServerOptions options = ServerOptions.defaults().withConcurrency(Concurrency.virtualThreads())
                .withLayers(endpoint.layers());
        try (TcpServer server = new TcpServer(endpoint.tcp(),
                echo ? EchoHandler::new : () -> new PoetryHandler(poem), options)) {
            ready(((java.net.InetSocketAddress) server.address()).getPort());
            server.serveForever();
        }
    }

    private static final class EchoHandler extends StreamRequestHandler {
        @Override
        protected boolean noDelay() {
            return true; // as the other peers: small replies leave at once
        }

        @Override
        protected void handle() throws IOException {
            in().transferTo(out());
        }
    }

    private static final class PoetryHandler extends StreamRequestHandler {
        private final byte[] poem;

        PoetryHandler(byte[] poem) {
            this.poem = poem;
        }

        @Override
        protected void handle() throws IOException {
            out().write(poem);
        }
    }

    private static final class UdpEchoHandler extends DatagramRequestHandler {
        @Override
        protected void handle() throws IOException {
            in().transferTo(out());
        }
    }
}
