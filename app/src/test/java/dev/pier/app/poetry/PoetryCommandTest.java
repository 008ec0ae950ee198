package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pier.app.Main;
import dev.pier.app.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The poetry command lines that never get as far as serving: help and usage errors. */
class PoetryCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine pier = Cli.commandLine(new Main().spec());
        pier.setOut(new PrintWriter(out, true));
        pier.setErr(new PrintWriter(err, true));
        return pier.execute(args);
    }

    @Test
    void transformHelpListsEveryTransform() {
        assertEquals(0, run("poetry", "transform", "--help"));
        for (Transform transform : Transform.values()) {
            assertTrue(out.toString().contains(transform.wireName()), transform + " missing from: " + out);
            assertTrue(out.toString().contains(transform.description()), transform + " missing from: " + out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "get", "transform", "proxy"})
    void everyPoetryCommandHasHelp(String command) {
        assertEquals(0, run("poetry", command, "--help"));
        assertTrue(out.toString().startsWith("Usage: pier poetry " + command), out.toString());
    }

    @Test
    void badValuesAreUsageErrorsInOneLineFollowedByTheUsage() {
        assertEquals(2, run("poetry", "serve", "--num-bytes", "0"));
        assertEquals("pier poetry serve: --num-bytes must be at least 1, not 0",
                err.toString().lines().findFirst().orElseThrow());

        err.getBuffer().setLength(0);
        assertEquals(2, run("poetry", "serve", "--delay", "-1"));
        assertEquals("pier poetry serve: --delay must be a number of seconds, 0 or more, not -1.0",
                err.toString().lines().findFirst().orElseThrow());

        err.getBuffer().setLength(0);
        assertEquals(2, run("poetry", "serve", "--concurrency", "fibers"));
        assertTrue(err.toString().lines().findFirst().orElseThrow().startsWith("pier poetry serve: "), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("poetry", "get"));
        assertTrue(err.toString().startsWith("pier poetry get: Missing required parameter: 'ENDPOINT'"),
                err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("poetry", "get", "--timeout", "soon", "10000"));
        assertEquals(2, run("poetry", "proxy", "tcp:host=:port=1"));
        assertEquals(2, run("poetry"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"get", "proxy"})
    void aBadMaxSizeIsAUsageErrorInOneLine(String command) {
        assertEquals(2, run("poetry", command, "--max-size", "lots", "10000"));
        assertEquals("pier poetry " + command + ": --max-size must be a number of bytes, or of K, M or G (as in "
                + "64M), not 'lots'", err.toString().lines().findFirst().orElseThrow());

        err.getBuffer().setLength(0);
        assertEquals(2, run("poetry", command, "--max-size", "2G", "10000"));
        assertEquals("pier poetry " + command + ": --max-size must be between 1 and 1G, not 2G",
                err.toString().lines().findFirst().orElseThrow());

        err.getBuffer().setLength(0);
        assertEquals(2, run("poetry", command, "--max-size", "0", "10000"));
        assertEquals("pier poetry " + command + ": --max-size must be between 1 and 1G, not 0",
                err.toString().lines().findFirst().orElseThrow());
    }
}
