package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final List<String> servers = List.of("127.0.0.1:10000", "127.0.0.1:10001");

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void elsewhereThanOnATerminalEachEventIsALine() {
        Progress progress = Progress.to(err, false, servers);
        progress.received(1, 10, 10);
        progress.failed(2, "cannot connect: Connection refused");
        progress.finished(1, 10);
        progress.done();

        assertEquals(List.of(
                "Task 1: got 10 bytes of poetry from 127.0.0.1:10000",
                "Task 2: failed to get a poem from 127.0.0.1:10001: cannot connect: Connection refused",
                "Task 1: poem done, 10 bytes from 127.0.0.1:10000"), written().lines().toList());
    }

    @Test
    void onATerminalOneLineIsRewrittenInPlace() {
        Progress progress = Progress.to(err, true, servers);
        progress.received(1, 10, 10);
        progress.received(2, 5, 5);
        progress.finished(1, 10);
        progress.done();

        String[] states = written().split("\r\033\\[K");
        assertEquals("Task 1: done, 10 bytes | Task 2: 5 bytes\n", states[states.length - 1]);
        assertTrue(written().contains("Task 1: 10 bytes | Task 2: connecting"), written());
    }
}
