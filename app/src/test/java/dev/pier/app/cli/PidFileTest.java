package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path dir;

    @Test
    void holdsThisProcessIdUntilClosed() throws IOException {
        Path file = dir.resolve("poetry.pid");
        PidFile pid = PidFile.claim(file);
        assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(file));
        pid.close();
        assertFalse(Files.exists(file));
    }

    @Test
    void refusesAFileHeldByALiveProcess() throws IOException {
        Path file = dir.resolve("poetry.pid");
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        Files.writeString(file, parent + "\n");

        CommandFailure refused = assertThrows(CommandFailure.class, () -> PidFile.claim(file));
        assertTrue(refused.getMessage().contains("names process " + parent + ", which is running"),
                refused.getMessage());
        assertEquals(parent + "\n", Files.readString(file), "the other process's file is left alone");
    }

    @Test
    void replacesAStaleFileOfADeadProcess() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path file = dir.resolve("poetry.pid");
        Files.writeString(file, dead.pid() + "\n");

        PidFile pid = PidFile.claim(file);
        assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(file));
        pid.close();
    }

    @Test
    void refusesAndLeavesAloneAFileThatIsNotAPidFile() throws IOException {
        Path file = dir.resolve("precious.conf");
        Files.writeString(file, "listen = 10000\n");

        CommandFailure refused = assertThrows(CommandFailure.class, () -> PidFile.claim(file));
        assertEquals("'" + file + "' is not a pid file (it does not hold one process id): left untouched; name"
                + " another --pid-file", refused.getMessage());
        assertEquals("listen = 10000\n", Files.readString(file));
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aMissingDirectoryIsSaidInPlainWords() {
        Path file = dir.resolve("no/such/dir/poetry.pid");

        CommandFailure refused = assertThrows(CommandFailure.class, () -> PidFile.claim(file));
        assertEquals("cannot write pid file '" + file + "': no such directory", refused.getMessage());
    }
}
