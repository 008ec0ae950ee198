package dev.pier.app.cli;

import static dev.pier.app.cli.Options.option;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class CliTest {

    static final class Demo implements Callable<Integer> {
        final CommandSpec spec = Cli.command(this, "demo");
        String failure = "";
        SocketKind transport;
        ConcurrencyMode concurrency;

        Demo() {
            spec.addOption(option("--fail", "KIND", String.class, value -> failure = value).defaultValue("")
                    .build());
            spec.addOption(option("--transport", "KIND", SocketKind.class, value -> transport = value).build());
            spec.addOption(option("--concurrency", "MODE", ConcurrencyMode.class, value -> concurrency = value)
                    .build());
        }

        @Override
        public Integer call() {
            return switch (failure) {
                case "user" -> throw new CommandFailure("address already in use: tcp:8007:interface=127.0.0.1");
                case "bug" -> throw new IllegalStateException("boom\nsecond line");
                default -> ExitStatus.OK;
            };
        }
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(boolean debug, String... args) {
        CommandLine command = Cli.commandLine(new Demo().spec, debug);
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    private List<String> errLines() {
        return err.toString().lines().toList();
    }

    @Test
    void aBadOptionIsOneLineNamingTheCommandThenWhereTheHelpIs() {
        assertEquals(ExitStatus.USAGE, run(false, "--bogus"));
        assertEquals(List.of("demo: Unknown option: '--bogus'", "Try 'demo --help'."), errLines());
        assertEquals("", out.toString());
    }

    @Test
    void choicesAreSpelledInLowerCaseAndListedWhenWrong() {
        assertEquals(ExitStatus.OK, run(false, "--transport", "unixgram", "--concurrency", "REACTOR"));
        assertEquals(ExitStatus.USAGE, run(false, "--concurrency", "fibers"));
        assertEquals("demo: Invalid value for option '--concurrency': expected one of sync, threads, virtual,"
                + " forking, reactor, not 'fibers'", errLines().getFirst());
    }

    @Test
    void aUsersMistakeAtRunTimeIsOneLineWithoutStackTrace() {
        assertEquals(ExitStatus.FAILURE, run(false, "--fail", "user"));
        assertEquals(List.of("pier: address already in use: tcp:8007:interface=127.0.0.1"), errLines());
    }

    @Test
    void anUnexpectedErrorIsOneLineWithAHintToSeeTheTrace() {
        assertEquals(ExitStatus.FAILURE, run(false, "--fail", "bug"));
        assertEquals(List.of("pier: unexpected error: boom; second line"
                + " (run with PIER_DEBUG=1 to see the stack trace)"), errLines());
    }

    @Test
    void debugModeAddsTheStackTrace() {
        assertEquals(ExitStatus.FAILURE, run(true, "--fail", "bug"));
        assertEquals("pier: unexpected error: boom; second line", errLines().getFirst());
        assertTrue(err.toString().contains("dev.pier.app.cli.CliTest$Demo.call(CliTest.java"), err.toString());
    }

    @Test
    void pierDebugIsOnForAnyValueButEmptyAndZero() {
        assertTrue(Cli.debugRequested("1"));
        assertTrue(Cli.debugRequested("yes"));
        assertEquals(false, Cli.debugRequested(null));
        assertEquals(false, Cli.debugRequested(""));
        assertEquals(false, Cli.debugRequested("0"));
    }
}
