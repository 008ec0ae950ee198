package dev.pier.app.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code pier echo} on a socket systemd passes, as {@code systemd-socket-activate} passes it: that program listens,
 * and on the first connection replaces itself with the command, which inherits the socket (LISTEN_FDS, LISTEN_PID).
 * The connection that woke it waits in the socket's queue and is served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdIT {

    private static final String ACTIVATE = "/usr/bin/systemd-socket-activate";
    private static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @BeforeAll
    static void needsSystemdSocketActivate() {
        boolean found = Files.isExecutable(Path.of(ACTIVATE));
        if (!found) {
            System.err.println("SKIPPED SystemdIT: " + ACTIVATE + " is missing (scripts/install-test-peers installs"
                    + " Debian's systemd package)");
        }
        assumeTrue(found, ACTIVATE + " is not installed");
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "threads", "virtual"})
    void servesTheTcpSocketSystemdPassed(String concurrency) throws Exception {
        int port = freePort();
        try (PierProcess server = PierProcess.run(dir, Map.of(), ACTIVATE, "-l", "127.0.0.1:" + port,
                PierProcess.launcher().toString(), "echo", "--concurrency", concurrency,
                "--listen", "systemd:domain=INET:index=0")) {
            try (Socket client = connect(port)) {   // wakes systemd-socket-activate, which starts pier
                assertEquals("hello systemd\n", echo(client, "hello systemd\n"));
            }
            assertEquals("Serving echo on systemd:domain=INET:index=0 (tcp:" + port + ":interface=127.0.0.1)",
                    server.readyLine());
            assertEquals(port, server.port(), "the ready line says where it really listens");
            try (Socket second = connect(port)) {
                assertEquals("again\n", echo(second, "again\n"));
            }
            server.terminate();
            assertEquals(0, server.exitStatus(EXIT), () -> stderrOf(server));
            assertTrue(server.stderr().contains("INFO stopped"),
                    "closing the socket leaves stderr where it was: " + server.stderr());
        }
    }

    /**
     * {@code systemd-socket-activate --datagram}, as a unit's {@code ListenDatagram=}: the first datagram starts pier,
     * waits in the socket meanwhile, and is echoed with the rest. The socket's kind says UDP; the endpoint is the same.
     */
    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "threads", "virtual"})
    void servesTheUdpSocketSystemdPassed(String concurrency) throws Exception {
        int port = freeUdpPort();
        try (PierProcess server = PierProcess.run(dir, Map.of(), ACTIVATE, "--datagram", "-l", "127.0.0.1:" + port,
                PierProcess.launcher().toString(), "echo", "--concurrency", concurrency,
                "--listen", "systemd:domain=INET:index=0");
                DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(20_000);
            // A datagram sent before systemd-socket-activate binds is lost, not refused: wait until it says it listens.
            server.awaitStderrLine(line -> line.startsWith("Listening on 127.0.0.1:" + port));
            assertEquals("hello systemd", exchange(client, port, "hello systemd"));   // starts pier
            assertEquals("Serving echo on systemd:domain=INET:index=0 (udp:" + port + ":interface=127.0.0.1)",
                    server.readyLine());
            for (int i = 0; i < 5; i++) {
                assertEquals("datagram " + i, exchange(client, port, "datagram " + i));
            }
            server.terminate();
            assertEquals(0, server.exitStatus(EXIT), () -> stderrOf(server));
            assertTrue(server.stderr().contains("INFO stopped"), () -> stderrOf(server));
        }
    }

    @Test
    void aUdpSocketForACommandOfStreamsIsRefused() throws Exception {
        int port = freeUdpPort();
        try (PierProcess server = PierProcess.run(dir, Map.of(), ACTIVATE, "--datagram", "-l", "127.0.0.1:" + port,
                PierProcess.launcher().toString(), "poetry", "serve", "--listen", "systemd:domain=INET:index=0");
                DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            server.awaitStderrLine(line -> line.startsWith("Listening on 127.0.0.1:" + port));
            byte[] wake = "wake up".getBytes(UTF_8);
            client.send(new DatagramPacket(wake, wake.length, new InetSocketAddress("127.0.0.1", port)));
            assertEquals(1, server.exitStatus(EXIT), () -> stderrOf(server));
            assertTrue(server.stderr().contains("pier: systemd:domain=INET:index=0: systemd passed a UDP socket, and"
                    + " this command serves streams only: pass a ListenStream= socket"), () -> stderrOf(server));
        }
    }

    @Test
    void servesAUnixSocketSystemdPassedAndLeavesItsFile() throws Exception {
        Path socket = dir.resolve("echo.sock");
        try (PierProcess server = PierProcess.run(dir, Map.of(), ACTIVATE, "-l", socket.toString(),
                PierProcess.launcher().toString(), "echo", "--concurrency", "reactor",
                "--listen", "systemd:domain=UNIX:index=0")) {
            try (SocketChannel client = connectUnix(socket)) {
                client.write(ByteBuffer.wrap("over unix\n".getBytes(UTF_8)));
                ByteBuffer reply = ByteBuffer.allocate("over unix\n".length());
                while (reply.hasRemaining() && client.read(reply) >= 0) {
                    // until the whole line is back
                }
                assertEquals("over unix\n", new String(reply.array(), 0, reply.position(), UTF_8));
            }
            assertEquals("Serving echo on systemd:domain=UNIX:index=0 (unix:" + socket + ")", server.readyLine());
            server.terminate();
            assertEquals(0, server.exitStatus(EXIT), () -> stderrOf(server));
            assertTrue(Files.exists(socket), "the socket file belongs to whoever bound it");
        }
    }

    /**
     * What a .socket unit gives a restart: the socket stays open in systemd while one server process stops and the
     * next starts, so no client is refused. systemd-socket-activate cannot restart its command (it becomes it), so
     * a small supervisor stands in for systemd: Python opens the listening socket as descriptor 3, then bash runs
     * pier twice in turn, each with LISTEN_FDS=1 and LISTEN_PID set to its own pid, as systemd does.
     */
    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "threads"})
    void aRestartRefusesNoClientWhileTheSocketStaysOpen(String concurrency) throws Exception {
        boolean python = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, "python3")));
        if (!python) {
            System.err.println("SKIPPED SystemdIT restart: python3 is not on PATH (scripts/install-test-peers)");
        }
        assumeTrue(python, "python3 is not on PATH");
        int port = freePort();
        String listen = "import os, socket, sys\n"
                + "s = socket.socket()\n"
                + "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
                + "s.listen(128)\n"
                + "os.dup2(s.fileno(), 3)\n"
                + "os.set_inheritable(3, True)\n"
                + "os.execvp('bash', ['bash', '-c', sys.argv[2], 'supervisor'] + sys.argv[3:])\n";
        String twice = "for run in 1 2; do LISTEN_FDS=1 bash -c 'LISTEN_PID=$$ exec \"$@\"' run \"$@\"; done";
        try (PierProcess supervisor = PierProcess.run(dir, Map.of(), "python3", "-c", listen,
                Integer.toString(port), twice, PierProcess.launcher().toString(), "echo",
                "--concurrency", concurrency, "--listen", "systemd:domain=INET:index=0")) {
            try {
                restartOnce(supervisor, port, concurrency);
            } finally {
                // The supervisor does not outlive the test, nor the server it started.
                ProcessHandle.of(supervisor.pid()).ifPresent(handle -> handle.descendants()
                        .forEach(ProcessHandle::destroyForcibly));
            }
        }
    }

    private static void restartOnce(PierProcess supervisor, int port, String concurrency) throws Exception {
        String first = supervisor.readyLine();
        assertEquals("Serving echo on systemd:domain=INET:index=0 (tcp:" + port + ":interface=127.0.0.1)", first);
        try (Socket client = connect(port)) {
            assertEquals("first\n", echo(client, "first\n"));
        }
        ProcessHandle firstServer = ProcessHandle.of(supervisor.pid()).orElseThrow().children()
                .findFirst().orElseThrow();
        CompletableFuture<List<String>> secondReady = CompletableFuture.supplyAsync(() -> {
            try {
                return supervisor.readyLines(3);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, Thread.ofVirtual()::start);
        firstServer.destroy();   // SIGTERM, as systemctl restart sends
        // Clients one after another, from the signal until the second process is up and has served five: through
        // the first one's drain, the time no process runs (they wait in the socket's queue) and the second's start.
        int served = 0;
        int servedBySecond = 0;
        long longestMillis = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (servedBySecond < 5) {
            assertTrue(System.nanoTime() < deadline, "the second process did not come: " + served + " clients");
            boolean secondUp = secondReady.isDone();
            long start = System.nanoTime();
            // Not connect(): a refused connection fails the test instead of being retried.
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(20_000);
                assertEquals("client " + served + "\n", echo(client, "client " + served + "\n"));
            }
            longestMillis = Math.max(longestMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            served++;
            servedBySecond += secondUp ? 1 : 0;
        }
        firstServer.onExit().get(30, TimeUnit.SECONDS);   // it has: the second starts once it exits
        assertEquals(List.of(first, "Stopped", first), secondReady.get(),
                "the first process stopped, the second serves the same socket");
        System.out.printf("systemd restart under a client loop, --concurrency %s: %d clients served, none refused,"
                + " the longest waited %d ms (in the socket's queue while no process served it)%n", concurrency,
                served, longestMillis);
    }

    @Test
    void withoutSystemdItSaysHowToRunIt() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "echo", "--listen", "systemd:domain=INET:index=0")) {
            assertNotEquals(0, server.exitStatus(EXIT));
            assertTrue(server.stderr().contains("systemd:domain=INET:index=0: no socket was passed by systemd"
                    + " (LISTEN_FDS is not set): run under a .socket unit or systemd-socket-activate"),
                    () -> stderrOf(server));
        }
    }

    @Test
    void aSocketOfAnotherDomainIsRefused() throws Exception {
        int port = freePort();
        try (PierProcess server = PierProcess.run(dir, Map.of(), ACTIVATE, "-l", "127.0.0.1:" + port,
                PierProcess.launcher().toString(), "echo", "--listen", "systemd:domain=UNIX:index=0")) {
            try (Socket client = connect(port)) {
                assertNotEquals(0, server.exitStatus(EXIT));
            }
            assertTrue(server.stderr().contains("systemd:domain=UNIX:index=0: descriptor 3 is a TCP socket"),
                    () -> stderrOf(server));
        }
    }

    @Test
    void forkingConcurrencyIsRefused() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "echo", "--concurrency", "forking",
                "--listen", "systemd:domain=INET:index=0")) {
            assertNotEquals(0, server.exitStatus(EXIT));
            assertTrue(server.stderr().contains("--concurrency forking cannot serve systemd:domain=INET:index=0"),
                    () -> stderrOf(server));
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return probe.getLocalPort();
        }
    }

    /** Sends {@code text} to the echo server on {@code port} and returns the datagram that comes back. */
    private static String exchange(DatagramSocket client, int port, String text) throws IOException {
        byte[] bytes = text.getBytes(UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", port)));
        DatagramPacket reply = new DatagramPacket(new byte[1024], 1024);
        client.receive(reply);
        assertEquals(new InetSocketAddress("127.0.0.1", port), reply.getSocketAddress(), "the reply's source");
        return new String(reply.getData(), 0, reply.getLength(), UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return probe.getLocalPort();
        }
    }

    /** Connects once systemd-socket-activate listens: it binds after it starts, so early attempts are refused. */
    private static Socket connect(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                Socket client = new Socket();
                try {
                    client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    client.setSoTimeout(20_000);
                    return client;
                } catch (IOException e) {
                    client.close();
                    throw e;
                }
            } catch (java.net.ConnectException refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Connects once systemd-socket-activate has created the socket file. */
    private static SocketChannel connectUnix(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                client.connect(UnixDomainSocketAddress.of(socket));
                return client;
            } catch (IOException notYet) {
                client.close();
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.onSpinWait();
            }
        }
    }

    private static String echo(Socket client, String line) throws IOException {
        client.getOutputStream().write(line.getBytes(UTF_8));
        return new String(client.getInputStream().readNBytes(line.length()), UTF_8);
    }

    private static String stderrOf(PierProcess server) {
        try {
            return server.stderr();
        } catch (Exception e) {
            return "(stderr unavailable: " + e + ")";
        }
    }
}
