package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Poetry programs against peers that misbehave: servers that never stop, close at once or never answer, poems cut
 * short. A client gets every byte or fails and says so; a poem cut short ends with a reset; memory stays bounded.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PoetryFaultsIT {

    private static final Duration EXIT = Duration.ofSeconds(20);
    private static final byte[] POEM = "A short poem\nthat ends here.\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void getGivesUpOnAServerThatNeverStopsAtTheSizeLimit() throws Exception {
        try (TestServer endless = TestServer.endless();
             PierProcess get = PierProcess.start(dir, "poetry", "get", "127.0.0.1:" + endless.port())) {
            assertEquals(1, get.exitStatus(EXIT));
            assertEquals(List.of(), get.stdout(), "no poem printed");
            List<String> errors = get.stderr().lines().filter(line -> line.contains("failed")).toList();
            assertEquals(List.of("Task 1: failed to get a poem from 127.0.0.1:" + endless.port()
                    + ": the poem is larger than 64 MiB: raise --max-size to accept it"), errors);
        }
    }

    @Test
    void aProxyWhoseUpstreamNeverStopsResetsItsClientsAndStaysUpAndBounded() throws Exception {
        try (TestServer endless = TestServer.endless();
             PierProcess proxy = PierProcess.start(dir, "poetry", "proxy", "--port", "0",
                     "127.0.0.1:" + endless.port())) {
            for (int client = 0; client < 2; client++) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    InputStream in = socket.getInputStream();
                    assertThrows(SocketException.class, in::readAllBytes, "a reset, not an empty poem");
                }
            }
            long peak = peakResidentKib(proxy.pid());
            assertTrue(peak < 768 * 1024, "the proxy peaked at " + peak + " KiB");

            proxy.terminate();
            assertEquals(0, proxy.exitStatus(EXIT));
            String log = proxy.stderr();
            assertEquals(2, log.lines().filter(line -> line.contains(
                    "upstream fetch failed: the poem is larger than 64 MiB")).count(), log);
        }
    }

    @Test
    void getThroughAProxyWhoseUpstreamIsDownExitsWithOne() throws Exception {
        int nothingThere;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingThere = probe.getLocalPort();
        }
        try (PierProcess proxy = PierProcess.start(dir, "poetry", "proxy", "--port", "0",
                "127.0.0.1:" + nothingThere);
             PierProcess get = PierProcess.start(dir, "poetry", "get", "127.0.0.1:" + proxy.port())) {
            assertEquals(1, get.exitStatus(EXIT));
            assertEquals(List.of(), get.stdout());
            assertTrue(get.stderr().contains("Task 1: failed to get a poem from 127.0.0.1:" + proxy.port()
                    + ": connection lost after 0 bytes"), get.stderr());
        }
    }

    @Test
    void anUpstreamThatClosesAtOnceIsNotCached() throws Exception {
        AtomicReference<byte[]> reply = new AtomicReference<>(new byte[0]);
        try (TestServer upstream = TestServer.replying(reply);
             PierProcess proxy = PierProcess.start(dir, "poetry", "proxy", "--port", "0",
                     "127.0.0.1:" + upstream.port())) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThrows(SocketException.class, socket.getInputStream()::readAllBytes);
            }
            reply.set(POEM);
            for (int client = 0; client < 2; client++) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    assertArrayEquals(POEM, socket.getInputStream().readAllBytes());
                }
            }
            assertEquals(2, upstream.connections(), "the empty reply was not cached, the poem was");
        }
    }

    @Test
    void getGivesUpOnATransformServerThatNeverAnswersAtTheTimeout() throws Exception {
        try (TestServer poetry = TestServer.replying(new AtomicReference<>(POEM));
             TestServer silent = TestServer.silent()) {
            long start = System.nanoTime();
            try (PierProcess get = PierProcess.start(dir, "poetry", "get", "--timeout", "3",
                    "--transform", "127.0.0.1:" + silent.port(), "127.0.0.1:" + poetry.port())) {
                assertEquals(1, get.exitStatus(EXIT));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "took " + took);
                assertEquals(List.of(), get.stdout());
                assertTrue(get.stderr().contains("Task 1: failed to get a poem from 127.0.0.1:" + poetry.port()
                        + ": timed out after 3 s waiting for the transform server"), get.stderr());
            }
        }
    }

    @Test
    void slowChunksLargerThanTheWriteBoundDeliverTheWholePoem() throws Exception {
        byte[] big = new byte[(20 << 20) + 1000];
        new Random(11).nextBytes(big);
        Path file = dir.resolve("big.txt");
        Files.write(file, big);
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--delay", "0.1",
                "--num-bytes", String.valueOf(20 << 20), file.toString());
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            assertArrayEquals(big, socket.getInputStream().readAllBytes());
            server.terminate();
            assertEquals(0, server.exitStatus(EXIT));
            String log = server.stderr();
            assertTrue(log.contains("served " + big.length + " bytes to "), log);
        }
    }

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"reactor", "threads", "sync"})
    void aPoemCutShortWhenTheGraceEndsEndsWithAReset(String concurrency) throws Exception {
        // 3003 bytes at 10 bytes per 50 ms take 15 s: far longer than the grace period.
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--port", "0", "--delay", "0.05",
                "--num-bytes", "10", "--grace", "0.5", "--concurrency", concurrency);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            InputStream in = socket.getInputStream();
            assertEquals(10, in.readNBytes(10).length);
            server.terminate();
            assertThrows(SocketException.class, in::readAllBytes, "a reset, never the end of a whole poem");
            assertEquals(0, server.exitStatus(EXIT));
        }
    }

    /** The most memory the process has held, from /proc (VmHWM, in KiB). */
    private static long peakResidentKib(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("VmHWM:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst().orElseThrow();
    }

    /** A server of the test's own on 127.0.0.1 that has the same conversation with every client; closing it closes all. */
    private static final class TestServer implements AutoCloseable {

        @FunctionalInterface
        interface Conversation {
            void with(Socket client) throws IOException;
        }

        private final ServerSocket listening;
        private final List<Socket> clients = new CopyOnWriteArrayList<>();

        private TestServer(Conversation conversation) throws IOException {
            listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket client = listening.accept();
                        clients.add(client);
                        Thread.ofVirtual().start(() -> {
                            try {
                                conversation.with(client);
                            } catch (IOException clientGone) {
                                // the client reset or left: the conversation is over
                            }
                        });
                    }
                } catch (IOException closed) {
                    // close() was called
                }
            });
        }

        /** Sends the same verse for ever, as fast as the client reads it. */
        static TestServer endless() throws IOException {
            byte[] verse = "and on and on and on\n".repeat(3000).getBytes(StandardCharsets.UTF_8);
            return new TestServer(client -> {
                try (client; OutputStream out = client.getOutputStream()) {
                    while (true) {
                        out.write(verse);
                    }
                }
            });
        }

        /** Sends what {@code reply} holds when the client connects, then closes; nothing at all is a close at once. */
        static TestServer replying(AtomicReference<byte[]> reply) throws IOException {
            return new TestServer(client -> {
                try (client; OutputStream out = client.getOutputStream()) {
                    out.write(reply.get());
                }
            });
        }

        /** Accepts and never answers. */
        static TestServer silent() throws IOException {
            return new TestServer(client -> {});
        }

        int port() {
            return listening.getLocalPort();
        }

        int connections() {
            return clients.size();
        }

        @Override
        public void close() throws IOException {
            listening.close();
            for (Socket client : clients) {
                client.close();
            }
        }
    }
}
