package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pier's poetry programs against Python Twisted ones written like the tutorial's, in both directions, byte for
 * byte; and against {@code nc}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoetryInteropIT {

    private static final Duration EXIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void pythonClientGetsEveryPoemFromPierFastAndSlowServers() throws Exception {
        Peers.python();
        try (PierProcess fast = PierProcess.start(dir, "poetry", "serve", "--port", "0",
                Peers.poem("science.txt").toString(), Peers.poem("alla_sera.txt").toString());
             PierProcess slow = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--delay", "0.02",
                     "--num-bytes", "50", Peers.poem("ecstasy.txt").toString())) {
            List<String> ready = fast.readyLines(2);
            int science = port(ready.get(0));
            int allaSera = port(ready.get(1));
            assertTrue(ready.get(0).startsWith("Serving science.txt on tcp:"), ready.get(0));
            assertTrue(ready.get(1).startsWith("Serving alla_sera.txt on tcp:"), ready.get(1));

            Peers.Result result = Peers.runPython("get_poetry.py", "127.0.0.1:" + science, String.valueOf(slow.port()),
                    "127.0.0.1:" + allaSera);

            assertEquals(0, result.status(), result.stderr());
            List<byte[]> poems = Peers.splitPythonOutput(result.stdout());
            assertArrayEquals(Peers.poemBytes("science.txt"), poems.get(0));
            assertArrayEquals(Peers.poemBytes("ecstasy.txt"), poems.get(1));
            assertArrayEquals(Peers.poemBytes("alla_sera.txt"), poems.get(2));
        }
    }

    @Test
    void pierClientGetsEveryPoemFromPythonFastAndSlowServers() throws Exception {
        try (Peers.Server fast = Peers.pythonServer("poetry_server.py", Peers.poem("alla_sera.txt").toString());
             Peers.Server slow = Peers.pythonServer("poetry_server.py", "--slow", "--delay", "0.02", "--num-bytes",
                     "64", Peers.poem("ecstasy.txt").toString());
             PierProcess get = PierProcess.start(dir, "poetry", "get", "--output", dir.toString(),
                     "127.0.0.1:" + slow.port(), "tcp:host=127.0.0.1:port=" + fast.port())) {
            assertEquals(0, get.exitStatus(EXIT), get.stderr());
            assertArrayEquals(Peers.poemBytes("ecstasy.txt"), Files.readAllBytes(dir.resolve("1.txt")));
            assertArrayEquals(Peers.poemBytes("alla_sera.txt"), Files.readAllBytes(dir.resolve("2.txt")));
            assertTrue(get.stderr().lines().anyMatch(line -> line.matches(
                    "Task 1: got \\d+ bytes of poetry from 127\\.0\\.0\\.1:" + slow.port())), get.stderr());
        }
    }

    @Test
    void pierClientPrintsThePoemsInArgumentOrderOnStdout() throws Exception {
        try (Peers.Server science = Peers.pythonServer("poetry_server.py", Peers.poem("science.txt").toString());
             Peers.Server slowFascination = Peers.pythonServer("poetry_server.py", "--slow", "--delay", "0.01",
                     "--num-bytes", "100", Peers.poem("fascination.txt").toString());
             PierProcess get = PierProcess.start(dir, "poetry", "get", String.valueOf(slowFascination.port()),
                     String.valueOf(science.port()))) {
            assertEquals(0, get.exitStatus(EXIT), get.stderr());
            String expected = Files.readString(Peers.poem("fascination.txt"))
                    + Files.readString(Peers.poem("science.txt"));
            assertEquals(expected.lines().toList(), get.stdout());
        }
    }

    @Test
    void pierTransformServerServesThePythonTransformingClient() throws Exception {
        try (PierProcess poems = PierProcess.start(dir, "poetry", "serve", "--port", "0",
                Peers.poem("science.txt").toString());
             PierProcess transform = PierProcess.start(dir, "poetry", "transform", "--port", "0")) {
            Peers.python();
            assertTrue(transform.readyLine().startsWith("Serving transform on tcp:"), transform.readyLine());

            Peers.Result result = Peers.runPython("get_poetry.py", "--transform", "127.0.0.1:" + transform.port(),
                    "127.0.0.1:" + poems.port());

            assertEquals(0, result.status(), result.stderr());
            byte[] lowered = Files.readString(Peers.poem("science.txt")).toLowerCase(Locale.ROOT)
                    .getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(lowered, Peers.splitPythonOutput(result.stdout()).getFirst());
        }
    }

    @Test
    void pierTransformingClientUsesThePythonTransformServer() throws Exception {
        try (Peers.Server poem = Peers.pythonServer("poetry_server.py", Peers.poem("alla_sera.txt").toString());
             Peers.Server transform = Peers.pythonServer("transform_server.py");
             PierProcess get = PierProcess.start(dir, "poetry", "get", "--output", dir.toString(),
                     "--transform", "127.0.0.1:" + transform.port(), "127.0.0.1:" + poem.port())) {
            assertEquals(0, get.exitStatus(EXIT), get.stderr());
            byte[] lowered = Files.readString(Peers.poem("alla_sera.txt")).toLowerCase(Locale.ROOT)
                    .getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(lowered, Files.readAllBytes(dir.resolve("1.txt")));
        }
    }

    @Test
    void aFailedTransformKeepsTheOriginalPoem() throws Exception {
        try (Peers.Server poem = Peers.pythonServer("poetry_server.py", Peers.poem("science.txt").toString());
             PierProcess get = PierProcess.start(dir, "poetry", "get", "--output", dir.toString(),
                     "--transform", "127.0.0.1:1", "127.0.0.1:" + poem.port())) {
            assertEquals(0, get.exitStatus(EXIT), get.stderr());
            assertArrayEquals(Peers.poemBytes("science.txt"), Files.readAllBytes(dir.resolve("1.txt")));
            assertTrue(get.stderr().contains("Task 1: transform failed, keeping the original poem: cannot connect"),
                    get.stderr());
        }
    }

    @Test
    void proxyBetweenPierClientsAndAPythonServer() throws Exception {
        try (Peers.Server upstream = Peers.pythonServer("poetry_server.py", Peers.poem("fascination.txt").toString());
             PierProcess proxy = PierProcess.start(dir, "poetry", "proxy", "--port", "0",
                     "127.0.0.1:" + upstream.port())) {
            assertTrue(proxy.readyLine().startsWith("Serving proxy on tcp:"), proxy.readyLine());
            String at = "127.0.0.1:" + proxy.port();
            try (PierProcess get = PierProcess.start(dir, "poetry", "get", "--output", dir.toString(), at, at)) {
                assertEquals(0, get.exitStatus(EXIT), get.stderr());
            }
            assertArrayEquals(Peers.poemBytes("fascination.txt"), Files.readAllBytes(dir.resolve("1.txt")));
            assertArrayEquals(Peers.poemBytes("fascination.txt"), Files.readAllBytes(dir.resolve("2.txt")));
            proxy.terminate();
            assertEquals(0, proxy.exitStatus(EXIT));
            String log = proxy.stderr();
            assertEquals(1, log.lines().filter(line -> line.contains("fetching the poem from upstream")).count(), log);
        }
    }

    @Test
    void aOneMebibytePoemCrossesIntactBothWays() throws Exception {
        byte[] big = new byte[1 << 20];
        new java.util.Random(7).nextBytes(big);
        Path file = dir.resolve("big.txt");
        Files.write(file, big);
        try (PierProcess pier = PierProcess.start(dir, "poetry", "serve", "--port", "0", file.toString());
             Peers.Server python = Peers.pythonServer("poetry_server.py", file.toString())) {
            Peers.Result fromPier = Peers.runPython("get_poetry.py", "127.0.0.1:" + pier.port());
            assertEquals(0, fromPier.status(), fromPier.stderr());
            assertArrayEquals(big, Peers.splitPythonOutput(fromPier.stdout()).getFirst());

            Path out = Files.createDirectory(dir.resolve("out"));
            try (PierProcess get = PierProcess.start(dir, "poetry", "get", "--output", out.toString(),
                    "127.0.0.1:" + python.port())) {
                assertEquals(0, get.exitStatus(EXIT), get.stderr());
            }
            assertArrayEquals(big, Files.readAllBytes(out.resolve("1.txt")));
        }
    }

    @Test
    void ncPrintsThePoem() throws Exception {
        Peers.requireNc();
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0")) {
            Peers.Result nc = Peers.run(List.of("nc", "127.0.0.1", String.valueOf(server.port())));
            assertEquals(0, nc.status(), nc.stderr());
            assertArrayEquals(Peers.poemBytes("ecstasy.txt"), nc.stdout());
        }
    }

    private static int port(String readyLine) {
        java.util.regex.Matcher port = java.util.regex.Pattern.compile(":(\\d+):interface=").matcher(readyLine);
        assertTrue(port.find(), readyLine);
        return Integer.parseInt(port.group(1));
    }
}
