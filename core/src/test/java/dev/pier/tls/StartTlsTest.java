package dev.pier.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pier.blocking.ServerOptions;
import dev.pier.blocking.StreamRequestHandler;
import dev.pier.blocking.TcpServer;
import dev.pier.protocols.LineReceiver;
import dev.pier.reactor.ListeningPort;
import dev.pier.reactor.Reactor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS: a connection that began in plaintext goes on over TLS once both sides agree, in both models; the client
 * is the JDK's own TLS, layered over the plaintext socket as a mail client does.
 */
@Timeout(30)
class StartTlsTest {

    @TempDir
    static Path dir;

    static TestPki.Ca ca;
    static TlsServer tls;

    @BeforeAll
    static void makeCertificates() {
        TestPki.assumeOpenssl();
        var pki = new TestPki(dir);
        ca = pki.ca("starttls");
        TestPki.Leaf server = pki.leaf(ca, "localhost", "ec", "DNS:localhost,IP:127.0.0.1");
        tls = TlsServer.load(TlsServerConfig.of(KeyMaterial.pem(server.key(), server.cert())));
    }

    /** Every line the servers handled, in every test: what a man in the middle must never get handled. */
    static final Queue<String> HANDLED = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void forgetWhatWasHandled() {
        HANDLED.clear();
    }

    /** Says hello in plaintext; after "STARTTLS" answers "GO" and speaks TLS; echoes every other line. */
    static final class Upgrading extends LineReceiver {
        @Override
        protected void connectionMade() {
            sendLine("HELLO plaintext");
        }

        @Override
        protected void lineReceived(String line) {
            HANDLED.add(line);
            if (line.equals("STARTTLS")) {
                sendLine("GO");
                addLayer(tls.newLayer(transport().remoteAddress()));
                return;
            }
            String version = transport().layer(TlsLayer.class).map(TlsLayer::protocolVersion).orElse("plaintext");
            sendLine(line + " over " + version);
        }
    }

    @Test
    void aReactorProtocolUpgradesItsConnection() throws Exception {
        try (Reactor reactor = Reactor.start()) {
            ListeningPort port = reactor.listenTcp(0, peer -> new Upgrading(), "127.0.0.1");
            assertEquals(List.of("HELLO plaintext", "before over plaintext", "after over TLSv1.3"),
                    converse((InetSocketAddress) port.address()));
        }
    }

    @Test
    void plaintextSentAfterTheCommandNeverPassesForWhatCameOverTls() throws Exception {
        try (Reactor reactor = Reactor.start()) {
            ListeningPort port = reactor.listenTcp(0, peer -> new Upgrading(), "127.0.0.1");
            assertInjectionRefused((InetSocketAddress) port.address());
        }
    }

    @Test
    void plaintextSentAfterTheCommandNeverPassesForWhatCameOverTlsInTheBlockingModel() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress("127.0.0.1", 0), UpgradingHandler::new,
                ServerOptions.defaults())) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try {
                    server.handleRequest();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertInjectionRefused((InetSocketAddress) server.address());
            serving.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A man in the middle appends a plaintext command to STARTTLS in the same segment (CVE-2011-0411's attack): it
     * goes into the TLS layer as the start of a handshake, fails it, and is never answered.
     */
    private static void assertInjectionRefused(InetSocketAddress address) throws Exception {
        try (Socket plain = new Socket(address.getAddress(), address.getPort())) {
            plain.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(plain.getInputStream(), US_ASCII));
            assertEquals("HELLO plaintext", in.readLine());
            plain.getOutputStream().write("STARTTLS\r\nINJECTED\r\n".getBytes(US_ASCII));
            // "GO", perhaps, then the end: a reset may take "GO" with it.
            StringBuilder rest = new StringBuilder();
            try {
                for (int c; (c = in.read()) >= 0; ) {
                    rest.append((char) c);
                }
            } catch (IOException reset) {
                // the layer gave up on the connection: what matters is what came before
            }
            assertEquals(-1, rest.indexOf("INJECTED"), rest.toString());
        }
        assertFalse(HANDLED.contains("INJECTED"), "the injected command was handled: " + HANDLED);
    }

    /** The same conversation by a blocking handler: startTls() then reads and writes over TLS. */
    static final class UpgradingHandler extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            out().write("HELLO plaintext\r\n".getBytes(US_ASCII));
            for (String line; (line = readLine()) != null; ) {
                HANDLED.add(line);
                if (line.equals("STARTTLS")) {
                    out().write("GO\r\n".getBytes(US_ASCII));
                    addLayer(tls.newLayer(clientAddress()));
                    continue;
                }
                String version = layer(TlsLayer.class).map(TlsLayer::protocolVersion).orElse("plaintext");
                out().write((line + " over " + version + "\r\n").getBytes(US_ASCII));
            }
        }
    }

    @Test
    void aBlockingHandlerUpgradesItsConnection() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress("127.0.0.1", 0), UpgradingHandler::new,
                ServerOptions.defaults())) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try {
                    server.handleRequest();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertEquals(List.of("HELLO plaintext", "before over plaintext", "after over TLSv1.3"),
                    converse((InetSocketAddress) server.address()));
            serving.get(10, TimeUnit.SECONDS);
        }
    }

    /** A plaintext line, STARTTLS, the JDK's TLS over the same socket, a line over TLS; what the server said. */
    private static List<String> converse(InetSocketAddress address) throws Exception {
        List<String> heard = new ArrayList<>();
        try (Socket plain = new Socket(address.getAddress(), address.getPort())) {
            plain.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(plain.getInputStream(), US_ASCII));
            OutputStream out = plain.getOutputStream();
            heard.add(in.readLine());
            out.write("before\r\nSTARTTLS\r\n".getBytes(US_ASCII));
            heard.add(in.readLine());
            assertEquals("GO", in.readLine());
            try (var secure = (SSLSocket) trustingTheCa().getSocketFactory().createSocket(plain, "localhost",
                    address.getPort(), true)) {
                var tlsIn = new BufferedReader(new InputStreamReader(secure.getInputStream(), US_ASCII));
                secure.getOutputStream().write("after\r\n".getBytes(US_ASCII));
                heard.add(tlsIn.readLine());
            }
        }
        return heard;
    }

    private static SSLContext trustingTheCa() throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (var pem = Files.newInputStream(ca.cert())) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
