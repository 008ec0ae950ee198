package dev.pier.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose log output is stuck, or whose descriptor table runs full, serves on: a process either serves
 * correctly or fails loudly.
 */
@Timeout(120)
class LoggingFaultsIT {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);
    /** About 80 bytes of log each: the pipe is full after some 800, the log's queue some 4,000 later. */
    private static final int REQUESTS = 6_000;

    @TempDir
    Path directory;

    private PierProcess pier;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        if (pier != null) {
            pier.close();
        }
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void aStderrNobodyReadsCostsPoemServersLogLinesNotRequests() throws Exception {
        FileChannel stderr = stuckStderr();
        pier = withStderrTo(stderr, "poetry serve --port 0");
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", pier.port());

        int firstLength = fetch(server, null).length();
        for (int i = 1; i < REQUESTS; i++) {
            assertEquals(firstLength, fetch(server, null).length(), "poem " + i);
        }
        assertEquals(firstLength, fetch(server, null).length(), "a fresh client after " + REQUESTS + " poems");
        assertTheDropsAreReportedOnceStderrIsReadAndStopsCleanly(stderr);
    }

    @Test
    void aStderrNobodyReadsCostsTheTransformServersLogLinesNotRequests() throws Exception {
        FileChannel stderr = stuckStderr();
        pier = withStderrTo(stderr, "poetry transform --port 0");
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", pier.port());

        for (int i = 0; i < REQUESTS; i++) {
            assertEquals("5:hello,", fetch(server, "17:cummingsify.HELLO,"), "request " + i);
        }
        assertEquals("5:hello,", fetch(server, "17:cummingsify.HELLO,"), "a fresh client");
        assertTheDropsAreReportedOnceStderrIsReadAndStopsCleanly(stderr);
    }

    /**
     * A FIFO held open for reading (read-write, so that opening does not wait for the writer) but not read: once
     * its 64 KiB are full, every write to it blocks, as with a terminal scrolled back or a stopped {@code less}.
     */
    private FileChannel stuckStderr() throws Exception {
        Path fifo = directory.resolve("stderr.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        FileChannel stderr = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
        resources.add(stderr);
        return stderr;
    }

    private PierProcess withStderrTo(FileChannel stderr, String arguments) {
        return PierProcess.run(directory, Map.of(), "bash", "-c", "exec \"$0\" " + arguments + " 2>\"$1\"",
                PierProcess.launcher().toString(), directory.resolve("stderr.fifo").toString());
    }

    private void assertTheDropsAreReportedOnceStderrIsReadAndStopsCleanly(FileChannel stderr) throws Exception {
        String log = readUntil(stderr, "log lines dropped: the log output was not being read").get(30, SECONDS);
        assertTrue(log.matches("(?s).*\\d{4}-\\d\\d-\\d\\dT\\S+Z WARN \\d+ log lines dropped: .*"), log);
        pier.terminate();
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals("Stopped", pier.stdout().getLast());
    }

    @Test
    void runningOutOfDescriptorsPausesAcceptingAndTheReactorServesOn() throws Exception {
        pier = PierProcess.run(directory, Map.of(), "bash", "-c",
                "ulimit -n 256; exec \"$0\" echo --concurrency reactor --port 0",
                PierProcess.launcher().toString());
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", pier.port());

        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                // The kernel completes each connection; the server cannot accept them all with 256 descriptors.
                clients.add(SocketChannel.open(server));
            }
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
        }
        // Descriptors are free again once the backlog of closed connections is accepted and closed.
        try (SocketChannel client = SocketChannel.open(server)) {
            client.write(ByteBuffer.wrap("still serving".getBytes(UTF_8)));
            ByteBuffer reply = ByteBuffer.allocate(13);
            while (reply.hasRemaining() && client.read(reply) >= 0) {
                // until the whole echo is back
            }
            assertEquals("still serving", new String(reply.array(), 0, reply.position(), UTF_8));
        }
        assertTrue(pier.stillRunningAfter(Duration.ofMillis(200)), "the server is still up");
        pier.terminate();
        assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
        assertEquals("Stopped", pier.stdout().getLast());
    }

    /** Sends {@code request} (if any) and returns all the server sent before it closed the connection. */
    private static String fetch(InetSocketAddress server, String request) throws IOException {
        try (SocketChannel client = SocketChannel.open(server)) {
            if (request != null) {
                client.write(ByteBuffer.wrap(request.getBytes(UTF_8)));
            }
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (client.read(buffer.clear()) >= 0) {
                reply.write(buffer.array(), 0, buffer.position());
            }
            return reply.toString(UTF_8);
        }
    }

    /** Starts reading {@code channel} on a thread of its own until {@code fragment} appears; returns all read. */
    private static CompletableFuture<String> readUntil(FileChannel channel, String fragment) {
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            StringBuilder text = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (!text.toString().contains(fragment)) {
                    if (channel.read(buffer.clear()) < 0) {
                        break;
                    }
                    text.append(new String(buffer.array(), 0, buffer.position(), UTF_8));
                }
                found.complete(text.toString());
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
        });
        return found;
    }
}
