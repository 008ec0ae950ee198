package dev.pier.app;

import dev.pier.app.cli.Cli;
import dev.pier.app.cli.HelpCommand;
import dev.pier.app.cli.LogSetup;
import dev.pier.app.echo.EchoCommand;
import dev.pier.app.poetry.PoetryCommand;
import dev.pier.app.run.RunCommand;
import dev.pier.app.tls.TlsCommand;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The {@code pier} command. */
public final class Main implements Runnable {

    /** How long the end of a command waits for its last log lines to be written. */
    private static final Duration LOG_DRAIN_WAIT = Duration.ofSeconds(2);

    private final CommandSpec spec = Cli.command(this, "pier");

    public Main() {
        spec.usageMessage().description(
                "Network servers and clients: the socketserver model and the event-driven model.");
        spec.addSubcommand("echo", new EchoCommand().spec());
        spec.addSubcommand("poetry", new PoetryCommand().spec());
        spec.addSubcommand("run", new RunCommand().spec());
        spec.addSubcommand("tls", new TlsCommand().spec());
        spec.addSubcommand("help", new HelpCommand().spec());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command and its subcommands, as picocli declares them. */
    public CommandSpec spec() {
        return spec;
    }

    public static void main(String[] args) {
        // Every command logs in the same one-line format; a command with a log file of its own replaces this.
        LogSetup.toStderr();
        int status = Cli.commandLine(new Main().spec()).execute(args);
        LogSetup.drain(LOG_DRAIN_WAIT);
        System.exit(status);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }
}
