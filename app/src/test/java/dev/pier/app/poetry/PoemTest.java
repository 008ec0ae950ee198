package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoemTest {

    @TempDir
    Path dir;

    @Test
    void aPoemIsTheExactBytesOfItsFile() throws Exception {
        byte[] text = {'a', '\r', '\n', (byte) 0xC3, (byte) 0xA9, 0, '\n'};
        Path file = Files.write(dir.resolve("odd.txt"), text);
        Poem poem = Poem.read(file);
        assertEquals("odd.txt", poem.name());
        assertArrayEquals(text, poem.text());
    }

    @Test
    void theBundledSamplesAreTheSharedPoemsByteForByte() throws Exception {
        for (String name : Poem.BUNDLED) {
            assertArrayEquals(Peers.poemBytes(name), Poem.bundled(name).text(), name);
        }
        assertEquals(3003, Poem.bundled("ecstasy.txt").size());
    }

    @Test
    void aSampleNeedsNoFileButAFileOfThatNameWins() throws Exception {
        Path missing = Path.of("science.txt");
        assertEquals(Poem.bundled("science.txt"), Poem.fileOrBundled(missing));

        Path own = Files.writeString(dir.resolve("science.txt"), "my own science\n");
        assertEquals("my own science\n", new String(Poem.fileOrBundled(own).text(), StandardCharsets.UTF_8));
    }

    @Test
    void anUnreadablePoemSaysWhy() {
        assertEquals("cannot read poem 'x.txt': no such file",
                assertThrows(Poem.PoemNotReadable.class, () -> Poem.fileOrBundled(Path.of("x.txt"))).getMessage());
        assertEquals("cannot read poem '" + dir + "': is a directory",
                assertThrows(Poem.PoemNotReadable.class, () -> Poem.read(dir)).getMessage());
        assertThrows(Poem.PoemNotReadable.class, () -> Poem.fileOrBundled(dir.resolve("science.txt")));
    }
}
