package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TransformTest {

    @Test
    void cummingsifyLowerCasesEverything() {
        assertEquals("here is my poem, élan", Transform.CUMMINGSIFY.apply("HERE Is My POEM, Élan"));
    }

    @Test
    void reverseLinesPutsTheLastLineFirst() {
        assertEquals("three\ntwo\none\n", Transform.REVERSE_LINES.apply("one\ntwo\nthree\n"));
        assertEquals("three\ntwo\none", Transform.REVERSE_LINES.apply("one\ntwo\nthree"));
        assertEquals("b\r\na\r\n", Transform.REVERSE_LINES.apply("a\r\nb\r\n"));
        assertEquals("", Transform.REVERSE_LINES.apply(""));
    }

    @Test
    void transformsAreFoundByTheirWireName() {
        assertEquals(Optional.of(Transform.REVERSE_LINES), Transform.named("reverse-lines"));
        assertEquals(Optional.empty(), Transform.named("CUMMINGSIFY"));
    }
}
