package dev.pier.app.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Reports a bad command line as one line naming the command and the mistake, then where the help is: not the whole
 * help, which would scroll the mistake out of sight. A command made of commands ({@code pier}, {@code pier poetry})
 * lists them instead, in a few lines: that list is what its user was missing.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + Messages.oneLine(error.getMessage()));
        if (command.getSubcommands().isEmpty()) {
            err.println("Try '" + name + " --help'.");
        } else {
            command.usage(err);
        }
        err.flush();
        return ExitStatus.USAGE;
    }
}
