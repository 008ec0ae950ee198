package dev.pier.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A pid file, as service managers and {@code kill $(cat FILE)} use it: holds this process's id while it runs and is
 * removed when it stops. A file naming a live process means the service already runs: starting again is refused.
 * A file left behind by a process that died is replaced.
 *
 * <pre>{@code
 * try (PidFile pid = PidFile.claim(Path.of("/run/pier-poetry.pid"))) {
 *     serve();
 * }
 * }</pre>
 */
public final class PidFile implements AutoCloseable {

    private final Path file;
    private final String content;

    private PidFile(Path file, String content) {
        this.file = file;
        this.content = content;
    }

    /** Writes this process's id to {@code file}; fails with a {@link CommandFailure} if a live process holds it. */
    public static PidFile claim(Path file) {
        String content = ProcessHandle.current().pid() + "\n";
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return new PidFile(file, content);
            } catch (FileAlreadyExistsException exists) {
                Optional<Long> holder = holder(file);
                if (holder.isPresent() && ProcessHandle.of(holder.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new CommandFailure("pid file '" + file + "' names process " + holder.get()
                            + ", which is running: stop it first, or use another --pid-file");
                }
                try {
                    Files.deleteIfExists(file); // stale: its process is gone (or the file is not a pid file)
                } catch (IOException e) {
                    throw cannotWrite(file, e);
                }
            } catch (IOException e) {
                throw cannotWrite(file, e);
            }
        }
        throw new CommandFailure("cannot claim pid file '" + file + "': another process keeps creating it");
    }

    private static Optional<Long> holder(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (NoSuchFileException | NumberFormatException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    private static CommandFailure cannotWrite(Path file, IOException e) {
        return new CommandFailure("cannot write pid file '" + file + "': " + e, e);
    }

    /** Removes the file, if it still holds this process's id. */
    @Override
    public void close() {
        try {
            if (Files.readString(file, StandardCharsets.US_ASCII).equals(content)) {
                Files.delete(file);
            }
        } catch (IOException alreadyGone) {
            // Removed by someone else: nothing left to clean up.
        }
    }
}
