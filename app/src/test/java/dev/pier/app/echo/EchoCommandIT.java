package dev.pier.app.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pier echo} run as a process, the way a user runs it. */
@Timeout(60)
class EchoCommandIT {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path directory;

    private PierProcess pier;

    @AfterEach
    void killTheServer() throws InterruptedException {
        if (pier != null) {
            pier.close();
        }
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({
        "tcp, sync", "tcp, threads", "tcp, virtual", "tcp, reactor",
        "udp, sync", "udp, threads", "udp, virtual", "udp, reactor",
        "unix, sync", "unix, threads", "unix, virtual", "unix, reactor",
        "unixgram, sync", "unixgram, threads", "unixgram, virtual", "unixgram, reactor"})
    void printsWhereItServesEchoesAndStopsCleanlyOnSigterm(String transport, String concurrency) throws Exception {
        boolean unix = transport.startsWith("unix");
        pier = PierProcess.start(directory, "echo", "--transport", transport, "--concurrency", concurrency,
                unix ? "--path" : "--port", unix ? "pier-echo.sock" : "0");

        String ready = pier.readyLine();
        if (unix) {
            assertEquals("Serving echo on " + transport + ":pier-echo.sock", ready);
            assertTrue(Files.exists(directory.resolve("pier-echo.sock")), "socket file created");
        } else {
            assertTrue(ready.matches("Serving echo on " + transport + ":\\d+:interface=127\\.0\\.0\\.1"), ready);
        }
        assertEquals("hello world\n", roundTrip(transport, "hello world\n"));

        pier.terminate();
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals(List.of(ready, "Stopped"), pier.stdout());
        // Its log says it served and stopped; nothing went wrong. The server may not have seen the client leave yet
        // when the signal comes: then it says it drains.
        assertTrue(pier.stderr().lines().noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR ")
                || line.startsWith("pier:")), pier.stderr());
        assertFalse(Files.exists(directory.resolve("pier-echo.sock")), "socket file removed");
    }

    /**
     * A forking server's children are JVMs that re-run the same pier command line: they must handle their request
     * without printing a ready line or a stop line of their own.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "unixgram"})
    void forksAChildPerRequestThatPrintsNothingOfItsOwn(String transport) throws Exception {
        pier = PierProcess.start(directory, "echo", "--transport", transport, "--concurrency", "forking",
                transport.equals("tcp") ? "--port" : "--path", transport.equals("tcp") ? "0" : "pier-echo.sock");
        String ready = pier.readyLine();
        assertEquals("one\n", roundTrip(transport, "one\n"));
        assertEquals("two\n", roundTrip(transport, "two\n"));

        pier.terminate();
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals(List.of(ready, "Stopped"), pier.stdout());
        assertFalse(Files.exists(directory.resolve("pier-echo.sock")), "socket file removed");
    }

    /** A child that serves several requests in turn, then exits, and the next child takes the next ones. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "unixgram"})
    void forkedChildrenServeSeveralRequestsEachWhenAsked(String transport) throws Exception {
        pier = PierProcess.start(directory, "echo", "--transport", transport, "--concurrency", "forking",
                "--requests-per-child", "2",
                transport.equals("tcp") ? "--port" : "--path", transport.equals("tcp") ? "0" : "pier-echo.sock");
        String ready = pier.readyLine();
        for (String word : List.of("one\n", "two\n", "three\n", "four\n", "five\n")) {
            assertEquals(word, roundTrip(transport, word));
        }

        pier.terminate();
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals(List.of(ready, "Stopped"), pier.stdout());
    }

    @ParameterizedTest(name = "with {0}")
    @ValueSource(strings = {"virtual", "reactor"})
    void echoesMegabytesIntactWhileTheClientSendsAndReadsAtOnce(String concurrency) throws Exception {
        pier = PierProcess.start(directory, "echo", "--port", "0", "--concurrency", concurrency);
        byte[] data = new byte[16 << 20];
        new Random(7).nextBytes(data);
        try (SocketChannel client = EchoClients.connect(pier.port())) {
            var sending = CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer buffer = ByteBuffer.wrap(data);
                    while (buffer.hasRemaining()) {
                        client.write(buffer);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            ByteBuffer echoed = ByteBuffer.allocate(data.length);
            while (echoed.hasRemaining() && client.read(echoed) >= 0) {
                // read until every byte came back
            }
            sending.get(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(data.length, echoed.position());
            assertArrayEquals(data, echoed.array(), "the echo differs from what was sent");
        }
    }

    /** Ctrl-C reaches the server and its children: the children leave it to the server to decide how to stop. */
    @Test
    void ctrlCLetsAForkedChildFinishItsRequest() throws Exception {
        pier = PierProcess.startInOwnGroup(directory, "echo", "--port", "0", "--concurrency", "forking");
        try (SocketChannel client = EchoClients.connect(pier.port())) {
            assertEquals("before\n", EchoClients.roundTrip(client, "before\n"));
            pier.interruptGroup();
            assertTrue(pier.stillRunningAfter(Duration.ofMillis(500)), "waits for the busy child");
            assertEquals("after\n", EchoClients.roundTrip(client, "after\n"));
        }
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        List<String> stdout = pier.stdout();
        assertEquals(List.of("Stopped"), stdout.subList(1, stdout.size()), "only the server prints");
    }

    private String roundTrip(String transport, String message) throws Exception {
        Path socketFile = directory.resolve("pier-echo.sock");
        return switch (transport) {
            case "tcp" -> {
                try (SocketChannel client = EchoClients.connect(pier.port())) {
                    yield EchoClients.roundTrip(client, message);
                }
            }
            case "unix" -> {
                try (SocketChannel client = EchoClients.connect(socketFile)) {
                    yield EchoClients.roundTrip(client, message);
                }
            }
            case "udp" -> EchoClients.udpRoundTrip(pier.port(), message);
            default -> {
                Path client = directory.resolve("client.sock");
                try {
                    yield EchoClients.unixDatagramRoundTrip(socketFile, client, message);
                } finally {
                    Files.deleteIfExists(client);
                }
            }
        };
    }

    @ParameterizedTest(name = "with {0}")
    @ValueSource(strings = {"sync", "threads", "virtual", "reactor"})
    void aRequestInProgressFinishesAfterSigterm(String concurrency) throws Exception {
        pier = PierProcess.start(directory, "echo", "--port", "0", "--concurrency", concurrency);
        try (SocketChannel client = EchoClients.connect(pier.port())) {
            assertEquals("before\n", EchoClients.roundTrip(client, "before\n"));

            pier.terminate();
            assertTrue(pier.stillRunningAfter(Duration.ofMillis(500)), "waits for the open connection");
            assertEquals("after\n", EchoClients.roundTrip(client, "after\n"));
        }
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals("Stopped", pier.stdout().getLast());
    }

    @Test
    void aRequestThatDoesNotFinishIsCutOffAfterTheGracePeriod() throws Exception {
        pier = PierProcess.start(directory, "echo", "--port", "0", "--concurrency", "virtual", "--grace", "2");
        try (SocketChannel client = EchoClients.connect(pier.port())) {
            assertEquals("hello\n", EchoClients.roundTrip(client, "hello\n"));
            long start = System.nanoTime();
            pier.terminate();
            assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofMillis(1500)) > 0, "waited for the grace period, only " + took);
            assertEquals("Stopped", pier.stdout().getLast());
        }
    }

    @Test
    void sigintStopsItCleanlyToo() throws Exception {
        pier = PierProcess.start(directory, "echo", "--transport", "unix", "--concurrency", "reactor");
        pier.readyLine();
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(pier.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals("Stopped", pier.stdout().getLast());
        assertFalse(Files.exists(directory.resolve("pier-echo.sock")), "socket file removed");
    }

    @Test
    void replacesTheSocketFileOfAServerThatWasKilled() throws Exception {
        Path path = directory.resolve("pier-echo.sock");
        try (ServerSocketChannel killed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            killed.bind(UnixDomainSocketAddress.of(path));
        }
        pier = PierProcess.start(directory, "echo", "--transport", "unix");
        assertEquals("Serving echo on unix:pier-echo.sock", pier.readyLine());
        try (SocketChannel client = EchoClients.connect(path)) {
            assertEquals("fresh\n", EchoClients.roundTrip(client, "fresh\n"));
        }
    }

    @Test
    void aBadOptionExitsWithStatus2AndOneLineThenWhereTheHelpIs() throws Exception {
        pier = PierProcess.start(directory, "echo", "--transport", "sctp");
        assertEquals(2, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals(List.of("pier echo: Invalid value for option '--transport': expected one of tcp, udp, unix,"
                + " unixgram, not 'sctp'", "Try 'pier echo --help'."), pier.stderr().lines().toList());
        assertEquals(List.of(), pier.stdout());
    }

    @Test
    void aPortOutOfRangeExitsWithStatus2() throws Exception {
        pier = PierProcess.start(directory, "echo", "--port", "65536");
        assertEquals(2, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals("pier echo: --port must be between 0 and 65535, not 65536",
                pier.stderr().lines().findFirst().orElseThrow());
    }

    @Test
    void anUnknownInterfaceExitsWithStatus2() throws Exception {
        pier = PierProcess.start(directory, "echo", "--iface", "no-such-host.invalid");
        assertEquals(2, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals("pier echo: --iface: unknown host 'no-such-host.invalid'",
                pier.stderr().lines().findFirst().orElseThrow());
    }

    @ParameterizedTest(name = "--transport {0}")
    @ValueSource(strings = {"unix", "unixgram"})
    void aSocketPathTooLongForTheKernelExitsWithStatus2(String transport) throws Exception {
        String path = "s".repeat(108);
        pier = PierProcess.start(directory, "echo", "--transport", transport, "--path", path);
        assertEquals(2, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals("pier echo: --path: socket path '" + path + "' is 108 bytes long; Unix sockets take at most 107:"
                + " use a shorter path, or a relative one", pier.stderr().lines().findFirst().orElseThrow());
    }

    @ParameterizedTest(name = "with {0}")
    @ValueSource(strings = {"virtual", "reactor"})
    void aBusyTcpPortExitsWithStatus1AndOneLine(String concurrency) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            pier = PierProcess.start(directory, "echo", "--port", String.valueOf(port), "--concurrency", concurrency);
            assertEquals(1, pier.exitStatus(EXIT_TIMEOUT));
            assertEquals("pier: address already in use: tcp:" + port + ":interface=127.0.0.1", pier.stderr());
            assertEquals(List.of(), pier.stdout());
        }
    }

    /**
     * The reactor's loops share their port through SO_REUSEPORT, which would let a second server of the same user
     * bind it too and quietly take part of the clients: it must fail as on any other busy port.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "udp"})
    void aPortAnotherPierServesOnEveryLoopIsBusyForASecondOne(String transport) throws Exception {
        pier = PierProcess.start(directory, "echo", "--transport", transport, "--port", "0",
                "--concurrency", "reactor");
        int port = pier.port();
        try (PierProcess second = PierProcess.start(directory, "echo", "--transport", transport, "--port",
                String.valueOf(port), "--concurrency", "reactor")) {
            assertEquals(1, second.exitStatus(EXIT_TIMEOUT));
            assertEquals("pier: address already in use: " + transport + ":" + port + ":interface=127.0.0.1",
                    second.stderr());
        }
    }

    @Test
    void aBusyUdpPortExitsWithStatus1AndOneLine() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = taken.getLocalPort();
            pier = PierProcess.start(directory, "echo", "--transport", "udp", "--port", String.valueOf(port));
            assertEquals(1, pier.exitStatus(EXIT_TIMEOUT));
            assertEquals("pier: address already in use: udp:" + port + ":interface=127.0.0.1", pier.stderr());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "unixgram"})
    void aSocketFileInUseExitsWithStatus1AndIsLeftAlone(String transport) throws Exception {
        Path path = directory.resolve("busy.sock");
        pier = PierProcess.start(directory, "echo", "--transport", transport, "--path", "busy.sock");
        pier.readyLine();
        try (PierProcess second = PierProcess.start(directory, "echo", "--transport", transport, "--path",
                "busy.sock")) {
            assertEquals(1, second.exitStatus(EXIT_TIMEOUT));
            assertEquals("pier: address already in use: " + transport + ":busy.sock", second.stderr());
        }
        if (transport.equals("unix")) {
            try (SocketChannel client = EchoClients.connect(path)) {
                assertEquals("still served\n", EchoClients.roundTrip(client, "still served\n"));
            }
        } else {
            assertEquals("still served\n",
                    EchoClients.unixDatagramRoundTrip(path, directory.resolve("client.sock"), "still served\n"));
        }
    }
}
