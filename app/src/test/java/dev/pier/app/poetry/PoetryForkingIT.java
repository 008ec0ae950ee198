package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.PierProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pier poetry serve --concurrency forking} started as users start it: each poem served by a child JVM that
 * the launcher's options and start-up cache also start, with the bytes the parent read.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PoetryForkingIT {

    @TempDir
    Path dir;


    @Test
    void childrenServeThePoemAsTheParentReadItEvenOnceTheFileIsEditedOrGone() throws Exception {
        Path poem = Files.copy(Peers.poem("science.txt"), dir.resolve("poem.txt"));
        byte[] original = Files.readAllBytes(poem);
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--concurrency", "forking",
                "--port", "0", poem.toString())) {
            int port = server.port();
            assertArrayEquals(original, Peers.fetch(port));

            Files.writeString(poem, "edited after the server started\n");
            assertArrayEquals(original, Peers.fetch(port));

            Files.delete(poem);
            assertArrayEquals(original, Peers.fetch(port));
            server.terminate();
            assertEquals(0, server.exitStatus(PierProcess.START_TIMEOUT));
            assertEquals(List.of(server.readyLine(), "Stopped"), server.stdout(),
                    "the children print nothing on stdout");
        }
    }

    @Test
    void aClientWhoseChildIsKilledSeesAResetNotAWholePoem() throws Exception {
        try (PierProcess server = PierProcess.start(dir, "poetry", "serve", "--concurrency", "forking",
                "--delay", "0.2", "--num-bytes", "10", "--port", "0")) {
            int port = server.port();
            try (Socket client = new Socket("127.0.0.1", port)) {
                InputStream in = client.getInputStream();
                assertEquals(10, in.readNBytes(10).length, "the poem started");
                List<ProcessHandle> children = ProcessHandle.of(server.pid()).orElseThrow().children().toList();
                assertFalse(children.isEmpty(), "a forked child serves the poem");
                for (ProcessHandle child : children) {
                    child.destroyForcibly();
                }
                assertThrows(IOException.class, in::readAllBytes, "a poem cut short ends with a reset");
            }
            try (Socket next = new Socket("127.0.0.1", port)) {
                assertArrayEquals(Arrays.copyOf(Peers.poemBytes("ecstasy.txt"), 10),
                        next.getInputStream().readNBytes(10), "the next client is served");
            }
        }
    }
}
