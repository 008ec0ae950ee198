package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pier poetry serve} and {@code get} as a user runs them: ready lines, errors, signals, pid and log files. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoetryServeIT {

    private static final Duration EXIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;


    @Test
    void withoutAPoemServesTheBundledEcstasyAndStopsCleanlyOnSigterm() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0")) {
            assertTrue(server.readyLine().matches("Serving ecstasy\\.txt on tcp:\\d+:interface=127\\.0\\.0\\.1"),
                    server.readyLine());
            assertArrayEquals(Peers.poemBytes("ecstasy.txt"), Peers.fetch(server.port()));

            server.terminate();
            assertEquals(0, server.exitStatus(EXIT));
            assertEquals("Stopped", server.stdout().getLast());
            String served = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ INFO "
                    + "served 3003 bytes to 127\\.0\\.0\\.1:\\d+ in \\d+ ms.*";
            assertTrue(server.stderr().lines().anyMatch(line -> line.matches(served)), server.stderr());
        }
    }

    @Test
    void severalPoemsAreServedOnConsecutivePortsOrOnTheirListenEndpoints() throws Exception {
        int base;
        try (ServerSocket probe = new ServerSocket(0)) {
            base = probe.getLocalPort();
        }
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve",
                "--listen", "tcp:0:interface=127.0.0.1", "--listen", "tcp:" + base + ":interface=127.0.0.1",
                Peers.poem("science.txt").toString(), Peers.poem("fascination.txt").toString())) {
            List<String> ready = server.readyLines(2);
            assertTrue(ready.get(0).startsWith("Serving science.txt on tcp:"), ready.toString());
            assertEquals("Serving fascination.txt on tcp:" + base + ":interface=127.0.0.1", ready.get(1));
            assertArrayEquals(Peers.poemBytes("fascination.txt"), Peers.fetch(base));
        }
    }

    @Test
    void aMissingPoemIsABadArgumentReportedInOneLine() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "x.txt")) {
            assertEquals(2, server.exitStatus(EXIT));
            assertEquals(List.of("pier poetry serve: cannot read poem 'x.txt': no such file",
                    "Try 'pier poetry serve --help'."), server.stderr().lines().toList());
        }
    }

    @Test
    void aBusyPortIsAFailureReportedInOneLine() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port",
                    String.valueOf(busy.getLocalPort()))) {
                assertEquals(1, server.exitStatus(EXIT));
                assertEquals("pier: address already in use: tcp:" + busy.getLocalPort() + ":interface=127.0.0.1",
                        server.stderr().lines().filter(line -> line.startsWith("pier:")).findFirst().orElse(""),
                        () -> stderrOf(server));
                assertFalse(stderrOf(server).contains("\tat "), "no stack trace");
            }
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "threads"})
    void aBusyPortAmongSeveralStopsThoseAlreadyStarted(String concurrency) throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--concurrency", concurrency,
                    "--listen", "tcp:0:interface=127.0.0.1",
                    "--listen", "tcp:" + busy.getLocalPort() + ":interface=127.0.0.1",
                    Peers.poem("science.txt").toString(), Peers.poem("fascination.txt").toString())) {
                assertEquals(1, server.exitStatus(EXIT));
                assertEquals(List.of(), server.stdout(), "no ready line unless every poem is served");
                assertTrue(server.stderr().contains("pier: address already in use: tcp:" + busy.getLocalPort()),
                        () -> stderrOf(server));
            }
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "virtual", "forking"})
    void sigtermLetsPoemsInFlightFinishThenStops(String concurrency) throws Exception {
        Path pidFile = dir.resolve("poetry.pid");
        Path logFile = dir.resolve("poetry.log");
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--delay", "0.05",
                "--num-bytes", "200", "--concurrency", concurrency, "--pid-file", pidFile.toString(),
                "--log-file", logFile.toString())) {
            int port = server.port();
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "the pid file names the server");

            // Five readers mid-poem: 3003 bytes at 200 bytes per 50 ms take about 750 ms.
            List<CompletableFuture<byte[]>> readers = new ArrayList<>();
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                sockets.add(socket);
                InputStream in = socket.getInputStream();
                byte[] first = in.readNBytes(200);
                readers.add(CompletableFuture.supplyAsync(() -> {
                    try (socket) {
                        byte[] rest = in.readAllBytes();
                        byte[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
                        System.arraycopy(rest, 0, all, first.length, rest.length);
                        return all;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            server.terminate();

            for (CompletableFuture<byte[]> reader : readers) {
                assertArrayEquals(Peers.poemBytes("ecstasy.txt"), reader.get(10, TimeUnit.SECONDS));
            }
            assertEquals(0, server.exitStatus(EXIT));
            assertEquals("Stopped", server.stdout().getLast());
            assertFalse(Files.exists(pidFile), "the pid file is removed on exit");
            String log = Files.readString(logFile);
            assertEquals(5, log.lines().filter(line -> line.contains(" INFO served 3003 bytes to ")).count(), log);
            assertTrue(log.lines().anyMatch(line -> line.endsWith(" INFO stopped")), log);
        }
    }

    @Test
    void aPidFileOfARunningProcessIsRefused() throws Exception {
        Path pidFile = dir.resolve("poetry.pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--pid-file",
                pidFile.toString())) {
            assertEquals(1, server.exitStatus(EXIT));
            assertTrue(server.stderr().contains("which is running"), server.stderr());
        }
    }

    @Test
    void aFileThatIsNotAPidFileIsRefusedAndLeftUntouched() throws Exception {
        Path precious = Files.writeString(dir.resolve("precious.conf"), "listen = 10000\n");
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--pid-file",
                precious.toString())) {
            assertEquals(1, server.exitStatus(EXIT));
            assertEquals("pier: '" + precious + "' is not a pid file (it does not hold one process id): left"
                    + " untouched; name another --pid-file", server.stderr().strip());
            assertEquals(List.of(), server.stdout());
        }
        assertEquals("listen = 10000\n", Files.readString(precious));
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"sync", "threads", "virtual", "forking"})
    void everyBlockingConcurrencyServesTheSameBytes(String concurrency) throws Exception {
        try (PierProcess fast = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--concurrency", concurrency,
                Peers.poem("alla_sera.txt").toString())) {
            assertArrayEquals(Peers.poemBytes("alla_sera.txt"), Peers.fetch(fast.port()));
            try (PierProcess slow = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--concurrency",
                    concurrency, "--delay", "0.01", "--num-bytes", "100", Peers.poem("science.txt").toString())) {
                assertArrayEquals(Peers.poemBytes("science.txt"), Peers.fetch(slow.port()));
            }
        }
    }

    @Test
    void getReportsAFailedServerPrintsTheOthersAndExitsWithOne() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0",
                Peers.poem("science.txt").toString());
             PierProcess get = PierProcess.start(dir, "poetry", "get", "127.0.0.1:1", String.valueOf(server.port()))) {
            assertEquals(1, get.exitStatus(EXIT));
            assertEquals(Files.readString(Peers.poem("science.txt")).lines().toList(), get.stdout());
            assertTrue(get.stderr().contains("Task 1: failed to get a poem from 127.0.0.1:1: cannot connect"),
                    get.stderr());
        }
    }

    @Test
    void getGivesUpOnASlowServerAfterTheTimeout() throws Exception {
        // The first 10 bytes come at once, the next ones only after 30 s.
        try (PierProcess slow = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--delay", "30");
             PierProcess get = PierProcess.start(dir, "poetry", "get", "--timeout", "4",
                     String.valueOf(slow.port()))) {
            assertEquals(1, get.exitStatus(EXIT));
            assertTrue(get.stderr().contains("timed out after 4 s with 10 bytes"), get.stderr());
        }
    }

    private static String stderrOf(PierProcess process) {
        try {
            return process.stderr();
        } catch (Exception e) {
            return "(unreadable: " + e + ")";
        }
    }
}
