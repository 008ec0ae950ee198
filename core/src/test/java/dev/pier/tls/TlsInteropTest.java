package dev.pier.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pier.layer.LayerFactory;
import dev.pier.layer.LayeredProtocol;
import dev.pier.reactor.ClientFactory;
import dev.pier.reactor.DisconnectReason;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Protocol;
import dev.pier.reactor.Reactor;
import dev.pier.reactor.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Pier's TLS layers in a reactor over loopback, against OpenSSL's and Python's TLS. */
@Timeout(60)
class TlsInteropTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestPki.Ca ca;
    static TestPki.Leaf server;
    static TestPki.Leaf other;
    static TestPki.Leaf alice;

    Reactor reactor;

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        pki = new TestPki(dir);
        ca = pki.ca("interop");
        server = pki.leaf(ca, "localhost", "rsa", "DNS:localhost,IP:127.0.0.1");
        other = pki.leaf(ca, "b.test", "ec", "DNS:b.test");
        alice = pki.leaf(ca, "alice", "ec", "DNS:alice.test");
        pki.concat("sni/b.test.pem", other.key(), other.cert());
    }

    @BeforeEach
    void startReactor() {
        reactor = Reactor.start();
    }

    @AfterEach
    void closeReactor() {
        reactor.close();
    }

    static void assumePython() {
        assumeTrue(TestPki.commandWorks("python3", "-c", "import ssl"),
                "SKIPPED: 'python3' with its ssl module is missing, so the Python interop tests cannot run");
    }

    // ---- a Pier server

    /** Answers the first line with what TLS negotiated, then the line, then closes. */
    static final class Facts implements Protocol {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private Transport transport;
        private String facts;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            TlsLayer tls = transport.layer(TlsLayer.class).orElseThrow();
            facts = "version=" + tls.protocolVersion() + " alpn=" + tls.applicationProtocol().orElse("none")
                    + " sni=" + tls.serverName().orElse("none") + " client=" + tls.peerCertificates().stream()
                    .findFirst().map(c -> c.getSubjectX500Principal().getName()).orElse("none") + "\n";
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            while (data.hasRemaining()) {
                byte b = data.get();
                line.write(b);
                if (b == '\n') {
                    transport.write((facts + line.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                    transport.loseConnection();
                }
            }
        }
    }

    int listen(TlsServerConfig config) {
        TlsServer tls = TlsServer.load(config);
        ListeningPort port = reactor.listenTcp(0, LayeredProtocol.wrap(peer -> new Facts(), List.of(tls)),
                "127.0.0.1");
        return port.port();
    }

    static TlsServerConfig serverConfig() {
        return TlsServerConfig.of(KeyMaterial.pem(server.key(), server.cert())).withSniDirectory(dir.resolve("sni"))
                .withAlpn("h2", "http/1.1");
    }

    String sClient(int port, String... options) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", ca.cert().toString(), "-verify_return_error", "-quiet"));
        command.addAll(List.of(options));
        try (Program client = Program.start(dir, command)) {
            client.send("hello\n");
            return client.awaitExit();
        }
    }

    @Test
    void opensslClient() throws Exception {
        String output = sClient(listen(serverConfig()), "-servername", "localhost", "-verify_hostname", "localhost",
                "-alpn", "http/1.1");
        assertTrue(output.contains("version=TLSv1.3 alpn=http/1.1 sni=localhost client=none\nhello\n"), output);
    }

    @Test
    void opensslClientOnTls12() throws Exception {
        String output = sClient(listen(serverConfig()), "-tls1_2", "-servername", "localhost");
        assertTrue(output.contains("version=TLSv1.2 alpn=none sni=localhost client=none\nhello\n"), output);
    }

    @Test
    void opensslClientGetsTheCertificateForItsServerName() throws Exception {
        String output = sClient(listen(serverConfig()), "-servername", "b.test", "-verify_hostname", "b.test");
        assertTrue(output.contains("sni=b.test client=none\nhello\n"), output);
    }

    @Test
    void opensslClientWithACertificate() throws Exception {
        int port = listen(serverConfig().withClientCa(ca.cert()));
        String output = sClient(port, "-servername", "localhost", "-cert", alice.cert().toString(), "-key",
                alice.key().toString());
        assertTrue(output.contains("client=CN=alice\nhello\n"), output);
    }

    @Test
    void opensslClientWithoutACertificateIsRefused() throws Exception {
        String output = sClient(listen(serverConfig().withClientCa(ca.cert())), "-servername", "localhost");
        assertFalse(output.contains("hello"), output);
        assertTrue(output.contains("alert"), output);
    }

    @Test
    void pythonClient() throws Exception {
        assumePython();
        int port = listen(serverConfig());
        String script = """
                import socket, ssl, sys
                context = ssl.create_default_context(cafile=sys.argv[1])
                context.set_alpn_protocols(['h2'])
                with socket.create_connection(('127.0.0.1', int(sys.argv[2]))) as raw:
                    with context.wrap_socket(raw, server_hostname='localhost') as tls:
                        tls.sendall(b'hello\\n')
                        data = b''
                        while True:
                            chunk = tls.recv(4096)   # b'' only after close_notify: a bare EOF raises
                            if not chunk:
                                break
                            data += chunk
                        print(tls.version(), tls.selected_alpn_protocol())
                        print(data.decode(), end='')
                """;
        try (Program python = Program.start(dir, List.of("python3", "-c", script, ca.cert().toString(),
                String.valueOf(port)))) {
            String output = python.awaitExit();
            assertEquals("TLSv1.3 h2\nversion=TLSv1.3 alpn=h2 sni=localhost client=none\nhello\n", output);
            assertEquals(0, python.exitValue());
        }
    }

    @Test
    void aPlaintextClientIsCutOff() throws Exception {
        int port = listen(serverConfig());
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            try {
                assertEquals(-1, in.read());
            } catch (SocketException reset) {
                // aborted: a reset is as good an answer
            }
        }
    }

    // ---- a Pier client

    /** Sends a line, then closes once a whole line came back. */
    static final class LineClient implements Protocol {
        final CompletableFuture<String> facts = new CompletableFuture<>();
        final CompletableFuture<String> reply = new CompletableFuture<>();
        final CompletableFuture<DisconnectReason> lost = new CompletableFuture<>();
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            TlsLayer tls = transport.layer(TlsLayer.class).orElseThrow();
            facts.complete(tls.protocolVersion() + " " + tls.applicationProtocol().orElse("none") + " "
                    + tls.peerCertificates().getFirst().getSubjectX500Principal().getName());
            transport.write("hello from pier\n".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.writeBytes(bytes);
            String text = received.toString(StandardCharsets.UTF_8);
            if (text.endsWith("\n")) {
                reply.complete(text);
                transport.loseConnection();
            }
        }

        @Override
        public void connectionLost(DisconnectReason reason) {
            lost.complete(reason);
        }
    }

    LineClient connect(int port, TlsClientConfig config, String serverName) {
        LayerFactory tls = TlsClient.load(config).layerFor(serverName);
        LineClient client = new LineClient();
        ClientFactory factory = peer -> LayeredProtocol.wrap(client, List.of(tls.newLayer(peer)));
        reactor.connectTcp("127.0.0.1", port, factory);
        return client;
    }

    @Test
    void opensslServer() throws Exception {
        try (Program sServer = Program.start(dir, List.of("openssl", "s_server", "-accept", "127.0.0.1:0",
                "-naccept", "1", "-cert", server.cert().toString(), "-key", server.key().toString(),
                "-alpn", "h2", "-Verify", "1", "-CAfile", ca.cert().toString()))) {
            int port = acceptedPort(sServer.awaitLine("ACCEPT 127.0.0.1:"));
            LineClient client = connect(port, TlsClientConfig.defaults().withTrustRoots(ca.cert()).withAlpn("h2")
                    .withIdentity(KeyMaterial.pem(alice.key(), alice.cert())), "localhost");
            assertEquals("TLSv1.3 h2 CN=localhost", client.facts.get(20, SECONDS));
            sServer.awaitOutput("hello from pier\n");
            sServer.send("hello from openssl\n");
            assertEquals("hello from openssl\n", client.reply.get(20, SECONDS));
            assertTrue(client.lost.get(20, SECONDS).isClean());
            String output = sServer.awaitExit();
            assertTrue(output.contains("CN = alice"), "openssl saw the client certificate:\n" + output);
        }
    }

    @Test
    void opensslServerWithTheWrongNameIsRefused() throws Exception {
        try (Program sServer = Program.start(dir, List.of("openssl", "s_server", "-accept", "127.0.0.1:0",
                "-naccept", "1", "-cert", other.cert().toString(), "-key", other.key().toString()))) {
            int port = acceptedPort(sServer.awaitLine("ACCEPT 127.0.0.1:"));
            LineClient client = connect(port, TlsClientConfig.defaults().withTrustRoots(ca.cert()), "localhost");
            sServer.awaitExit();
            assertFalse(client.facts.isDone(), "the protocol never saw the connection");
        }
    }

    @Test
    void pythonServer() throws Exception {
        assumePython();
        String script = """
                import socket, ssl, sys
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(sys.argv[1], sys.argv[2])
                context.set_alpn_protocols(['http/1.1'])
                with socket.socket() as listener:
                    listener.bind(('127.0.0.1', 0))
                    listener.listen(1)
                    print('port', listener.getsockname()[1], flush=True)
                    raw, _ = listener.accept()
                    with context.wrap_socket(raw, server_side=True) as tls:
                        line = b''
                        while not line.endswith(b'\\n'):
                            line += tls.recv(1024)
                        tls.sendall(b'python got ' + line)
                        print('end', repr(tls.recv(1024)), flush=True)   # b'' on close_notify
                """;
        try (Program python = Program.start(dir, List.of("python3", "-u", "-c", script, server.cert().toString(),
                server.key().toString()))) {
            // The whole line: its number may still be on its way when "port " arrives.
            Matcher port = Pattern.compile("port (\\d+)").matcher(python.awaitLine("port "));
            assertTrue(port.find());
            LineClient client = connect(Integer.parseInt(port.group(1)), TlsClientConfig.defaults()
                    .withTrustRoots(ca.cert()).withAlpn("http/1.1"), "localhost");
            assertEquals("TLSv1.3 http/1.1 CN=localhost", client.facts.get(20, SECONDS));
            assertEquals("python got hello from pier\n", client.reply.get(20, SECONDS));
            assertTrue(python.awaitExit().contains("end b''"), "python saw close_notify");
        }
    }

    private static int acceptedPort(String output) {
        Matcher matcher = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)").matcher(output);
        assertTrue(matcher.find(), output);
        return Integer.parseInt(matcher.group(1));
    }
}
