package dev.pier.app.cli;

import dev.pier.app.Version;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pier help [COMMAND]...}: the help of pier, or of a command at any depth ({@code pier help poetry serve}). */
@Command(name = "help", helpCommand = true, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Shows the help of pier, or of COMMAND (e.g. pier help poetry serve).")
public final class HelpCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "the command, with its parent commands")
    private List<String> commands = new ArrayList<>();

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
