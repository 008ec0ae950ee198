package dev.pier.app;

import dev.pier.app.cli.Cli;
import dev.pier.app.echo.EchoCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code pier} command. */
@Command(name = "pier", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Network servers and clients: the socketserver model and the event-driven model.",
        subcommands = {EchoCommand.class})
public final class Main implements Runnable {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.commandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }
}
