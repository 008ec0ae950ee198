package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pier behind a real HAProxy that speaks the PROXY protocol to it (version 1 to one backend, version 2 to the other,
 * round robin): every poem arrives whole and both servers log the real client, not HAProxy.
 */
@Timeout(90)
class HaproxyIT {

    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    @TempDir
    Path directory;

    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable process : running.reversed()) {
            process.close();
        }
    }

    @Test
    void twoBackendsBehindHaproxySeeTheRealClientsOverTcp() throws Exception {
        requireHaproxy();
        PierProcess reactor = poetryServer("reactor", "haproxy:tcp:0:interface=127.0.0.1");
        PierProcess threads = poetryServer("threads", "haproxy:tcp:0:interface=127.0.0.1");
        int front = haproxy(reactor.port(), threads.port());

        List<Integer> clientPorts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (Socket client = new Socket("127.0.0.1", front)) {
                clientPorts.add(client.getLocalPort());
                assertArrayEquals(Peers.poemBytes("ecstasy.txt"), client.getInputStream().readAllBytes());
            }
        }
        assertEquals(Set.of(reactor, threads), servedBy(clientPorts, reactor, threads), "round robin");
    }

    @Test
    void theProxyHeaderComesBeforeTls() throws Exception {
        requireHaproxy();
        PierProcess made = PierProcess.start(directory, "tls", "self-signed", "--out", "tls");
        assertEquals(0, made.exitStatus(Duration.ofSeconds(30)), made.stderr());
        String ssl = "haproxy:ssl:0:interface=127.0.0.1:privateKey=" + directory.resolve("tls/key.pem")
                + ":certKey=" + directory.resolve("tls/cert.pem");
        PierProcess reactor = poetryServer("reactor", ssl);
        PierProcess virtual = poetryServer("virtual", ssl);
        int front = haproxy(reactor.port(), virtual.port());

        SSLContext trusting = trusting(directory.resolve("tls/cert.pem"));
        List<Integer> clientPorts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (Socket plain = new Socket("127.0.0.1", front);
                 var tls = (SSLSocket) trusting.getSocketFactory().createSocket(plain, "localhost", front, true)) {
                clientPorts.add(plain.getLocalPort());
                assertArrayEquals(Peers.poemBytes("ecstasy.txt"), tls.getInputStream().readAllBytes());
            }
        }
        assertEquals(Set.of(reactor, virtual), servedBy(clientPorts, reactor, virtual), "round robin");
    }

    private PierProcess poetryServer(String concurrency, String listen) throws Exception {
        PierProcess server = PierProcess.start(directory, "poetry", "serve", "--concurrency", concurrency,
                "--listen", listen, Peers.poem("ecstasy.txt").toString());
        running.add(server::close);
        server.readyLine();
        return server;
    }

    /**
     * The servers whose logs name the clients, each by its own port: a server behind HAProxy sees the client the
     * PROXY header names, not HAProxy.
     */
    private static Set<PierProcess> servedBy(List<Integer> clientPorts, PierProcess... servers) throws Exception {
        Set<PierProcess> serving = new HashSet<>();
        for (int port : clientPorts) {
            List<CompletableFuture<PierProcess>> logged = new ArrayList<>();
            for (PierProcess server : servers) {
                // On threads of their own: the common pool may have one thread, busy waiting on the other server.
                logged.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        server.awaitStderrLine(line -> line.contains("served 3003 bytes to 127.0.0.1:" + port + " "));
                        return server;
                    } catch (Exception notThisOne) {
                        throw new CompletionException(notThisOne);
                    }
                }, Thread.ofVirtual()::start));
            }
            CompletableFuture<PierProcess> first = new CompletableFuture<>();
            logged.forEach(future -> future.thenAccept(first::complete));
            serving.add(first.get(30, TimeUnit.SECONDS));
        }
        return serving;
    }

    /** HAProxy in front of the two backends, round robin, PROXY v1 to the first and v2 to the second. */
    private int haproxy(int first, int second) throws Exception {
        // HAProxy cannot listen on port 0 and say where: free ports, just freed.
        int front = freePort();
        int ready = freePort();
        Path config = directory.resolve("haproxy.cfg");
        Files.writeString(config, """
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend ready
                    bind 127.0.0.1:%d
                    tcp-request connection reject
                frontend poems
                    bind 127.0.0.1:%d
                    default_backend pier
                backend pier
                    balance roundrobin
                    server first 127.0.0.1:%d send-proxy
                    server second 127.0.0.1:%d send-proxy-v2
                """.formatted(ready, front, first, second));
        Process haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("haproxy.log").toFile()).start();
        running.add(() -> {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        });
        awaitListening(haproxy, ready);
        return front;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /**
     * Until HAProxy accepts on its frontend that refuses every connection (it prints nothing when it is ready, and
     * binds all its frontends before it accepts on any): no client reaches a backend on the way.
     */
    private void awaitListening(Process haproxy, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port));
                return;
            } catch (ConnectException notYet) {
                if (!haproxy.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("HAProxy did not start: "
                            + Files.readString(directory.resolve("haproxy.log")));
                }
                try {
                    haproxy.onExit().get(20, TimeUnit.MILLISECONDS);   // a pause that ends early if it dies
                } catch (TimeoutException stillStarting) {
                    // try again
                }
            }
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (var pem = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry("pier", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void requireHaproxy() {
        boolean found = Files.isExecutable(HAPROXY);
        if (!found) {
            System.err.println("SKIPPED: haproxy is not installed: run scripts/install-test-peers "
                    + "(Debian: apt-get install haproxy)");
        }
        assumeTrue(found, "haproxy is not installed");
    }
}
