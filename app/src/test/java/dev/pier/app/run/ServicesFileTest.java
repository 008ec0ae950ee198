package dev.pier.app.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServicesFileTest {

    private static final Path FILE = Path.of("services.txt");

    private static ServicesFile parse(String... lines) throws ServicesFile.Invalid {
        return ServicesFile.parse(FILE, List.of(lines));
    }

    private static String mistake(String... lines) {
        return assertThrows(ServicesFile.Invalid.class, () -> parse(lines)).getMessage();
    }

    @Test
    void aServicePerLineInOrderWithCommentsAndBlankLinesSkipped() throws Exception {
        ServicesFile file = parse("# the tutorial's services", "", "poetry: poetry serve --listen tcp:10000 ecstasy.txt",
                "  transform:poetry transform", "proxy: poetry proxy --listen tcp:10002 10000");

        assertEquals(List.of("poetry", "transform", "proxy"), file.names());
        assertEquals(new ServicesFile.Entry("transform", List.of("poetry", "transform"), 4), file.find("transform"));
        assertEquals(List.of("poetry", "serve", "--listen", "tcp:10000", "ecstasy.txt"),
                file.find("poetry").arguments());
    }

    @Test
    void argumentsAreSplitAsAShellSplitsThem() throws Exception {
        assertEquals(List.of("a b", "c'd", "e\"f", "g h", "", "x$y"),
                ServicesFile.words("here", "'a b' \"c'd\" e\\\"f g\\ h '' \"x\\$y\""));
        assertEquals(List.of("echo", "--port", "7", "a#b"), ServicesFile.words("here", "echo --port 7 a#b # the port"));
        assertEquals("here: the quote ' is not closed",
                assertThrows(ServicesFile.Invalid.class, () -> ServicesFile.words("here", "'open")).getMessage());
        assertEquals("here: a line ends with a backslash: a service is one line",
                assertThrows(ServicesFile.Invalid.class, () -> ServicesFile.words("here", "a \\")).getMessage());
    }

    @Test
    void eachMistakeIsSaidWithItsLine() {
        assertEquals("services.txt:2: write a service as NAME: ARGUMENTS (a NAME of letters, digits, - and _), not "
                + "'poetry serve'", mistake("# comment", "poetry serve"));
        assertEquals("services.txt:1: the service echo has no arguments: give what would follow pier, e.g. echo: "
                + "poetry serve", mistake("echo:   "));
        assertEquals("services.txt:1: give what would follow pier, without pier itself: echo: echo --port 7",
                mistake("echo: pier echo --port 7"));
        assertEquals("services.txt:3: a service named echo is on line 1 already: give each its own name",
                mistake("echo: echo", "other: echo --port 7", "echo: echo --port 8"));
        assertEquals("services.txt lists no service: write one per line, as NAME: ARGUMENTS (e.g. poetry: poetry "
                + "serve)", mistake("# nothing", ""));
    }
}
