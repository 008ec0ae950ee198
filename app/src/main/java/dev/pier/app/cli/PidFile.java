package dev.pier.app.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * A pid file, as service managers and {@code kill $(cat FILE)} use it: holds this process's id while it runs and is
 * removed when it stops. A file naming a live process means the service already runs: starting again is refused.
 * A file left behind by a process that died is replaced. Anything else in its place (a file that does not hold one
 * process id, such as a configuration file named by mistake) is left untouched, and starting is refused. The file
 * is written whole or not at all (a temporary file, then a hard link to it), so nobody ever reads half of it.
 *
 * <pre>{@code
 * try (PidFile pid = PidFile.claim(Path.of("/run/pier-poetry.pid"))) {
 *     serve();
 * }
 * }</pre>
 */
public final class PidFile implements AutoCloseable {

    private static final Pattern ONE_PROCESS_ID = Pattern.compile("\\d{1,19}\\n?");

    private final Path file;
    private final String content;

    private PidFile(Path file, String content) {
        this.file = file;
        this.content = content;
    }

    /**
     * Writes this process's id to {@code file}; fails with a {@link CommandFailure} if a live process holds it, or if
     * it holds anything but a process id.
     */
    public static PidFile claim(Path file) {
        String content = ProcessHandle.current().pid() + "\n";
        Path written = writeAside(file, content);
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    Files.createLink(file, written);   // fails if the file exists: never replaces one by accident
                    return new PidFile(file, content);
                } catch (FileAlreadyExistsException exists) {
                    removeIfStale(file);
                } catch (IOException e) {
                    throw cannotWrite(file, e);
                }
            }
            throw new CommandFailure("cannot claim pid file '" + file + "': another process keeps creating it");
        } finally {
            deleteQuietly(written);
        }
    }

    /**
     * Removes {@code file} if it names a process that is gone; refuses if it names a live one or is not a pid file.
     * The file is renamed aside before it is removed, and only if it still holds what was read: another process
     * starting at the same moment may have replaced it meanwhile, and its file is then put back.
     */
    private static void removeIfStale(Path file) {
        String held = pidFileContent(file);
        if (held == null) {
            return;   // gone meanwhile: try creating it again
        }
        long holder = Long.parseLong(held.strip());
        if (ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)) {
            throw new CommandFailure("pid file '" + file + "' names process " + holder
                    + ", which is running: stop it first, or use another --pid-file");
        }
        Path aside = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".stale");
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            if (!held.equals(Files.readString(aside, StandardCharsets.US_ASCII))) {
                Files.createLink(file, aside);   // not the stale file any more: put it back, unless replaced again
            }
        } catch (NoSuchFileException | FileAlreadyExistsException raced) {
            // Another process moved it first, or created the file again: the next attempt sees which.
        } catch (IOException e) {
            throw cannotWrite(file, e);
        } finally {
            deleteQuietly(aside);
        }
    }

    /** What {@code file} holds if it is a pid file; null if it is gone; refused if it is something else. */
    private static String pidFileContent(Path file) {
        String held;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
                    return null;
                }
                throw notAPidFile(file);
            }
            held = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException gone) {
            return null;
        } catch (CharacterCodingException binary) {
            throw notAPidFile(file);
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
        if (!ONE_PROCESS_ID.matcher(held).matches()) {
            throw notAPidFile(file);
        }
        return held;
    }

    /** The content written to a new file next to {@code file}, so that a link or rename can put it in place whole. */
    private static Path writeAside(Path file, String content) {
        Path directory = file.toAbsolutePath().getParent();
        try {
            Path written = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
            Files.writeString(written, content, StandardCharsets.US_ASCII);
            return written;
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    private static CommandFailure notAPidFile(Path file) {
        return new CommandFailure("'" + file + "' is not a pid file (it does not hold one process id): left"
                + " untouched; name another --pid-file");
    }

    private static CommandFailure cannotWrite(Path file, IOException e) {
        String reason = switch (e) {
            case NoSuchFileException missing -> "no such directory";
            case AccessDeniedException denied -> "permission denied";
            default -> Messages.reason(e);
        };
        return new CommandFailure("cannot write pid file '" + file + "': " + reason, e);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A temporary file left in the pid file's directory harms nothing.
        }
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
