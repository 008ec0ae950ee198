package dev.pier.app.cli;

import static dev.pier.app.cli.Options.parameters;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code pier help [COMMAND]...}: the help of pier, or of a command at any depth ({@code pier help poetry serve}). */
public final class HelpCommand implements Runnable {

    private final CommandSpec spec = Cli.command(this, "help").helpCommand(true);

    private List<String> commands;

    public HelpCommand() {
        spec.usageMessage().description("Shows the help of pier, or of COMMAND (e.g. pier help poetry serve).");
        spec.addPositional(parameters("COMMAND", "0..*", String.class, value -> commands = value,
                "the command, with its parent commands").build());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command, as picocli declares it. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public void run() {
        CommandLine target = spec.commandLine().getParent();
        for (String name : commands) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) {
                throw new ParameterException(spec.commandLine(), "'" + name + "' is not a command of "
                        + target.getCommandSpec().qualifiedName() + " (its commands: "
                        + String.join(", ", target.getSubcommands().keySet()) + ")");
            }
            target = sub;
        }
        target.usage(spec.commandLine().getOut());
    }
}
