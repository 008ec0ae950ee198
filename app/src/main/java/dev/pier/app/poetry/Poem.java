package dev.pier.app.poetry;

import dev.pier.app.cli.Messages;
import dev.pier.blocking.Forking;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A poem: its name (the file name it came from) and its text, as the exact bytes of the file. Poems are sent and
 * compared as bytes; nothing decodes or re-encodes them on the way. The text array is shared, not copied: treat it
 * as read-only.
 *
 * <pre>{@code
 * Poem poem = Poem.read(Path.of("science.txt"));
 * Poem ecstasy = Poem.bundled("ecstasy.txt");
 * }</pre>
 */
public record Poem(String name, byte[] text) {

    /** The sample poems shipped with Pier, by file name. */
    public static final List<String> BUNDLED =
            List.of("ecstasy.txt", "science.txt", "fascination.txt", "alla_sera.txt");

    /** The poem served when none is named. */
    public static final String DEFAULT = "ecstasy.txt";

    /** Reads the poem in {@code file}, failing with a one-line message saying what was wrong with it. */
    public static Poem read(Path file) throws PoemNotReadable {
        try {
            if (Files.isDirectory(file)) {
                throw new PoemNotReadable(file, "is a directory");
            }
            return new Poem(nameOf(file), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new PoemNotReadable(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new PoemNotReadable(file, "permission denied");
        } catch (IOException e) {
            throw new PoemNotReadable(file, Messages.reason(e));
        }
    }

    /**
     * The poem in {@code file}; if there is no such file and {@code file} is just the name of one of the
     * {@link #BUNDLED} samples ({@code science.txt}), that sample.
     */
    public static Poem fileOrBundled(Path file) throws PoemNotReadable {
        try {
            return read(file);
        } catch (PoemNotReadable missing) {
            String name = file.toString();
            if (BUNDLED.contains(name) && Files.notExists(file)) {
                return bundled(name);
            }
            throw missing;
        }
    }

    /**
     * The poem {@link #fileOrBundled} reads, read once for all the processes of a forking server: its children serve
     * the bytes the parent read before serving, whatever happens to the file meanwhile.
     */
    public static Poem readOnceForChildren(Path file) throws PoemNotReadable {
        String key = "poem:" + file;
        Optional<byte[]> kept = Forking.keptByParent(key);
        if (kept.isPresent()) {
            return new Poem(nameOf(file), kept.get());
        }
        Poem poem = fileOrBundled(file);
        Forking.keepForChildren(key, poem.text());
        return poem;
    }

    private static String nameOf(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }

    /** One of the {@link #BUNDLED} sample poems. */
    public static Poem bundled(String name) {
        if (!BUNDLED.contains(name)) {
            throw new IllegalArgumentException("no bundled poem named '" + name + "'; there are " + BUNDLED);
        }
        try (InputStream in = Poem.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("bundled poem " + name + " is missing from the application");
            }
            return new Poem(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of bytes in the poem. */
    public int size() {
        return text.length;
    }

    /** Poems are equal when their names and texts are. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Poem(String otherName, byte[] otherText)
                && name.equals(otherName) && Arrays.equals(text, otherText);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(text);
    }

    @Override
    public String toString() {
        return name + " (" + text.length + " bytes)";
    }

    /** A poem file that could not be read; the message is ready for the user. */
    public static final class PoemNotReadable extends Exception {
        PoemNotReadable(Path file, String why) {
            super("cannot read poem '" + file + "': " + why, null, false, false);
        }
    }
}
