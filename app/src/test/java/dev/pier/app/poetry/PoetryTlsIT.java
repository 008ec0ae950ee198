package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS through the front door: {@code pier tls self-signed}, {@code ssl:} servers and {@code tls:} clients, against
 * peers nobody here wrote (OpenSSL's s_client, Python's ssl module, Twisted's TLS endpoints).
 */
@Timeout(90)
class PoetryTlsIT {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private Path key;
    private Path cert;
    private PierProcess server;

    @BeforeEach
    void makeACertificate() throws Exception {
        PierProcess made = PierProcess.start(directory, "tls", "self-signed", "--out", "tls");
        assertEquals(0, made.exitStatus(EXIT_TIMEOUT), made.stderr());
        key = directory.resolve("tls/key.pem");
        cert = directory.resolve("tls/cert.pem");
        assertEquals(List.of("Wrote tls/key.pem and tls/cert.pem for localhost, 127.0.0.1, ::1"), made.stdout());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }

    @AfterEach
    void stopTheServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    private String ssl() {
        return "ssl:0:interface=127.0.0.1:privateKey=" + key + ":certKey=" + cert;
    }

    private int serve(String... command) throws Exception {
        server = PierProcess.start(directory, command);
        String ready = server.readyLine();
        assertTrue(ready.matches("Serving .* on ssl:\\d+:interface=127\\.0\\.0\\.1:privateKey=.*"), ready);
        return server.port();
    }

    @ParameterizedTest(name = "served with {0}")
    @ValueSource(strings = {"reactor", "threads", "virtual", "sync", "forking"})
    void aPoemGoesByteExactFromPierToPierOverTls(String concurrency) throws Exception {
        int port = serve("poetry", "serve", "--concurrency", concurrency, "--listen", ssl(),
                Peers.poem("ecstasy.txt").toString());
        Peers.Result get = pier("poetry", "get", "tls:host=localhost:port=" + port + ":trustRoots=" + cert);
        assertEquals(0, get.status(), get.stderr());
        assertArrayEquals(Peers.poemBytes("ecstasy.txt"), get.stdout());
    }

    @ParameterizedTest(name = "served with {0}")
    @ValueSource(strings = {"reactor", "threads"})
    void opensslReadsThePoemAndItsCloseNotify(String concurrency) throws Exception {
        requireOpenssl();
        int port = serve("poetry", "serve", "--concurrency", concurrency, "--listen", ssl(),
                Peers.poem("ecstasy.txt").toString());
        Peers.Result result = Peers.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-quiet",
                "-verify_return_error", "-CAfile", cert.toString(), "-servername", "localhost"));
        assertEquals(0, result.status(), result.stderr());
        assertArrayEquals(Peers.poemBytes("ecstasy.txt"), result.stdout());
    }

    @ParameterizedTest(name = "echo with {0}")
    @ValueSource(strings = {"reactor", "threads", "virtual", "sync", "forking"})
    void pythonsSslModuleIsEchoed(String concurrency) throws Exception {
        int port = serve("echo", "--concurrency", concurrency, "--listen", ssl());
        Peers.Result result = Peers.run(List.of("python3", "-c", """
                import socket, ssl, sys
                context = ssl.create_default_context(cafile=sys.argv[2])
                with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
                    with context.wrap_socket(raw, server_hostname="localhost") as tls:
                        tls.sendall(b"hello over tls\\n")
                        reply = b""
                        while not reply.endswith(b"\\n"):
                            reply += tls.recv(100)
                        print(tls.version(), reply.decode(), end="")
                """, String.valueOf(port), cert.toString()));
        assertEquals(0, result.status(), result.stderr());
        assertTrue(result.stdoutText().matches("TLSv1\\.3 hello over tls\n"), result.stdoutText());
    }

    @Test
    void twistedFetchesFromPierAndPierFetchesFromTwisted() throws Exception {
        Peers.python();
        int port = serve("poetry", "serve", "--listen", ssl(), Peers.poem("ecstasy.txt").toString());
        Path roots = Files.createDirectory(directory.resolve("roots"));
        Files.copy(cert, roots.resolve("cert.pem"));
        Peers.Result twistedGot = Peers.runPython("tls_poetry.py", "get", String.valueOf(port), roots.toString());
        assertEquals(0, twistedGot.status(), twistedGot.stderr());
        assertArrayEquals(Peers.poemBytes("ecstasy.txt"), twistedGot.stdout());

        try (Peers.Server twisted = Peers.pythonServer("tls_poetry.py", "serve",
                Peers.poem("science.txt").toString(), key.toString(), cert.toString())) {
            Peers.Result get = pier("poetry", "get", "tls:host=localhost:port=" + twisted.port() + ":trustRoots="
                    + cert);
            assertEquals(0, get.status(), get.stderr());
            assertArrayEquals(Peers.poemBytes("science.txt"), get.stdout());
        }
    }

    @Test
    void theProxyAndTheTransformServerSpeakTlsOnBothSides() throws Exception {
        int poetry = serve("poetry", "serve", "--listen", ssl(), Peers.poem("ecstasy.txt").toString());
        try (PierProcess proxy = PierProcess.start(directory, "poetry", "proxy", "--listen", ssl(),
                "tls:host=localhost:port=" + poetry + ":trustRoots=" + cert);
             PierProcess transform = PierProcess.start(directory, "poetry", "transform", "--listen", ssl())) {
            Peers.Result plain = pier("poetry", "get", "tls:host=localhost:port=" + proxy.port() + ":trustRoots="
                    + cert);
            assertEquals(0, plain.status(), plain.stderr());
            assertArrayEquals(Peers.poemBytes("ecstasy.txt"), plain.stdout());
            Peers.Result cummingsified = pier("poetry", "get", "--transform", "tls:host=localhost:port="
                    + transform.port() + ":trustRoots=" + cert, "tls:host=localhost:port=" + proxy.port()
                    + ":trustRoots=" + cert);
            assertEquals(0, cummingsified.status(), cummingsified.stderr());
            assertEquals(Files.readString(Peers.poem("ecstasy.txt")).toLowerCase(Locale.ROOT),
                    cummingsified.stdoutText());
        }
    }

    @Test
    void aClientThatDoesNotTrustTheServerSaysSoInOneLineAndExits1() throws Exception {
        int port = serve("poetry", "serve", "--listen", ssl(), Peers.poem("ecstasy.txt").toString());
        PierProcess get = PierProcess.start(directory, "poetry", "get", "tls:host=localhost:port=" + port);
        assertEquals(1, get.exitStatus(EXIT_TIMEOUT));
        String stderr = get.stderr();
        assertTrue(stderr.contains("certificate is not trusted"), stderr);
        assertFalse(stderr.contains("Exception") || stderr.contains("\tat "), stderr);
        assertEquals(List.of(), get.stdout());
    }

    @Test
    void selfSignedNeverOverwritesAKey() throws Exception {
        String before = Files.readString(key);
        PierProcess again = PierProcess.start(directory, "tls", "self-signed", "--out", "tls");
        assertEquals(1, again.exitStatus(EXIT_TIMEOUT));
        assertEquals(List.of("pier: 'tls/key.pem' exists already: remove it or choose another --out"),
                again.stderr().lines().toList());
        assertEquals(before, Files.readString(key));
    }

    @Test
    void aKeyFileThatCannotBeReadIsAUsageErrorNamingIt() throws Exception {
        PierProcess bad = PierProcess.start(directory, "echo", "--listen",
                "ssl:0:interface=127.0.0.1:privateKey=missing.pem");
        assertEquals(2, bad.exitStatus(EXIT_TIMEOUT));
        String firstLine = bad.stderr().lines().findFirst().orElse("");
        assertTrue(firstLine.startsWith("pier echo: --listen 'ssl:0:interface=127.0.0.1:privateKey=missing.pem': "),
                bad.stderr());
        assertTrue(firstLine.contains("missing.pem"), firstLine);

        PierProcess keyAlone = PierProcess.start(directory, "echo", "--listen",
                "ssl:0:interface=127.0.0.1:privateKey=" + key);
        assertEquals(2, keyAlone.exitStatus(EXIT_TIMEOUT));
        String keyAloneSays = keyAlone.stderr().lines().findFirst().orElse("");
        assertTrue(keyAloneSays.endsWith("give the certificate with certKey=CERT.pem"), keyAloneSays);

        PierProcess noRoots = PierProcess.start(directory, "poetry", "get",
                "tls:host=localhost:port=1:trustRoots=no.pem");
        assertEquals(2, noRoots.exitStatus(EXIT_TIMEOUT));
        assertTrue(noRoots.stderr().contains("no.pem"), noRoots.stderr());
    }

    @ParameterizedTest(name = "served with {0}")
    @ValueSource(strings = {"reactor", "threads"})
    void aPlaintextClientOnATlsPortIsClosedAtOnce(String concurrency) throws Exception {
        int port = serve("echo", "--concurrency", concurrency, "--listen", ssl());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            // Well under the 10 s handshake timeout: a plaintext request is refused when it arrives.
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] reply = in.readAllBytes();
            assertTrue(reply.length < 64, "an alert at most, then the end: " + reply.length + " bytes");
        }
        String logged = server.awaitStderrLine(line -> line.contains(" WARN ") && line.contains("TLS handshake"));
        assertTrue(logged.contains("127.0.0.1"), logged);
    }

    /** A client command run to its end through the launcher, its output kept byte for byte. */
    private static Peers.Result pier(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(PierProcess.launcher().toString()));
        command.addAll(List.of(args));
        return Peers.run(command);
    }

    private static void requireOpenssl() throws IOException, InterruptedException {
        boolean found;
        try {
            found = new ProcessBuilder("openssl", "version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException notInstalled) {
            found = false;
        }
        if (!found) {
            System.err.println("SKIPPED: openssl is not installed: run scripts/install-test-peers "
                    + "(Debian: apt-get install openssl)");
        }
        assumeTrue(found, "openssl is not installed");
    }
}
