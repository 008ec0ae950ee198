package dev.pier.app.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the operating system and late clients do to a blocking {@code pier echo}: it keeps serving, or stops cleanly. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BlockingFaultsIT {

    private static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"threads", "virtual"})
    void outOfDescriptorsItPausesAcceptingWithoutSpinningAndResumesWhenTheyFree(String concurrency)
            throws Exception {
        try (PierProcess server = PierProcess.run(dir, Map.of(), "bash", "-c",
                "ulimit -n 256 && exec \"$0\" echo --concurrency " + concurrency + " --port 0",
                PierProcess.launcher().toString())) {
            int port = server.port();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 400; i++) {
                    clients.add(new Socket("127.0.0.1", port));   // the kernel queues what the server cannot take
                }
                server.awaitStderrLine(line -> line.contains("WARN") && line.contains("Too many open files"));
                long cpuBefore = cpuTimeNanos(server.pid());
                Thread.sleep(2000);   // a window to measure, not a wait for an event
                long cpuDuringEpisode = cpuTimeNanos(server.pid()) - cpuBefore;
                // A thread retrying accept at once would burn the whole window; the JIT and the collector, after a
                // burst of connections, take a fraction of it.
                assertTrue(cpuDuringEpisode < 1_000_000_000L,
                        "a server out of descriptors must not spin: " + cpuDuringEpisode / 1_000_000 + " ms of CPU"
                                + " in two seconds");
                assertEquals("still served\n", echo(clients.getFirst(), "still served\n"),
                        "the connections it has are still served");
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            server.awaitStderrLine(line -> line.contains("taking requests again"));
            try (Socket fresh = new Socket("127.0.0.1", port)) {
                assertEquals("served again\n", echo(fresh, "served again\n"));
            }
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"sync", "threads", "virtual", "forking"})
    void duringTheDrainLateClientsAreRefusedWhileTheRequestInProgressFinishes(String concurrency)
            throws Exception {
        try (PierProcess server = PierProcess.start(dir, "echo", "--concurrency", concurrency, "--port", "0")) {
            int port = server.port();
            try (Socket inProgress = new Socket("127.0.0.1", port)) {
                assertEquals("before\n", echo(inProgress, "before\n"));
                server.terminate();
                assertRefusedSoon(port);
                assertEquals("after\n", echo(inProgress, "after\n"), "the request in progress goes on");
            }
            assertEquals(0, server.exitStatus(EXIT));
        }
    }

    private static void assertRefusedSoon(int port) throws Exception {
        long deadline = System.nanoTime() + EXIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket late = new Socket()) {
                late.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException refused) {
                return;
            } catch (SocketException resetAsTheListenerClosed) {
                // queued just before the listening socket closed: try again
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("connections were still queued " + EXIT + " after SIGTERM");
    }

    private static String echo(Socket client, String line) throws IOException {
        client.getOutputStream().write(line.getBytes(UTF_8));
        byte[] reply = client.getInputStream().readNBytes(line.length());
        return new String(reply, UTF_8);
    }

    /** User plus system CPU time of a process, from /proc (in clock ticks, 100 a second on Linux). */
    private static long cpuTimeNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 10_000_000L;
    }
}
