package dev.pier.app.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pier run FILE}: several services from one file, in one process or one process each. */
@Timeout(120)
class RunCommandIT {

    private static final Pattern READY = Pattern.compile("Serving (\\S+) on (\\S+)");
    private static final Pattern PORT = Pattern.compile("tcp:(\\d+):");
    private static final Pattern STARTED = Pattern.compile("started the (\\S+) service \\(pid (\\d+)\\)");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    /** A poetry server on a socket file, a caching proxy in front of it, and echo: the tutorial's services. */
    private Path services(String slowPoem) throws IOException {
        return Files.writeString(directory.resolve("services.txt"), """
                # the poetry service, its proxy, and echo
                poetry: poetry serve --listen unix:poem.sock ecstasy.txt

                proxy: poetry proxy --listen 'tcp:0:interface=127.0.0.1' unix:poem.sock
                echo:  echo --port 0 --concurrency threads
                """ + slowPoem);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"one process", "--split"})
    void theSameFileServesTheSameBytesInOneProcessOrSplit(String mode) throws Exception {
        Path file = services("");
        String[] command = mode.equals("--split") ? new String[] {"run", file.toString(), "--split"}
                : new String[] {"run", file.toString()};
        try (PierProcess pier = PierProcess.start(directory, command)) {
            Map<String, String> ready = readyLines(pier, 3);

            assertEquals(Set.of("ecstasy.txt", "proxy", "echo"), ready.keySet());
            assertEquals("unix:poem.sock", ready.get("ecstasy.txt"));
            byte[] poem = resource("ecstasy.txt");
            assertArrayEquals(poem, fetch(directory.resolve("poem.sock")));
            assertArrayEquals(poem, fetch(port(ready.get("proxy"))));
            assertEquals("hello\n", echo(port(ready.get("echo")), "hello\n"));

            pier.terminate();
            assertEquals(0, pier.exitStatus(STOP_TIMEOUT));
            List<String> out = pier.stdout();
            assertEquals("Stopped", out.getLast());
            assertEquals(1, out.stream().filter("Stopped"::equals).count(), out::toString);
            assertFalse(Files.exists(directory.resolve("poem.sock")), "the socket file is removed");
        }
    }

    @Test
    void underSplitAKilledServiceComesBackAndSigtermToTheWholeGroupDrainsEveryService() throws Exception {
        Path file = services("slow: poetry serve --port 0 --num-bytes 300 --delay 0.3 science.txt\n");
        try (PierProcess pier = PierProcess.startInOwnGroup(directory, "run", file.toString(), "--split",
                "--grace", "20")) {
            Map<String, String> ready = readyLines(pier, 4);
            Map<String, Long> pids = new HashMap<>();
            for (String name : List.of("poetry", "proxy", "echo", "slow")) {
                Matcher started = STARTED.matcher(pier.awaitStderrLine(
                        line -> line.contains("started the " + name + " service")));
                assertTrue(started.find());
                pids.put(name, Long.parseLong(started.group(2)));
            }
            ProcessHandle echo = ProcessHandle.of(pids.get("echo")).orElseThrow();

            echo.destroyForcibly();
            echo.onExit().join();

            pier.awaitStderrLine(line -> line.contains("the echo service (pid " + echo.pid() + ") exited"));
            String again = pier.readyLines(5).getLast();
            assertTrue(again.startsWith("Serving echo on tcp:"), again);
            assertEquals("back\n", echo(port(again), "back\n"));

            try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), port(ready.get("science.txt")))) {
                InputStream in = slow.getInputStream();
                byte[] first = in.readNBytes(1);
                pier.terminateGroup();   // as systemd stops a unit: every process of it gets SIGTERM
                byte[] rest = in.readAllBytes();
                byte[] poem = new byte[first.length + rest.length];
                System.arraycopy(first, 0, poem, 0, first.length);
                System.arraycopy(rest, 0, poem, first.length, rest.length);
                assertArrayEquals(resource("science.txt"), poem, "the poem in flight is whole");
            }
            assertEquals(0, pier.exitStatus(STOP_TIMEOUT));
            assertEquals("Stopped", pier.stdout().getLast());
            Matcher restarted = STARTED.matcher(pier.awaitStderrLine(
                    line -> line.contains("started the echo service") && !line.contains("pid " + echo.pid() + ")")));
            assertTrue(restarted.find());
            pids.put("echo", Long.parseLong(restarted.group(2)));
            for (long pid : pids.values()) {
                ProcessHandle.of(pid).ifPresent(child -> assertFalse(child.isAlive(), "service " + pid + " stopped"));
            }
        }
    }

    @Test
    void underSplitTheServicesStopWhenTheSupervisorIsKilled() throws Exception {
        Path file = Files.writeString(directory.resolve("services.txt"), "echo: echo --port 0\n");
        try (PierProcess pier = PierProcess.start(directory, "run", file.toString(), "--split")) {
            pier.readyLine();
            Matcher started = STARTED.matcher(pier.awaitStderrLine(line -> line.contains("started the echo")));
            assertTrue(started.find());
            ProcessHandle echo = ProcessHandle.of(Long.parseLong(started.group(2))).orElseThrow();

            ProcessHandle.of(pier.pid()).orElseThrow().destroyForcibly();

            echo.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void aForkingServiceInOneProcessWithOthersHandsOverItsRequestsAlone() throws Exception {
        Path file = Files.writeString(directory.resolve("services.txt"), """
                poetry: poetry serve --listen unix:poem.sock
                echo: echo --port 0 --concurrency forking
                """);
        try (PierProcess pier = PierProcess.start(directory, "run", file.toString())) {
            Map<String, String> ready = readyLines(pier, 2);

            // A child that started the other line's server too would fail on its socket file, in use.
            assertEquals("forked\n", echo(port(ready.get("echo")), "forked\n"));
            assertEquals("again\n", echo(port(ready.get("echo")), "again\n"));
            assertArrayEquals(resource("ecstasy.txt"), fetch(directory.resolve("poem.sock")));

            pier.terminate();
            assertEquals(0, pier.exitStatus(STOP_TIMEOUT));
        }
    }

    @Test
    void aMistakeInTheFileIsSaidWithItsLineBeforeAnythingListens() throws Exception {
        Path file = Files.writeString(directory.resolve("services.txt"), """
                poetry: poetry serve --listen unix:poem.sock
                proxy: poetry proxy --listen tcp:0 --timeout never 10000
                """);
        try (PierProcess pier = PierProcess.start(directory, "run", file.toString())) {
            assertEquals(2, pier.exitStatus(STOP_TIMEOUT));
            assertEquals(List.of(), pier.stdout());
            assertTrue(pier.stderr().startsWith("pier run: " + file + ":2: pier poetry proxy: "), pier.stderr());
            assertFalse(Files.exists(directory.resolve("poem.sock")));
        }
        Path lineOption = Files.writeString(directory.resolve("grace.txt"), "echo: echo --port 0 --grace 5\n");
        try (PierProcess pier = PierProcess.start(directory, "run", lineOption.toString())) {
            assertEquals(2, pier.exitStatus(STOP_TIMEOUT));
            assertEquals("pier run: " + lineOption + ":1: pier echo: --grace is for pier run itself, which applies "
                    + "it to every service: move it there\nTry 'pier run --help'.", pier.stderr());
        }
    }

    @Test
    void aServiceThatCannotListenStopsThoseStartedBeforeIt() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = Files.writeString(directory.resolve("services.txt"), """
                    poetry: poetry serve --listen unix:poem.sock
                    echo: echo --port %d
                    """.formatted(taken.getLocalPort()));
            try (PierProcess pier = PierProcess.start(directory, "run", file.toString())) {
                assertEquals(1, pier.exitStatus(STOP_TIMEOUT));
                assertEquals("pier: address already in use: tcp:" + taken.getLocalPort() + ":interface=127.0.0.1",
                        pier.stderr().lines().filter(line -> line.startsWith("pier:")).findFirst().orElseThrow());
                assertFalse(Files.exists(directory.resolve("poem.sock")), "the poetry server was stopped");
            }
        }
    }

    /** The first {@code count} ready lines, by service: which comes first is up to the processes under --split. */
    private static Map<String, String> readyLines(PierProcess pier, int count) throws Exception {
        Map<String, String> ready = new HashMap<>();
        for (String line : pier.readyLines(count)) {
            Matcher serving = READY.matcher(line);
            assertTrue(serving.matches(), line);
            ready.put(serving.group(1), serving.group(2));
        }
        return ready;
    }

    private static int port(String endpoint) {
        Matcher port = PORT.matcher(endpoint);
        assertTrue(port.find(), endpoint);
        return Integer.parseInt(port.group(1));
    }

    private static byte[] resource(String poem) throws IOException {
        return Files.readAllBytes(Path.of("src/main/resources/dev/pier/app/poetry", poem));
    }

    private static byte[] fetch(int port) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return client.getInputStream().readAllBytes();
        }
    }

    private static byte[] fetch(Path socketFile) throws IOException {
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(socketFile));
            return Channels.newInputStream(client).readAllBytes();
        }
    }

    private static String echo(int port, String line) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.getOutputStream().write(line.getBytes(UTF_8));
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), UTF_8);
        }
    }
}
