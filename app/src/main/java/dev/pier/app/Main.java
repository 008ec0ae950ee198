package dev.pier.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pier} command. */
@Command(name = "pier", mixinStandardHelpOptions = true, version = "pier 0.1.0",
        description = "Network servers and clients: the socketserver model and the event-driven model.",
        subcommands = {})
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
