package dev.pier.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code pier} command itself, before any subcommand runs. */
@Timeout(60)
class PierCommandIT {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path directory;

    @Test
    void withoutACommandExitsWithStatus2AndListsTheCommands() throws Exception {
        try (PierProcess pier = PierProcess.start(directory)) {
            assertEquals(2, pier.exitStatus(EXIT_TIMEOUT));
            List<String> stderr = pier.stderr().lines().toList();
            assertEquals("pier: a command is required", stderr.getFirst());
            assertTrue(stderr.stream().anyMatch(line -> line.strip().startsWith("echo ")), pier.stderr());
        }
    }

    @Test
    void anUnknownCommandExitsWithStatus2AndTheUsage() throws Exception {
        try (PierProcess pier = PierProcess.start(directory, "ehco")) {
            assertEquals(2, pier.exitStatus(EXIT_TIMEOUT));
            List<String> stderr = pier.stderr().lines().toList();
            assertEquals("pier: Unmatched argument at index 0: 'ehco'", stderr.getFirst());
            assertEquals("Usage: pier [-hV] [COMMAND]", stderr.get(1));
        }
    }

    @Test
    void helpListsTheCommandsAndHelpOfACommandIsItsHelp() throws Exception {
        try (PierProcess pier = PierProcess.start(directory, "help")) {
            assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
            List<String> stdout = pier.stdout();
            assertEquals("Usage: pier [-hV] [COMMAND]", stdout.getFirst());
            assertTrue(stdout.stream().anyMatch(line -> line.strip().startsWith("poetry ")), stdout.toString());
        }
        try (PierProcess pier = PierProcess.start(directory, "help", "poetry", "serve")) {
            assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
            List<String> stdout = pier.stdout();
            assertTrue(stdout.getFirst().startsWith("Usage: pier poetry serve "), stdout.getFirst());
            assertTrue(stdout.stream().anyMatch(line -> line.contains("--log-file=FILE")), stdout.toString());
        }
    }

    @Test
    void versionNamesPierAndTheJava() throws Exception {
        try (PierProcess pier = PierProcess.start(directory, "--version")) {
            assertEquals(0, pier.exitStatus(EXIT_TIMEOUT));
            List<String> stdout = pier.stdout();
            assertTrue(stdout.getFirst().matches("pier \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), stdout.getFirst());
            assertTrue(stdout.get(1).startsWith("Java " + Runtime.version().feature()), stdout.get(1));
        }
    }
}
